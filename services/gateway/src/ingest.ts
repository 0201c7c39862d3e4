// HTTP ingest (CloudEvents HTTP binding: structured, batch, binary). Every event is turned into the
// Kafka record the provider would have published, judged by the same contract function the
// ingestion services use (so the answer here is the answer there), and produced with acks=all
// before we answer: a 2xx means durable. Dedupe and storage happen behind the door, as for Kafka.
import express, { type Request, type Router } from 'express';
import {
  CLOUDEVENTS_BATCH_JSON,
  CLOUDEVENTS_JSON,
  MAX_EVENT_BYTES,
  SHORT_TYPES,
  TYPE_PREFIX,
  parseContentType,
  parseKafkaRecord,
  topicOfType,
  type ShortType,
} from '@siliconalley/contract';
import { HttpProblem, type Counter } from '@siliconalley/http';
import type { DeadLetterProducer, KafkaClient } from '@siliconalley/kafka';

export interface WireRecord {
  key: string | null;
  headers: Record<string, string>;
  value: Buffer;
  /** What the provider sent it as, for messages. */
  index: number;
}

export interface EventResult {
  index: number;
  id: string | null;
  source: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  reason?: string;
  message?: string;
}

const shortTypeOf = (type: unknown): ShortType | null => {
  if (typeof type !== 'string' || !type.startsWith(TYPE_PREFIX) || !type.endsWith('.v1')) return null;
  const short = type.slice(TYPE_PREFIX.length, -'.v1'.length);
  return (SHORT_TYPES as readonly string[]).includes(short) ? (short as ShortType) : null;
};

const stringOrNull = (v: unknown) => (typeof v === 'string' ? v : null);

/** Deepest nesting of objects and arrays accepted in a JSON body (events and target definitions are shallow). */
export const MAX_JSON_DEPTH = 64;

/** True when a parsed JSON value nests objects/arrays deeper than `limit` (iterative: no stack to overflow). */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Splits an HTTP request into wire records in the Kafka binding's terms (structured or binary). */
export function httpToWireRecords(contentTypeHeader: string | undefined, headers: Request['headers'], body: Buffer): WireRecord[] {
  const contentType = parseContentType(contentTypeHeader);
  if (contentType?.mediaType === CLOUDEVENTS_BATCH_JSON) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new HttpProblem(400, `the batch is not valid JSON (${(err as Error).message}): send a JSON array of CloudEvents`);
    }
    if (!Array.isArray(parsed)) throw new HttpProblem(400, 'a batch (application/cloudevents-batch+json) must be a JSON array of CloudEvents');
    if (parsed.length === 0) throw new HttpProblem(400, 'the batch is empty: send at least one CloudEvent');
    return parsed.map((event, index) => {
      // Re-serialising is recursive: a value nested thousands deep would overflow the stack (a 500).
      if (jsonDepthExceeds(event, MAX_JSON_DEPTH)) {
        throw new HttpProblem(400, `event ${index} of the batch is nested more than ${MAX_JSON_DEPTH} levels deep: a CloudEvent is a flat JSON object with shallow data`, { reason: 'malformed' });
      }
      const subject = typeof event === 'object' && event !== null ? stringOrNull((event as Record<string, unknown>).subject) : null;
      return { index, key: subject, headers: { 'content-type': CLOUDEVENTS_JSON }, value: Buffer.from(JSON.stringify(event), 'utf8') };
    });
  }
  if (contentType?.mediaType === CLOUDEVENTS_JSON) {
    let subject: string | null = null;
    try {
      subject = stringOrNull((JSON.parse(body.toString('utf8')) as Record<string, unknown>)?.subject);
    } catch {
      // Judged as `malformed` by the contract below, with its own message.
    }
    return [{ index: 0, key: subject, headers: { 'content-type': contentTypeHeader ?? CLOUDEVENTS_JSON }, value: body }];
  }
  // Binary mode: `ce-*` HTTP headers are the `ce_*` Kafka headers. The HTTP binding percent-encodes
  // their values (non-ASCII, space, `"`, `%`); Kafka headers carry them decoded, as UTF-8.
  const recordHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('ce-') && typeof value === 'string') recordHeaders[`ce_${name.slice(3)}`] = decodeAttributeHeader(name, value);
  }
  if (Object.keys(recordHeaders).length === 0) {
    throw new HttpProblem(
      415,
      `send application/cloudevents+json (one event), application/cloudevents-batch+json (an array) or binary mode (ce-* headers with a JSON body); got ${contentTypeHeader ?? 'no content type'}`,
    );
  }
  if (contentTypeHeader) recordHeaders['content-type'] = contentTypeHeader;
  return [{ index: 0, key: recordHeaders.ce_subject ?? null, headers: recordHeaders, value: body }];
}

