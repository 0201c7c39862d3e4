// HTTP ingest (CloudEvents HTTP binding: structured, batch, binary). The contract's HTTP binding
// reads the request once: each event's verdict, worded for an HTTP client, what it says of itself
// (type and source, checked against the provider's grants) and the Kafka record the provider would
// have published. Records are produced with acks=all before we answer: a 2xx means durable. Dedupe
// and storage happen behind the door, where ingestion judges each record again with the Kafka
// binding, to the same verdict.
import express, { type Router } from 'express';
import { eventIdentity, MAX_EVENT_BYTES, parseHttpRequest, type HttpEvent, type HttpKafkaRecord, type ShortType } from '@siliconalley/contract';
import { HttpProblem, type Counter } from '@siliconalley/http';
import type { DeadLetter, DeadLetterProducer, KafkaClient } from '@siliconalley/kafka';

export interface EventResult {
  index: number;
  id: string | null;
  source: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  reason?: string;
  message?: string;
}

/**
 * The largest record we produce: the broker's message.max.bytes (1,048,588 by default, and in this
 * stack) less room for the record batch framing and the dead-letter headers. A rejected event up to
 * this size is dead-lettered whole; a larger one (only `too_large` can be) is dead-lettered without
 * its body, so it is still on the record and counted.
 */
export const MAX_BROKER_RECORD_BYTES = 1024 * 1024 - 16 * 1024;

/** Bytes per produce call: well under the broker's default message.max.bytes (1 MiB). */
const PRODUCE_SLICE_BYTES = 512 * 1024;

const wireBytes = (r: HttpKafkaRecord) =>
  r.value.length + Buffer.byteLength(r.key ?? '') + Object.entries(r.headers).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

/** Consecutive slices of at most PRODUCE_SLICE_BYTES (a single larger record gets a slice of its own). */
function slices<T>(items: T[], bytesOf: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = bytesOf(item);
    if (current.length > 0 && bytes + n > PRODUCE_SLICE_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export interface IngestRouteDeps {
  /** Produces the routable records to their (namespaced) topics with acks=all: a KafkaClient. */
  kafka: Pick<KafkaClient, 'topic' | 'send'>;
  /** Dead-letters what cannot be routed: a DeadLetterProducer. */
  deadLetters: Pick<DeadLetterProducer, 'send'>;
  maxBodyBytes: number;
  rejected: Counter<'reason'>;
  now?: () => Date;
}

/** Dead-lettered by the gateway itself, with origin `http` (no source topic to leave it to ingestion). */
function httpDeadLetter(e: HttpEvent, reason: string, message: string): DeadLetter {
  const origin = { topic: 'http', partition: null, offset: null };
  if (wireBytes(e.record) <= MAX_BROKER_RECORD_BYTES) return { record: e.record, origin, reason, message };
  // More than the broker takes: on the record without the body (nor the key, the body's subject).
  const omitted = `${message} (the body, ${e.record.value.length} bytes, is more than the broker takes and is not kept here)`;
  return { record: { key: null, headers: e.record.headers, value: null }, origin, reason, message: omitted };
}

export function ingestRouter(deps: IngestRouteDeps): Router {
  const router = express.Router();
  router.post('/', express.raw({ type: () => true, limit: deps.maxBodyBytes }), async (req, res) => {
    const principal = req.principal!;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const now = deps.now?.() ?? new Date();
    const parsed = parseHttpRequest({ contentType: req.headers['content-type'], headers: req.headers, body }, { receivedAt: now });
    if (!parsed.ok) {
      // No CloudEvents request at all (415), or a batch that is no JSON array of events (400): nothing to dead-letter.
      throw new HttpProblem(parsed.status, parsed.message, parsed.status === 400 ? { reason: parsed.reason } : {});
    }
    const { events } = parsed;

    // A provider publishes only the types its token allows: one forbidden event refuses the request.
    // The types are read from every event, valid or not, too large included (the request is within maxBodyBytes).
    const forbidden = events.map((e) => e.hints.type).filter((t): t is ShortType => t !== null && !principal.types.includes(t));
    if (forbidden.length) {
      throw new HttpProblem(403, `this token may publish ${principal.types.join(', ') || 'no types'}; the request has ${[...new Set(forbidden)].join(', ')}`);
    }
    // A token pinned to a source publishes as that source only: (source, id) is the idempotency key,
    // so another provider's source would let it pre-empt (turn into duplicates) that provider's events.
    if (principal.source) {
      const foreign = events.map((e) => e.hints.source).filter((src): src is string => src !== null && src !== principal.source);
      if (foreign.length) {
        throw new HttpProblem(403, `this token publishes as source ${principal.source}; the request has source ${[...new Set(foreign)].join(', ')}`);
      }
    }

    const results: EventResult[] = [];
    const byTopic = new Map<string, HttpKafkaRecord[]>();
    const letters: DeadLetter[] = [];
    const seen = new Set<string>();
    for (const e of events) {
      const { verdict } = e;
      const named = verdict.ok ? verdict.event : e.hints;
      const result: EventResult = { index: e.index, id: named.id, source: named.source, status: 'accepted' };
      if (!verdict.ok) Object.assign(result, { status: 'rejected', reason: verdict.reason, message: verdict.message });
      else {
        // Twice in one request: the second copy is a duplicate of the first, as ingestion will find.
        // Whether an event was stored by an earlier request is settled by ingestion behind the door
        // (GET /pipeline shows it): answering it here would read the event store on every request.
        const key = eventIdentity(verdict.event);
        if (seen.has(key)) result.status = 'duplicate';
        seen.add(key);
      }
      results.push(result);
      // Routable records go to their topic even when invalid (too large ones included, up to what
      // the broker takes): ingestion dead-letters them and counts them by provider, exactly as if
      // they had come over Kafka. The rest are dead-lettered and counted here.
      if (e.topic !== null && wireBytes(e.record) <= MAX_BROKER_RECORD_BYTES) {
        byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e.record]);
      } else {
        const reason = verdict.ok ? 'unknown_type' : verdict.reason;
        letters.push(httpDeadLetter(e, reason, verdict.ok ? '' : verdict.message));
      }
    }
    // The broker refuses a produce batch over its message.max.bytes (1 MiB by default), and a batch
    // request may be several MiB: produce in slices, in order.
    for (const [topic, records] of byTopic) {
      for (const slice of slices(records, wireBytes)) await deps.kafka.send(deps.kafka.topic(topic), slice);
    }
    for (const slice of slices(letters, (l) => (l.record.value?.length ?? 0) + Buffer.byteLength(l.message))) {
      await deps.deadLetters.send(slice, now);
      for (const l of slice) deps.rejected.inc({ reason: l.reason });
    }

    const isBatch = parsed.contentMode === 'batch';
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
