// Counts of records by topic and intended disposition (reason for rejections): the CLI's summary
// and what a test compares with ingestion's dispositions.
import type { SimulatedRecord } from './records';

export interface Tally {
  records: number;
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
  byTopic: Record<string, { accepted: number; duplicate: number; rejected: number }>;
}

export function emptyTally(): Tally {
  return { records: 0, accepted: 0, duplicates: 0, rejected: {}, byTopic: {} };
}

export function count(t: Tally, record: SimulatedRecord): void {
  t.records += 1;
  const topic = (t.byTopic[record.topic] ??= { accepted: 0, duplicate: 0, rejected: 0 });
  topic[record.intended] += 1;
  if (record.intended === 'accepted') t.accepted += 1;
  else if (record.intended === 'duplicate') t.duplicates += 1;
  else t.rejected[record.reason!] = (t.rejected[record.reason!] ?? 0) + 1;
}

export function tally(records: Iterable<SimulatedRecord>): Tally {
  const t = emptyTally();
  for (const r of records) count(t, r);
  return t;
}