/** A `ce-*` header value, percent-decoded (CloudEvents HTTP binding, 3.1.3.2). */
function decodeAttributeHeader(name: string, value: string): string {
  // Node reads header bytes as latin-1: a non-ASCII character here is an unencoded byte.
  const encodeInstruction = 'percent-encode non-ASCII characters as UTF-8 %XX (CloudEvents HTTP binding)';
  if (/[^\t\x20-\x7e]/.test(value)) throw new HttpProblem(400, `header ${name} has characters outside printable ASCII: ${encodeInstruction}`, { reason: 'malformed' });
  try {
    return decodeURIComponent(value);
  } catch {
    throw new HttpProblem(400, `header ${name} is not validly percent-encoded: ${encodeInstruction}`, { reason: 'malformed' });
  }
}

/** Best effort, for the provider's answer: the id and source of a record the contract rejected. */
function envelopeHints(record: WireRecord): { id: string | null; source: string | null } {
  if (record.headers.ce_id !== undefined) return { id: record.headers.ce_id ?? null, source: record.headers.ce_source ?? null };
  try {
    const v = JSON.parse(record.value.toString('utf8')) as Record<string, unknown>;
    return { id: stringOrNull(v?.id), source: stringOrNull(v?.source) };
  } catch {
    return { id: null, source: null };
  }
}

function recordType(record: WireRecord): unknown {
  if (record.headers.ce_type !== undefined) return record.headers.ce_type;
  try {
    return (JSON.parse(record.value.toString('utf8')) as Record<string, unknown>)?.type;
  } catch {
    return undefined;
  }
}

/** The CloudEvents `source` of a record, if it states one (binary: header; structured: the JSON). */
function recordSource(record: WireRecord): unknown {
  if (Object.keys(record.headers).some((h) => h.startsWith('ce_'))) return record.headers.ce_source;
  try {
    return (JSON.parse(record.value.toString('utf8')) as Record<string, unknown>)?.source;
  } catch {
    return undefined;
  }
}

/** Bytes per produce call: well under the broker's default message.max.bytes (1 MiB). */
const PRODUCE_SLICE_BYTES = 512 * 1024;

const wireBytes = (r: WireRecord) =>
  r.value.length + Buffer.byteLength(r.key ?? '') + Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);

