// The arithmetic of an ingest ledger, without I/O: what one partition of a source topic has settled
// (every record below `settledTo` counted exactly once), and what a chunk of records adds to it.
// Kept per partition so that a re-delivered chunk, whatever its new boundaries, is recognised by
// offset alone: records below `settledTo` are skipped, never counted twice.

import type { Disposition } from '../dispositions/disposition.schema';

/** One record's verdict, as ingestion settles it. */
export interface SettledRecord {
  /** Kafka offset, decimal. */
  offset: string;
  disposition: Disposition;
  /** The reason code of a rejection (events.md), else null. */
  reason: string | null;
  /** The CloudEvents source when it could be read: rejections are counted by provider. */
  source: string | null;
  /** Provider `time` of an accepted event (the pipeline view's newest event). */
  eventTime: string | null;
  /** When the broker got the record: the data cut-off of an assessment. */
  receivedAt: Date;
}

export interface ReasonCount {
  reason: string;
  n: number;
}

export interface SourceReasonCount {
  source: string;
  reason: string;
  n: number;
}

/**
 * An ingest attempt in progress: a chunk's events may be in the store before its ledger is settled.
 * `insertedTo` is the highest offset an attempt may have inserted; offsets up to `outcomesTo` have
 * known outcomes (`refused`: those that turned out duplicates), so a retry needs no lookup for them.
 */
export interface PendingInsert {
  insertedTo: string;
  outcomesTo: string | null;
  refused: string[];
}

export interface LedgerCounts {
  accepted: number;
  duplicates: number;
  rejected: ReasonCount[];
  /** Rejections by provider; at most MAX_SOURCES sources, the rest under OTHER_SOURCES. */
  rejectedBySource: SourceReasonCount[];
  newestEventTime: string | null;
  newestReceivedAt: Date | null;
}

export interface LedgerState extends LedgerCounts {
  topic: string;
  partition: number;
  /** Next offset not yet settled: every record below it is counted here exactly once. */
  settledTo: string;
  pending: PendingInsert | null;
  /** Optimistic concurrency: each write names the version it read. */
  version: number;
}

/** Distinct providers kept per partition: a source is provider-controlled, so the list is bounded. */
export const MAX_SOURCES = 200;
export const OTHER_SOURCES = '(other sources)';
/** A rejected record whose source could not be read. */
export const UNREADABLE_SOURCE = '(unreadable)';

export const ledgerId = (topic: string, partition: number): string => `${topic}/${partition}`;

export function emptyLedger(topic: string, partition: number): LedgerState {
  return {
    topic,
    partition,
    settledTo: '0',
    pending: null,
    version: 0,
    accepted: 0,
    duplicates: 0,
    rejected: [],
    rejectedBySource: [],
    newestEventTime: null,
    newestReceivedAt: null,
  };
}

const big = (offset: string): bigint => BigInt(offset);

/** True when `offset` is already counted in the ledger. */
export const isSettled = (ledger: Pick<LedgerState, 'settledTo'>, offset: string): boolean => big(offset) < big(ledger.settledTo);

/** The records of a chunk not yet settled, in offset order. */
export function unsettled<R extends { offset: string }>(ledger: Pick<LedgerState, 'settledTo'>, records: readonly R[]): R[] {
  return records.filter((r) => !isSettled(ledger, r.offset)).sort((a, b) => (big(a.offset) < big(b.offset) ? -1 : big(a.offset) > big(b.offset) ? 1 : 0));
}

function bump<T extends { n: number }>(rows: T[], match: (row: T) => boolean, make: () => T): void {
  const row = rows.find(match);
  if (row) row.n += 1;
  else rows.push(make());
}

/**
 * The ledger after settling `records` (any order; those already settled are ignored). Pure: returns
 * a new state with `settledTo` past the last record and no pending insert below it.
 */
export function settle(ledger: LedgerState, records: readonly SettledRecord[]): LedgerState {
  const fresh = unsettled(ledger, records);
  if (fresh.length === 0) return ledger;
  const next: LedgerState = {
    ...ledger,
    rejected: ledger.rejected.map((r) => ({ ...r })),
    rejectedBySource: ledger.rejectedBySource.map((r) => ({ ...r })),
  };
  for (const r of fresh) {
    if (r.disposition === 'accepted') {
      next.accepted += 1;
      if (r.eventTime !== null && (next.newestEventTime === null || Date.parse(r.eventTime) > Date.parse(next.newestEventTime)))
        next.newestEventTime = r.eventTime;
    } else if (r.disposition === 'duplicate') {
      next.duplicates += 1;
    } else {
      const reason = r.reason ?? 'unknown';
      bump(
        next.rejected,
        (x) => x.reason === reason,
        () => ({ reason, n: 1 }),
      );
      let source = r.source ?? UNREADABLE_SOURCE;
      const known = new Set(next.rejectedBySource.map((x) => x.source));
      if (!known.has(source) && known.size >= MAX_SOURCES) source = OTHER_SOURCES;
      bump(
        next.rejectedBySource,
        (x) => x.source === source && x.reason === reason,
        () => ({ source, reason, n: 1 }),
      );
    }
    if (next.newestReceivedAt === null || r.receivedAt > next.newestReceivedAt) next.newestReceivedAt = r.receivedAt;
  }
  next.settledTo = (big(fresh[fresh.length - 1]!.offset) + 1n).toString();
  // An earlier attempt may have inserted past this chunk (its chunk was larger): that stays pending.
  next.pending =
    ledger.pending && big(ledger.pending.insertedTo) >= big(next.settledTo) ? { insertedTo: ledger.pending.insertedTo, outcomesTo: null, refused: [] } : null;
  return next;
}

