// Every record of the small fixture, in arrival order, through parseKafkaRecord, with in-memory
// deduplication by (source, id) of accepted events: dispositions.jsonl line by line, the totals
// of expected.json, and the tasks completed computed from the accepted task reports.
import { tasksCompletedOn } from '@siliconalley/plan';
import * as path from 'node:path';
import {
  eventIdentity,
  MAX_EVENT_BYTES,
  parseKafkaRecord,
  REASON_CODES,
  type AcceptedEvent,
  type KafkaRecordIn,
  type ReasonCode,
  type TaskProgressReported,
} from '../../src';
import { readJson, readJsonLines, SMALL_FIXTURE_DIR } from '../shared-fixture';

interface Disposition {
  line: number;
  disposition: 'accepted' | 'duplicate' | 'rejected';
  reason: ReasonCode | null;
}
interface Expected {
  rejected: Partial<Record<ReasonCode, number>>;
  duplicates: number;
  tasksCompleted: Record<string, number>;
}

/** The fixture was cut on 2026-11-26; everything arrives "now". */
const RECEIVED_AT = new Date('2026-11-26T12:00:00Z');

const records = readJsonLines<KafkaRecordIn & { value: string }>(path.join(SMALL_FIXTURE_DIR, 'events.jsonl'));
const dispositions = readJsonLines<Disposition>(path.join(SMALL_FIXTURE_DIR, 'dispositions.jsonl'));
const expected = readJson<Expected>(path.join(SMALL_FIXTURE_DIR, 'expected.json'));

const seen = new Set<string>();
const accepted: AcceptedEvent[] = [];
const actual: (Disposition & { message: string | null })[] = records.map((record, i) => {
  const result = parseKafkaRecord(record, { receivedAt: RECEIVED_AT });
  const line = i + 1;
  if (!result.ok) return { line, disposition: 'rejected', reason: result.reason, message: result.message };
  const key = eventIdentity(result.event);
  if (seen.has(key)) return { line, disposition: 'duplicate', reason: null, message: null };
  seen.add(key);
  accepted.push(result.event);
  return { line, disposition: 'accepted', reason: null, message: null };
});

describe('fixture small through parseKafkaRecord', () => {
  it('has one disposition per record', () => {
    expect(records).toHaveLength(dispositions.length);
  });

  it('gives every record the disposition and reason of dispositions.jsonl', () => {
    const mismatches = actual
      .filter((a, i) => a.disposition !== dispositions[i]!.disposition || a.reason !== dispositions[i]!.reason)
      .map((a) => ({ actual: a, expected: dispositions[a.line - 1], record: records[a.line - 1]!.value.slice(0, 300) }));
    expect(mismatches).toEqual([]);
  });

  it('counts rejections per reason and duplicates as expected.json', () => {
    const rejected: Partial<Record<ReasonCode, number>> = {};
    for (const a of actual) if (a.reason) rejected[a.reason] = (rejected[a.reason] ?? 0) + 1;
    expect(rejected).toEqual(expected.rejected);
    expect(actual.filter((a) => a.disposition === 'duplicate')).toHaveLength(expected.duplicates);
    expect(Object.keys(expected.rejected).every((r) => (REASON_CODES as readonly string[]).includes(r))).toBe(true);
  });

  it('explains every rejection with an instruction', () => {
    for (const a of actual.filter((x) => x.disposition === 'rejected')) {
      expect(a.message).toMatch(/: (send|set|publish|report) /);
    }
  });

  it('rejects as too_large exactly the records over 256 KiB', () => {
    actual.forEach((a, i) => {
      expect(Buffer.byteLength(records[i]!.value, 'utf8') > MAX_EVENT_BYTES).toBe(a.reason === 'too_large');
    });
  });

  it('sees the future_dated records far in the future, not borderline', () => {
    for (const a of actual.filter((x) => x.reason === 'future_dated')) expect(a.message).toMatch(/^data\.\w+ 203\d-/);
    // Accepted effective dates reach 2026-10-21 and rejected ones start in 2031: any arrival day
    // in between gives the same dispositions.
    for (const receivedAt of [new Date('2026-10-20T12:00:00Z'), new Date('2030-12-31T12:00:00Z')]) {
      const reasons = records.map((record) => {
        const result = parseKafkaRecord(record, { receivedAt });
        return result.ok ? null : result.reason;
      });
      expect(reasons).toEqual(actual.map((a) => a.reason));
    }
  });

  it('accepts events in both content modes on every source topic', () => {
    const modes = new Set(records.map((r, i) => `${r.topic} ${actual[i]!.disposition === 'rejected' ? '' : r.headers['content-type']}`));
    for (const topic of ['siliconalley.enterprise.v1', 'siliconalley.certification.v1', 'siliconalley.task.v1']) {
      expect(modes).toContain(`${topic} application/cloudevents+json`);
      expect(modes).toContain(`${topic} application/json`);
    }
  });

  it('gives the tasks completed of expected.json from the accepted task reports', () => {
    const reports = accepted.filter((e): e is TaskProgressReported => e.type === 'task.progress.reported');
    for (const [d, count] of Object.entries(expected.tasksCompleted)) expect([d, tasksCompletedOn(reports, d)]).toEqual([d, count]);
  });
});
