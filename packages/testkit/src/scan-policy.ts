// Which recorded database commands read a big collection in a way whose cost grows with its history
// rather than with the work asked for (shared/spec/architecture.md: "the store is written once per
// record and read by key; a full scan belongs only to an explicit, offline rebuild"). On FerretDB's
// SQLite backend every filtered read scans, so the allowed set is what MongoDB answers from the `_id`
// index with work bounded by the keys asked for; everything else is what a growing store makes slow.
//
// Rules, for commands on a big collection (others are not policed):
// - insert, getMore (judged by the find that opened the cursor), killCursors, createIndexes, create,
//   listIndexes, drop and every other command that reads no documents: allowed.
// - aggregate, count, distinct, mapReduce: never (countDocuments is an aggregate with $match/$group;
//   estimatedDocumentCount is a `count` without a query).
// - find, findAndModify: only a keyed lookup and no sort. A keyed lookup is a filter whose top level
//   holds `_id: <value>`, `_id: {$eq: <value>}`, or `_id: {$in: [...]}` with at most `maxKeys` keys
//   (or with a limit of at most `maxKeys`); other top-level conditions beside the `_id` one are
//   allowed, as they only narrow what the keys found. Not allowed: an empty filter, a filter without
//   such an `_id` condition (any other field, `$or`, ranges on `_id`…), any non-empty sort.
// - update, delete: each statement's filter must be a keyed lookup as above.
// - compressed / unreadable messages: flagged, since nothing can be said about them.
// The caller leaves out commands of an explicit offline rebuild (e.g. by the recorder's phase).
import { EJSON } from 'bson';
import type { RecordedCommand } from './recorder';

export interface ScanPolicy {
  /** Collections whose size grows with the history (default: events, dispositions). */
  bigCollections?: readonly string[];
  /** Most keys of an `_id: {$in}` lookup (default 5,000: the event store's lookup batch). */
  maxKeys?: number;
}

export interface ScanViolation {
  command: RecordedCommand;
  reason: string;
}

export const DEFAULT_BIG_COLLECTIONS = ['events', 'disposition_chunks'] as const;
export const DEFAULT_MAX_KEYS = 5000;

const NEVER = new Set(['aggregate', 'count', 'distinct', 'mapReduce', 'mapreduce']);
const KEYED_READS = new Set(['find', 'findAndModify', 'findandmodify']);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

const isRegex = (v: unknown): boolean =>
  v instanceof RegExp || (typeof v === 'object' && v !== null && (v as { _bsontype?: unknown })._bsontype === 'BSONRegExp');

/** A key value: anything but an operator document ({$gt: …}) or a regex (a pattern match); a document without operators is a value too. */
const isKeyValue = (v: unknown): boolean => !isRegex(v) && (!isPlainObject(v) || Object.keys(v).every((k) => !k.startsWith('$')));

/** Why `filter` is not a keyed lookup (null when it is). */
export function unkeyedReason(filter: unknown, limit: number | undefined, maxKeys = DEFAULT_MAX_KEYS): string | null {
  if (filter === undefined || filter === null || (isPlainObject(filter) && Object.keys(filter).length === 0)) return 'no filter: reads the whole collection';
  if (!isPlainObject(filter)) return 'filter is not a document';
  if (!('_id' in filter)) return `filter on ${Object.keys(filter).join(', ')}, not on _id`;
  const id = filter['_id'];
  if (isRegex(id)) return `_id ${String(id)} is a pattern, not a key`;
  if (isKeyValue(id)) return null;
  const ops = id as Record<string, unknown>;
  const names = Object.keys(ops);
  if (names.length === 1 && names[0] === '$eq' && isKeyValue(ops['$eq'])) return null;
  if (names.length === 1 && names[0] === '$in' && Array.isArray(ops['$in'])) {
    if (!(ops['$in'] as unknown[]).every(isKeyValue)) return '_id $in lists a pattern or an operator, not only keys';
    const keys = (ops['$in'] as unknown[]).length;
    if (keys <= maxKeys) return null;
    if (limit !== undefined && limit > 0 && limit <= maxKeys) return null;
    return `_id $in with ${keys} keys (more than ${maxKeys}) and no limit within it`;
  }
  return `_id ${names.join(', ')}: not a key equality or $in`;
}

