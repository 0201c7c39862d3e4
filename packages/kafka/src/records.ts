// Records as the domain sees them, and the contract of a chunk handler.
import { isUtf8 } from 'node:buffer';
import type { IHeaders, KafkaMessage } from 'kafkajs';

/** A record as the domain sees it: headers decoded as UTF-8 strings (a value that is not UTF-8 stays bytes). */
export interface InboundRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** A value that is not valid UTF-8 is kept as its bytes: decoding it would alter it silently. */
  headers: Record<string, string | Buffer | undefined>;
  value: Buffer | null;
  /** Broker/producer timestamp, ms since epoch. */
  timestamp: number;
}

/**
 * Where a record sits in the log, `topic/partition/offset`: unique per record, and the same on
 * every re-delivery, so it keys a record's disposition (the store's `_id`) and poison bookkeeping.
 * `partition` may be the decimal string a dead letter's header carries.
 */
export function recordPosition(r: { readonly topic: string; readonly partition: number | string; readonly offset: string }): string {
  return `${r.topic}/${r.partition}/${r.offset}`;
}

export interface OutboundRecord {
  key: string | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer>;
}

export interface BatchContext {
  topic: string;
  partition: number;
  /**
   * False once a rebalance or shutdown asks us to stop: finish the current chunk and return.
   * Handlers need not heartbeat: the consumer heartbeats in the background while a chunk runs.
   */
  shouldContinue: () => boolean;
}

/**
 * Handles a chunk of records durably (store/DLQ writes done) before it resolves; offsets are
 * committed only after it resolves, so a crash at any point re-delivers the chunk.
 */
export type ChunkHandler = (records: InboundRecord[], ctx: BatchContext) => Promise<void>;

/** Header names are the provider's: held in a null-prototype object, so `__proto__` is a header like any other. */
function decodeHeaders(headers: IHeaders | undefined): Record<string, string | Buffer | undefined> {
  const out = Object.create(null) as Record<string, string | Buffer | undefined>;
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    out[name.toLowerCase()] = v === undefined || v === null ? undefined : Buffer.isBuffer(v) ? (isUtf8(v) ? v.toString('utf8') : v) : String(v);
  }
  return out;
}

export function toInboundRecord(topic: string, partition: number, m: KafkaMessage): InboundRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString('utf8') : null,
    headers: decodeHeaders(m.headers),
    value: m.value,
    timestamp: Number(m.timestamp),
  };
}
