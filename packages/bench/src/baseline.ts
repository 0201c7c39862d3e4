// The raw baselines every ingestion figure is compared with, run in the same process and on the
// same broker and database as the system:
//  - the database alone: unordered insertMany of the same documents into an `_id`-only collection
//    (the physical limit of the store's writes);
//  - kafkajs eachBatch + MongoDB driver bulkWrite (unordered inserts) of the same documents: what
//    "consume and store" costs without the contract, deduplication, dead letters, dispositions or
//    forwarding;
//  - Kafka's own ConsumerPerformance tool (Java client): what the broker can hand out.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient, type AnyBulkWriteOperation, type Document } from 'mongodb';
import { kafkaLibsDir } from '@siliconalley/devstack';
import { duplicateKeyRefusals } from '@siliconalley/db';
import { eventIdentity } from '@siliconalley/contract';

export interface Throughput {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * The document the raw baseline writes: the record's CloudEvent as it came, plus where it came from.
 * A record that is not a JSON object with `source` and `id` (a provider log has malformed ones) is
 * kept as its bytes under its position, as the least a consumer must do with it: not lose it.
 */
export function rawDocument(topic: string, partition: number, offset: string, value: Buffer, receivedAt: Date): Document {
  const origin = { topic, partition, offset };
  let event: unknown;
  try {
    event = JSON.parse(value.toString('utf8'));
  } catch {
    event = null;
  }
  if (event && typeof event === 'object' && typeof (event as { source?: unknown }).source === 'string' && typeof (event as { id?: unknown }).id === 'string') {
    const e = event as Record<string, unknown> & { source: string; id: string };
    return { _id: eventIdentity(e), ...e, origin, receivedAt };
  }
  return { _id: `${topic}/${partition}/${offset}`, raw: value, origin, receivedAt };
}

/**
 * Consumes `topics` from the start with a fresh group and bulk-writes each batch's documents,
 * committing after each write; resolves when `expected` records are stored. Timed from start
 * (group join included, as for the system) to the last write.
 */
export async function rawConsumeAndStore(opts: {
  brokers: string[];
  topics: string[];
  groupId: string;
  databaseUrl: string;
  expected: number;
  /** As the system's consumer has it, so the comparison is of the work per record, not of concurrency. */
  partitionsConsumedConcurrently?: number;
  timeoutMs?: number;
}): Promise<Throughput> {
  const mongo = new MongoClient(opts.databaseUrl);
  await mongo.connect();
  const collection = mongo.db().collection('rawevents');
  await mongo
    .db()
    .createCollection('rawevents')
    .catch(() => undefined);
  // Like the event store, only `_id` (the event key) is indexed.
  const kafka = new Kafka({ clientId: opts.groupId, brokers: opts.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: opts.groupId, maxBytesPerPartition: 1024 * 1024 });
  let stored = 0;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const start = performance.now();
  let end = start;
  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
      const now = new Date();
      const ops: AnyBulkWriteOperation[] = [];
      for (const m of batch.messages) if (m.value) ops.push({ insertOne: { document: rawDocument(batch.topic, batch.partition, m.offset, m.value, now) } });
      if (ops.length) {
        await collection.bulkWrite(ops, { ordered: false }).catch((err: unknown) => {
          if (!duplicateKeyRefusals(err)) throw err; // duplicates of a re-delivery are fine, anything else is not
        });
      }
      const last = batch.messages[batch.messages.length - 1];
      if (last) {
        resolveOffset(last.offset);
        await commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }] }],
        });
      }
      await heartbeat();
      stored += ops.length;
      if (stored >= opts.expected) {
        end = performance.now();
        finished();
      }
    },
  });
  const timeout = setTimeout(() => finished(), opts.timeoutMs ?? 30 * 60_000);
  await done;
  clearTimeout(timeout);
  await consumer.disconnect();
  await mongo.close();
  if (stored < opts.expected) throw new Error(`raw baseline stored ${stored} of ${opts.expected} records before timing out`);
  const seconds = (end - start) / 1000;
  return { events: stored, seconds, eventsPerSecond: stored / seconds };
}

/**
 * The database's own limit for the event store's writes: the same documents inserted with the
 * driver's unordered `insertMany` in batches, into a collection with only `_id`, no broker, no
 * validation. What ingestion's store writes would cost if they were all it did.
 */
export async function physicalInsertLimit(opts: { databaseUrl: string; documents: Iterable<Document>; batch?: number }): Promise<Throughput> {
  const mongo = new MongoClient(opts.databaseUrl);
  await mongo.connect();
  try {
    const collection = mongo.db().collection('physicalevents');
    await mongo
      .db()
      .createCollection('physicalevents')
      .catch(() => undefined);
    const size = opts.batch ?? 1000;
    let batch: Document[] = [];
    let stored = 0;
    const started = performance.now();
    const flush = async () => {
      if (batch.length === 0) return;
      await collection.insertMany(batch, { ordered: false }).catch((err: unknown) => {
        if (!duplicateKeyRefusals(err)) throw err; // a provider's duplicates are refused, as in the store
      });
      stored += batch.length;
      batch = [];
    };
    for (const doc of opts.documents) {
      batch.push(doc);
      if (batch.length >= size) await flush();
    }
    await flush();
    const seconds = (performance.now() - started) / 1000;
    return { events: stored, seconds, eventsPerSecond: stored / seconds };
  } finally {
    await mongo.close();
  }
}

export interface PerfToolResult extends Throughput {
  /** Records/s while fetching (rebalance excluded), as the tool reports it. */
  fetchEventsPerSecond: number;
  mbPerSecond: number;
}

/** The perf tools ship in kafka-tools, which infra/local/kafka/pom.xml resolves with the broker. */
export const consumerPerfAvailable = (): boolean => existsSync(kafkaLibsDir()) && readdirSync(kafkaLibsDir()).some((f) => /^kafka-tools-\d.*\.jar$/.test(f));

/** Runs org.apache.kafka.tools.ConsumerPerformance over the topics matching `include`. */
export function consumerPerformance(opts: { brokers: string[]; include: string; records: number; groupId: string }): Promise<PerfToolResult> {
  const args = [
    '-Xmx512m',
    '-cp',
    `${kafkaLibsDir()}/*`,
    'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server',
    opts.brokers.join(','),
    '--include',
    opts.include,
    '--num-records',
    String(opts.records),
    '--group',
    opts.groupId,
    '--timeout',
    '60000',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      // start.time, end.time, data.consumed.in.MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
      const row = out
        .split('\n')
        .map((l) => l.split(',').map((c) => c.trim()))
        .find((cells) => cells.length >= 10 && /^\d/.test(cells[2] ?? ''));
      if (code !== 0 || !row) return reject(new Error(`ConsumerPerformance exited ${code}: ${(out + err).slice(-2000)}`));
      const [, , mb, mbSec, n, nSec, rebalanceMs, fetchMs, , fetchNSec] = row.map(Number);
      const seconds = (rebalanceMs! + fetchMs!) / 1000;
      resolve({ events: n!, seconds, eventsPerSecond: nSec!, fetchEventsPerSecond: fetchNSec!, mbPerSecond: mbSec! });
      void mb;
    });
  });
}