const hasSort = (sort: unknown): boolean => sort !== undefined && sort !== null && !(isPlainObject(sort) && Object.keys(sort).length === 0);

/** The commands that read a big collection by scanning (see the rules above), each with why. */
export function scanViolations(commands: readonly RecordedCommand[], policy: ScanPolicy = {}): ScanViolation[] {
  const big = new Set(policy.bigCollections ?? DEFAULT_BIG_COLLECTIONS);
  const maxKeys = policy.maxKeys ?? DEFAULT_MAX_KEYS;
  const out: ScanViolation[] = [];
  for (const c of commands) {
    if (c.command === 'compressed' || c.command === 'unreadable') {
      out.push({ command: c, reason: `could not be inspected (${c.why ?? 'no detail'})` });
      continue;
    }
    if (c.collection === null || !big.has(c.collection)) continue;
    if (NEVER.has(c.command)) {
      out.push({ command: c, reason: `${c.command} over ${c.collection}: reads every matching document, so its cost grows with the history` });
      continue;
    }
    if (KEYED_READS.has(c.command) || c.command === 'update' || c.command === 'delete') {
      const unkeyed = unkeyedReason(c.filter, c.limit, maxKeys);
      if (unkeyed) {
        out.push({ command: c, reason: `${c.command} over ${c.collection} is no keyed lookup: ${unkeyed}` });
        continue;
      }
      if (hasSort(c.sort)) out.push({ command: c, reason: `${c.command} over ${c.collection} with a sort` });
    }
  }
  return out;
}

/** A filter or pipeline with its values replaced by `?` (arrays by their length): identical shapes group together. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 3 ? `[${value.length} values]` : value.map(shapeOf);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isPlainObject(v) || Array.isArray(v) ? shapeOf(v) : '?']));
  return '?';
}

/** Extended JSON (dates, ids readable), cut short: an example's `$in` may list thousands of keys. */
const show = (v: unknown, max = 400): string => {
  const s = EJSON.stringify(v as never, { relaxed: true });
  return s.length > max ? `${s.slice(0, max)}… (${s.length} characters)` : s;
};

/**
 * Violations grouped by phase, then by (service, command, collection, filter/sort/pipeline shape),
 * with a count and one example each: a readable failure message.
 */
export function formatViolations(violations: readonly ScanViolation[]): string {
  const byPhase = new Map<string, Map<string, { n: number; first: ScanViolation }>>();
  for (const v of violations) {
    const c = v.command;
    const key = [
      c.app ?? '(no app name)',
      c.command,
      c.collection ?? '',
      show(shapeOf(c.filter ?? null), Infinity),
      show(shapeOf(c.sort ?? null), Infinity),
      show(shapeOf(c.pipeline ?? null), Infinity),
      v.reason,
    ].join('\u0000');
    const groups = byPhase.get(c.phase) ?? new Map<string, { n: number; first: ScanViolation }>();
    byPhase.set(c.phase, groups);
    const g = groups.get(key);
    if (g) g.n += 1;
    else groups.set(key, { n: 1, first: v });
  }
  const lines: string[] = [];
  for (const [phase, groups] of byPhase) {
    lines.push(`phase ${phase}: ${[...groups.values()].reduce((a, g) => a + g.n, 0)} violations`);
    for (const { n, first } of groups.values()) {
      const c = first.command;
      const parts = [`${n}× [${c.app ?? '(no app name)'}] ${c.command} ${c.collection ?? ''}`];
      if (c.filter !== undefined) parts.push(`filter ${show(c.filter)}`);
      if (c.sort !== undefined) parts.push(`sort ${show(c.sort)}`);
      if (c.limit !== undefined) parts.push(`limit ${c.limit}`);
      if (c.pipeline !== undefined) parts.push(`pipeline ${show(c.pipeline)}`);
      lines.push(`  ${parts.join(' ')}`);
      lines.push(`      ↳ ${first.reason}`);
    }
  }
  return lines.join('\n');
}
