import { backendFigures, backendTable, postgresAdvantage, type BackendMeasure } from '../../src/backend-comparison';
import { eventIdentity } from '@siliconalley/contract';
import { storedEventDocuments, take } from '../../src/stored-events';

describe('backend bench comparison', () => {
  const measures: BackendMeasure[] = [
    { what: 'insert', unit: 'docs/s', higherIsBetter: true, sqlite: 2000, postgresql: 3000 },
    { what: 'lookup p50', unit: 'ms', higherIsBetter: false, sqlite: 10, postgresql: 40, n: { sqlite: 12, postgresql: 12 } },
    { what: 'stream', unit: 'docs/s', higherIsBetter: true, sqlite: 1000, postgresql: 1020 },
  ];

  it('reads the advantage the way the unit does: throughput up, latency down', () => {
    expect(postgresAdvantage(measures[0]!)).toBeCloseTo(1.5);
    expect(postgresAdvantage(measures[1]!)).toBeCloseTo(0.25);
  });

  it('prints the raw postgresql/sqlite ratio and which backend did better', () => {
    const table = backendTable(measures);
    expect(table).toMatch(/insert .*2,000 docs\/s .*3,000 docs\/s .*1\.50× .*postgresql 1\.5×/);
    expect(table).toMatch(/lookup p50 .*10\.0 ms \(n=12\) .*40\.0 ms \(n=12\) .*4\.00× .*sqlite 4\.0×/);
    expect(table).toMatch(/stream .*1\.02× .*same \(±5%\)/);
  });

  it('records PostgreSQL with SQLite as its baseline, ratio > 1 when PostgreSQL did better', () => {
    const [insert, lookup] = backendFigures(measures);
    expect(insert).toEqual({
      what: 'insert: FerretDB on PostgreSQL',
      value: 3000,
      unit: 'docs/s',
      baseline: { what: 'FerretDB on SQLite', value: 2000 },
      ratio: 1.5,
    });
    expect(lookup!.ratio).toBeCloseTo(0.25);
  });
});

describe('event-store documents for the backend bench', () => {
  it('are keyed as the store keys them, unique, with the stored shape', () => {
    const docs = take(storedEventDocuments(), 2000);
    expect(docs).toHaveLength(2000);
    expect(new Set(docs.map((d) => d._id)).size).toBe(2000);
    const d = docs[0]!;
    expect(d._id).toBe(eventIdentity(d));
    expect(d.contentMode).toBe('structured');
    expect(d.origin).toEqual({ topic: expect.stringMatching(/^siliconalley\./), partition: 0, offset: '0' });
  });

  it('are the same sequence on every run (both backends get the same documents)', () => {
    const strip = ({ receivedAt: _r, ...rest }: { receivedAt: Date }) => rest;
    expect(take(storedEventDocuments(), 50).map(strip)).toEqual(take(storedEventDocuments(), 50).map(strip));
  });
});
