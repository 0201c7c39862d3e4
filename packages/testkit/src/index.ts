// Test support: the shared fixtures (shared/fixtures/<name>/, described in shared/fixtures/README.md).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AcceptedEvent, IsoDate } from '@siliconalley/contract';

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

// ---------------------------------------------------------------------------------------------
// TEMPORARY: normalisation of accepted records without the contract parser. It trusts
// dispositions.jsonl instead of validating; to be replaced by @siliconalley/contract's parser.

const TYPE_PREFIX = 'cn.gov.dongcheng.siliconalley.';

type Json = Record<string, unknown>;
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

function normaliseSite(site: Json): Json {
  return { address: site['address'], location: orNull(site['location']), buildingId: orNull(site['buildingId']) };
}

function firstDayOfPeriod(period: string): IsoDate {
  const [year, quarter] = period.split('-Q');
  return `${year}-${String((Number(quarter) - 1) * 3 + 1).padStart(2, '0')}-01`;
}

/** Optional fields → null, effective date per events.md "Order, lateness, duplicates". */
function normaliseData(type: string, data: Json): { data: Json; effectiveDate: IsoDate } {
  switch (type) {
    case 'enterprise.registered':
      return {
        effectiveDate: data['establishedOn'] as string,
        data: {
          uscc: data['uscc'],
          name: data['name'],
          establishedOn: data['establishedOn'],
          districtCode: data['districtCode'],
          site: normaliseSite(data['site'] as Json),
          industryCode: orNull(data['industryCode']),
          focusIndustry: orNull(data['focusIndustry']),
        },
      };
    case 'enterprise.updated': {
      const changes = { ...(data['changes'] as Json) };
      if (changes['site'] !== undefined) changes['site'] = normaliseSite(changes['site'] as Json);
      return { effectiveDate: data['effectiveOn'] as string, data: { uscc: data['uscc'], effectiveOn: data['effectiveOn'], changes } };
    }
    case 'enterprise.deregistered':
      return { effectiveDate: data['effectiveOn'] as string, data: { uscc: data['uscc'], effectiveOn: data['effectiveOn'], reason: data['reason'] } };
    case 'certification.granted':
      return {
        effectiveDate: data['validFrom'] as string,
        data: {
          uscc: data['uscc'],
          kind: data['kind'],
          level: orNull(data['level']),
          certificateNo: data['certificateNo'],
          validFrom: data['validFrom'],
          validUntil: orNull(data['validUntil']),
          issuer: orNull(data['issuer']),
          batch: orNull(data['batch']),
        },
      };
    case 'certification.revoked':
      return {
        effectiveDate: data['effectiveOn'] as string,
        data: {
          uscc: data['uscc'],
          kind: data['kind'],
          certificateNo: data['certificateNo'],
          effectiveOn: data['effectiveOn'],
          reason: orNull(data['reason']),
        },
      };
    case 'task.progress.reported':
      return {
        effectiveDate: firstDayOfPeriod(data['period'] as string),
        data: {
          taskId: data['taskId'],
          department: data['department'],
          departmentNormalised: data['department'], // no alias table here
          period: data['period'],
          status: data['status'],
          percentComplete: data['percentComplete'],
          narrative: orNull(data['narrative']),
        },
      };
    default:
      throw new Error(`testkit: unexpected type ${type}`);
  }
}

/** One accepted record as an AcceptedEvent: structured (value = whole event) or binary (ce_* headers, value = data). */
export function normaliseAcceptedRecord(record: FixtureRecord): AcceptedEvent {
  const value = JSON.parse(record.value) as Json;
  const binary = record.headers['ce_id'] !== undefined;
  const attr = (name: string): string => (binary ? record.headers[`ce_${name}`] : value[name]) as string;
  const type = attr('type').slice(TYPE_PREFIX.length).replace(/\.v1$/, '');
  const { data, effectiveDate } = normaliseData(type, binary ? value : (value['data'] as Json));
  return { source: attr('source'), id: attr('id'), type, time: attr('time'), subject: attr('subject'), effectiveDate, data } as unknown as AcceptedEvent;
}

/** TEMPORARY: the accepted records of a fixture (per dispositions.jsonl), normalised, in arrival order. */
export function acceptedFixtureEvents(name: string): AcceptedEvent[] {
  const records = loadFixtureRecords(name);
  return loadDispositions(name)
    .filter((d) => d.disposition === 'accepted')
    .map((d) => normaliseAcceptedRecord(records[d.line - 1]!));
}
export * from './synthetic';
export * from './env';