/** Consecutive slices of at most PRODUCE_SLICE_BYTES (a single larger record gets a slice of its own). */
function slices(records: WireRecord[]): WireRecord[][] {
  const out: WireRecord[][] = [];
  let current: WireRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const n = wireBytes(r);
    if (current.length > 0 && bytes + n > PRODUCE_SLICE_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export interface IngestRouteDeps {
  kafka: KafkaClient;
  deadLetters: DeadLetterProducer;
  maxBodyBytes: number;
  rejected: Counter<'reason'>;
  now?: () => Date;
}

export function ingestRouter(deps: IngestRouteDeps): Router {
  const router = express.Router();
  router.post('/', express.raw({ type: () => true, limit: deps.maxBodyBytes }), async (req, res) => {
    const principal = req.principal!;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const records = httpToWireRecords(req.headers['content-type'], req.headers, body);

    // A provider publishes only the types its token allows: one forbidden event refuses the request.
    const forbidden = records
      .map((r) => shortTypeOf(recordType(r)))
      .filter((t): t is ShortType => t !== null && !principal.types.includes(t));
    if (forbidden.length) {
      throw new HttpProblem(403, `this token may publish ${principal.types.join(', ') || 'no types'}; the request has ${[...new Set(forbidden)].join(', ')}`);
    }
    // A token pinned to a source publishes as that source only: (source, id) is the idempotency key,
    // so another provider's source would let it pre-empt (turn into duplicates) that provider's events.
    if (principal.source) {
      const foreign = records.map(recordSource).filter((src): src is string => typeof src === 'string' && src !== principal.source);
      if (foreign.length) {
        throw new HttpProblem(403, `this token publishes as source ${principal.source}; the request has source ${[...new Set(foreign)].join(', ')}`);
      }
    }

    const now = deps.now?.() ?? new Date();
    const results: EventResult[] = [];
    const byTopic = new Map<string, WireRecord[]>();
    const unroutable: WireRecord[] = [];
    const seen = new Set<string>();
    for (const record of records) {
      const type = shortTypeOf(recordType(record));
      const topic = type ? topicOfType(type) : '';
      const verdict = parseKafkaRecord({ topic, key: record.key, headers: record.headers, value: record.value }, { receivedAt: now });
      const envelope = verdict.ok ? verdict.event : envelopeHints(record);
      const result: EventResult = { index: record.index, id: envelope?.id ?? null, source: envelope?.source ?? null, status: 'accepted' };
      if (!verdict.ok) Object.assign(result, { status: 'rejected', reason: verdict.reason, message: verdict.message });
      else {
        // Twice in one request: the second copy is a duplicate of the first, as ingestion will find.
        // Whether an event was stored by an earlier request is settled by ingestion behind the door
        // (GET /pipeline shows it): answering it here would read the event store on every request.
        const key = JSON.stringify([verdict.event.source, verdict.event.id]);
        if (seen.has(key)) result.status = 'duplicate';
        seen.add(key);
      }
      results.push(result);
      if (!verdict.ok && verdict.reason === 'too_large') {
        // Over 256 KiB, possibly over what the broker takes at all (message.max.bytes): the provider
        // is told here and now, and the record goes nowhere (it could not be dead-lettered intact).
        deps.rejected.inc({ reason: 'too_large' });
        continue;
      }
      // Routable records go to their topic even when invalid: ingestion dead-letters them and counts
      // them by provider, exactly as if they had come over Kafka. The rest are dead-lettered here.
      if (type) byTopic.set(topic, [...(byTopic.get(topic) ?? []), record]);
      else unroutable.push(record);
    }
    // The broker refuses a produce batch over its message.max.bytes (1 MiB by default), and a batch
    // request may be several MiB: produce in slices, in order.
    for (const [topic, recs] of byTopic) {
      for (const slice of slices(recs)) {
        await deps.kafka.send(deps.kafka.topic(topic), slice.map((r) => ({ key: r.key, headers: r.headers, value: r.value })));
      }
    }
    for (const slice of slices(unroutable)) {
      await deps.deadLetters.send(
        slice.map((r) => {
          const res = results.find((x) => x.index === r.index)!;
          deps.rejected.inc({ reason: res.reason ?? 'unknown_type' });
          return { record: r, origin: { topic: 'http', partition: null, offset: null }, reason: res.reason ?? 'unknown_type', message: res.message ?? '' };
        }),
        now,
      );
    }

    const isBatch = parseContentType(req.headers['content-type'])?.mediaType === CLOUDEVENTS_BATCH_JSON;
    const rejected = results.filter((r) => r.status === 'rejected');
    if (!isBatch && rejected[0]) {
      // One event: the problem says what to fix.
      throw new HttpProblem(400, rejected[0].message ?? 'rejected', { reason: rejected[0].reason, results });
    }
    res.status(isBatch ? 200 : 202).json({
      accepted: results.filter((r) => r.status === 'accepted').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      rejected: rejected.length,
      results,
    });
  });
  return router;
}

export { MAX_EVENT_BYTES };
