// Where a simulation goes: the provider topics on Kafka (as a provider's producer would publish),
// or the gateway's HTTP ingest route (as a provider without Kafka would). Both keep each key's
// records in order: the order is what makes the intended dispositions (a duplicate follows its
// original, a fixed record follows its broken first attempt).
//
// The records are published as records.ts wrote them, not rebuilt with the CloudEvents SDK that
// providers use (sdk.ts builds them that way: SDK CloudEvent + Kafka.binary/Kafka.structured, as
// docs/providers.md shows). Benchmarks publish millions of records, and on 100,000 simulated events
// (`node packages/simulator/dist/sdk-bench.js`) the SDK took ×3.1 as long as records.ts (≈115k vs
// ≈355k events/s; ×2.0 with its validation off), over the ~2× a hot path may cost. The SDK would
// also refuse or repair the broken records a simulation must send (a missing id gets a new one),
// and it writes `time` in UTC in structured mode: records.ts keeps the breaks exact. The unit test
// test/unit/sdk.test.ts holds the two to the same events: every valid record is what the SDK would
// have sent, in the same content mode.
import { CLOUDEVENTS_BATCH_JSON, SOURCE_TOPICS } from '@siliconalley/contract';
import { namespacedTopic, type KafkaClient } from '@siliconalley/kafka';
import type { SimulatedRecord } from './records';

export interface Publisher {
  /** Resolves when every record is durably published (acks=all, or the gateway's 2xx). */
  publish(records: readonly SimulatedRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** Records per produce request and bytes per request: under the broker's 1 MiB default message.max.bytes. */
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 512 * 1024;

const recordBytes = (r: SimulatedRecord) =>
  Buffer.byteLength(r.value) + Buffer.byteLength(r.key ?? '') + Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);

/** Consecutive slices of at most MAX_BATCH_RECORDS records and MAX_BATCH_BYTES (a larger record alone). */
export function slices<T extends SimulatedRecord>(records: readonly T[], maxRecords = MAX_BATCH_RECORDS, maxBytes = MAX_BATCH_BYTES): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const r of records) {
    const n = recordBytes(r);
    if (current.length > 0 && (current.length >= maxRecords || bytes + n > maxBytes)) {
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

export class KafkaPublisher implements Publisher {
  constructor(
    private readonly client: KafkaClient,
    private readonly namespace: string,
  ) {}

  /** Fails with what to do when the provider topics do not exist (brokers here never auto-create them). */
  async checkTopics(): Promise<void> {
    const wanted = SOURCE_TOPICS.map((t) => namespacedTopic(t, this.namespace));
    const existing = new Set(await this.client.withAdmin((admin) => admin.listTopics()));
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length) throw new Error(`topic(s) ${missing.join(', ')} do not exist on the broker: start the stack first (npm start), or check --namespace`);
  }

  async publish(records: readonly SimulatedRecord[]): Promise<void> {
    // One topic at a time, in record order within each: a key's records keep their order in its
    // partition, and requests stay large although the topics interleave in arrival order.
    for (const topic of SOURCE_TOPICS) {
      const ofTopic = records.filter((r) => r.topic === topic);
      for (const slice of slices(ofTopic)) {
        await this.client.send(
          namespacedTopic(topic, this.namespace),
          slice.map((r) => ({ key: r.key, headers: r.headers, value: r.value })),
        );
      }
    }
    const stray = records.filter((r) => !(SOURCE_TOPICS as readonly string[]).includes(r.topic));
    if (stray.length) throw new Error(`records for unknown topics: ${[...new Set(stray.map((r) => r.topic))].join(', ')}`);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** What the gateway answered, counted like a Tally (its duplicates only know what ingestion has stored so far). */
export interface GatewayAnswers {
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
}

type Fetch = typeof fetch;

/**
 * HTTP ingest: structured events go in batches (application/cloudevents-batch+json); binary-mode
 * events, bytes that are not JSON and oversized events one request each, as a provider must send
 * them. Requests are sequential (per-key order); 429 and 503 are retried after the server's pause.
 */
export class HttpPublisher implements Publisher {
  readonly answers: GatewayAnswers = { accepted: 0, duplicates: 0, rejected: {} };
  private readonly url: string;

  constructor(
    gateway: string,
    private readonly token: string,
    private readonly fetchImpl: Fetch = fetch,
  ) {
    this.url = `${gateway.replace(/\/+$/, '')}/api/v1/events`;
  }

  async publish(records: readonly SimulatedRecord[]): Promise<void> {
    let batch: SimulatedRecord[] = [];
    const flush = async () => {
      for (const slice of slices(batch)) {
        const body = `[${slice.map((r) => r.value).join(',')}]`;
        this.count(await this.post({ 'content-type': CLOUDEVENTS_BATCH_JSON }, body));
      }
      batch = [];
    };
    for (const record of records) {
      if (batchable(record)) {
        batch.push(record);
        continue;
      }
      await flush();
      this.count(await this.post(httpHeaders(record), record.value));
    }
    await flush();
  }

  private count(results: { status: string; reason?: string }[]): void {
    for (const r of results) {
      if (r.status === 'accepted') this.answers.accepted += 1;
      else if (r.status === 'duplicate') this.answers.duplicates += 1;
      else this.answers.rejected[r.reason ?? 'unknown'] = (this.answers.rejected[r.reason ?? 'unknown'] ?? 0) + 1;
    }
  }

  private async post(headers: Record<string, string>, body: string): Promise<{ status: string; reason?: string }[]> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.fetchImpl(this.url, { method: 'POST', headers: { ...headers, authorization: `Bearer ${this.token}` }, body });
      const text = await res.text();
      if ((res.status === 429 || res.status === 503) && attempt <= 60) {
        const pause = Number(res.headers.get('retry-after'));
        await new Promise((r) => setTimeout(r, Number.isFinite(pause) && pause > 0 ? pause * 1000 : Math.min(10_000, 250 * attempt)));
        continue;
      }
      let json: { results?: { status: string; reason?: string }[]; reason?: string; detail?: string } = {};
      try {
        json = JSON.parse(text) as typeof json;
      } catch {
        // Not JSON: reported below with the status.
      }
      if (res.status === 200 || res.status === 202) return json.results ?? [];
      // One event the contract rejected: 400 with its reason.
      if (res.status === 400 && json.reason) return json.results ?? [{ status: 'rejected', reason: json.reason }];
      throw new Error(`gateway answered ${res.status} to POST ${this.url}: ${json.detail ?? text.slice(0, 300)}`);
    }
  }

  async close(): Promise<void> {}
}

/** A structured event that is a JSON object and not oversized can travel in a batch. */
function batchable(record: SimulatedRecord): boolean {
  if (record.headers['content-type'] !== 'application/cloudevents+json' || record.reason === 'too_large') return false;
  try {
    const v: unknown = JSON.parse(record.value);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** Binary mode over HTTP: `ce-*` headers, percent-encoded (CloudEvents HTTP binding). */
function httpHeaders(record: SimulatedRecord): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    headers[name.startsWith('ce_') ? `ce-${name.slice(3)}` : name] = name.startsWith('ce_') ? encodeURIComponent(value) : value;
  }
  return headers;
}
