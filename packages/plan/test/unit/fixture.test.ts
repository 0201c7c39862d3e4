// The fixture's accepted task reports give expected.json `tasksCompleted` on every as-of date.
import * as path from 'node:path';
import { tasksCompletedOn, type TaskReport, type TaskStatus } from '../../src';
import { readJson, readJsonLines, SMALL_FIXTURE_DIR } from '../shared-fixture';

interface FixtureRecord {
  topic: string;
  headers: Record<string, string>;
  value: string;
}
interface ReportData {
  taskId: number;
  period: string;
  status: TaskStatus;
  percentComplete: number;
}

/** Accepted task reports of the fixture (disposition from dispositions.jsonl: the contract package derives it). */
function acceptedTaskReports(): TaskReport[] {
  const records = readJsonLines<FixtureRecord>(path.join(SMALL_FIXTURE_DIR, 'events.jsonl'));
  const dispositions = readJsonLines<{ disposition: string }>(path.join(SMALL_FIXTURE_DIR, 'dispositions.jsonl'));
  return records.flatMap((record, i): TaskReport[] => {
    if (record.topic !== 'siliconalley.task.v1' || dispositions[i]?.disposition !== 'accepted') return [];
    const value = JSON.parse(record.value) as Record<string, unknown>;
    if (record.headers['content-type']?.startsWith('application/cloudevents+json')) {
      return [{ id: value.id as string, time: value.time as string, data: value.data as ReportData }];
    }
    return [{ id: record.headers.ce_id!, time: record.headers.ce_time!, data: value as unknown as ReportData }];
  });
}

describe('fixture small: tasks completed', () => {
  const reports = acceptedTaskReports();
  const expected = readJson<{ tasksCompleted: Record<string, number> }>(path.join(SMALL_FIXTURE_DIR, 'expected.json')).tasksCompleted;

  it('has task reports in both content modes', () => {
    expect(reports.length).toBeGreaterThan(200);
  });

  it.each(Object.entries(expected))('on %s: %d tasks completed', (d, count) => {
    expect(tasksCompletedOn(reports, d)).toBe(count);
  });
});