/**
 * What a retry knows of the outcomes of an earlier attempt's insert, per offset: 'duplicate' or
 * 'stored' for offsets whose outcome was recorded; 'unknown' where an attempt may have inserted but
 * crashed before recording; 'new' where no attempt inserted yet.
 */
export type PriorInsert = 'duplicate' | 'stored' | 'unknown' | 'new';

export function priorInsert(ledger: Pick<LedgerState, 'pending'>, offset: string): PriorInsert {
  const p = ledger.pending;
  if (!p) return 'new';
  const o = big(offset);
  if (p.outcomesTo !== null && o <= big(p.outcomesTo)) return p.refused.includes(offset) ? 'duplicate' : 'stored';
  return o <= big(p.insertedTo) ? 'unknown' : 'new';
}

/** The pending state announced before inserting up to `lastOffset` (never shrinks what may be stored). */
export function announceInsert(ledger: LedgerState, lastOffset: string): PendingInsert {
  const p = ledger.pending;
  const insertedTo = p && big(p.insertedTo) > big(lastOffset) ? p.insertedTo : lastOffset;
  return { insertedTo, outcomesTo: p?.outcomesTo ?? null, refused: p?.refused ?? [] };
}

/**
 * The pending state once the outcomes of a chunk ending at `lastOffset` are known: `refused` lists
 * every duplicate of that chunk. Outcomes recorded earlier past `lastOffset` (a larger chunk's) stay.
 */
export function recordOutcomes(ledger: LedgerState, lastOffset: string, refused: readonly string[]): PendingInsert {
  const p = ledger.pending;
  const last = big(lastOffset);
  const insertedTo = p && big(p.insertedTo) > last ? p.insertedTo : lastOffset;
  const keptTo = p?.outcomesTo != null && big(p.outcomesTo) > last ? p.outcomesTo : null;
  const kept = keptTo !== null ? p!.refused.filter((o) => big(o) > last) : [];
  return { insertedTo, outcomesTo: keptTo ?? lastOffset, refused: [...new Set([...refused, ...kept])] };
}

/** Totals over the ledgers of several partitions and topics (the pipeline view, an assessment's cut-off). */
export interface PipelineTotals {
  accepted: number;
  duplicates: number;
  /** Null-prototype: reasons and sources come from providers. */
  rejected: Record<string, number>;
  rejectedByProvider: Record<string, Record<string, number>>;
  byTopic: Record<string, { accepted: number; duplicates: number; rejected: number; lastEventTime: string | null; settled: Record<string, string> }>;
  newestReceivedAt: Date | null;
}

const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

export function totalsOf(ledgers: readonly LedgerState[]): PipelineTotals {
  const out: PipelineTotals = { accepted: 0, duplicates: 0, rejected: dict(), rejectedByProvider: dict(), byTopic: dict(), newestReceivedAt: null };
  for (const l of ledgers) {
    const t = (out.byTopic[l.topic] ??= { accepted: 0, duplicates: 0, rejected: 0, lastEventTime: null, settled: dict() });
    t.settled[String(l.partition)] = l.settledTo;
    t.accepted += l.accepted;
    t.duplicates += l.duplicates;
    out.accepted += l.accepted;
    out.duplicates += l.duplicates;
    for (const { reason, n } of l.rejected) {
      out.rejected[reason] = (out.rejected[reason] ?? 0) + n;
      t.rejected += n;
    }
    for (const { source, reason, n } of l.rejectedBySource) {
      const byReason = (out.rejectedByProvider[source] ??= dict());
      byReason[reason] = (byReason[reason] ?? 0) + n;
    }
    if (l.newestEventTime !== null && (t.lastEventTime === null || Date.parse(l.newestEventTime) > Date.parse(t.lastEventTime)))
      t.lastEventTime = l.newestEventTime;
    if (l.newestReceivedAt !== null && (out.newestReceivedAt === null || l.newestReceivedAt > out.newestReceivedAt)) out.newestReceivedAt = l.newestReceivedAt;
  }
  return out;
}
