// Test support: the shared fixtures (shared/fixtures/<name>/, described in shared/fixtures/README.md).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { eventIdentity, parseKafkaRecord, type AcceptedEvent, type IsoDate } from '@siliconalley/contract';

/** One Kafka record of events.jsonl, as it is to be published. */
export interface FixtureRecord {
  topic: string;
  key: string;
  headers: Record<string, string>;
  value: string;
}

export interface Disposition {
  /** 1-based line of events.jsonl. */
  line: number;
  disposition: 'accepted' | 'duplicate' | 'rejected';
  reason: string | null;
}

export interface ExpectedKpiEntry {
  id: string;
  scope: string;
  kind?: string;
  industry?: string;
  within?: number;
  value: number | null;
}

export interface ExpectedTarget {
  id: string;
  baseline: number;
  target: number;
  actual: number | null;
  expected: number;
  ratio: number | null;
  forecast: number | null;
  status: string;
  gapToPath?: number;
  firmsNeeded?: { toPath: number | null; toTarget: number | null };
}

export interface FixtureExpected {
  generator: { seed: number; firms: number; records: number };
  asOf: Record<IsoDate, ExpectedKpiEntry[]>;
  targets: Record<IsoDate, ExpectedTarget[]>;
  tasksCompleted: Record<IsoDate, number>;
  rejected: Record<string, number>;
  duplicates: number;
  /** T6_ZONE_SHARE's action lists (zone QL, window 180 days) per as-of date, as kpis.md defines them. */
  actions: Record<IsoDate, { renewalsDue: unknown[]; relocationCandidates: unknown[]; nextTier: unknown[] }>;
}

/** The repository root: this file is packages/testkit/{src,dist}/index.*. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** shared/ beside the repository, unless SHARED_DIR says otherwise (CI lays a copy there). */
export function sharedDir(): string {
  return process.env['SHARED_DIR'] ?? path.resolve(REPO_ROOT, '../shared');
}

export function fixtureDir(name: string): string {
  return path.join(sharedDir(), 'fixtures', name);
}

function readJsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** events.jsonl: one record per line, in arrival order. */
export function loadFixtureRecords(name: string): FixtureRecord[] {
  return readJsonLines<FixtureRecord>(path.join(fixtureDir(name), 'events.jsonl'));
}

/** dispositions.jsonl: for debugging only — the system must work dispositions out by itself. */
export function loadDispositions(name: string): Disposition[] {
  return readJsonLines<Disposition>(path.join(fixtureDir(name), 'dispositions.jsonl'));
}

export function loadExpected(name: string): FixtureExpected {
  return JSON.parse(readFileSync(path.join(fixtureDir(name), 'expected.json'), 'utf8')) as FixtureExpected;
}

/** The moment the fixture's records are taken to arrive (its future_dated records are years ahead). */
export const FIXTURE_ARRIVAL = new Date('2026-11-26T12:00:00Z');

/**
 * The accepted events of a fixture, in arrival order: each record judged by the contract itself
 * (the same function the ingestion services use), duplicates by (source, id) skipped.
 */
export function acceptedFixtureEvents(name: string): AcceptedEvent[] {
  const seen = new Set<string>();
  const accepted: AcceptedEvent[] = [];
  for (const record of loadFixtureRecords(name)) {
    const verdict = parseKafkaRecord(record, { receivedAt: FIXTURE_ARRIVAL });
    if (!verdict.ok) continue;
    const key = eventIdentity(verdict.event);
    if (seen.has(key)) continue;
    seen.add(key);
    accepted.push(verdict.event);
  }
  return accepted;
}
export * from './synthetic';
export * from './env';
export * from './promtool';
export * from './tools';
export * from './cutter';
export * from './wire';
export * from './recorder';
export * from './scan-policy';
