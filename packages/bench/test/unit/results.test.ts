import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from '../../src/stats';
import { readResults, recordResults, summaryTable, throughputAgainst } from '../../src/results';

describe('bench results file', () => {
  it('keeps the latest entry of every bench and prints them as one table', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-')), 'latest.json');
    recordResults({ bench: 'b', command: 'x', ran: 'r', figures: [{ what: 'old', value: 1, unit: 'events/s' }] }, file);
    recordResults({ bench: 'a', command: 'x', ran: 'r', figures: [{ what: 'scrape p99', value: 3.5, unit: 'ms', goal: '≤ 50 ms', met: true }] }, file);
    recordResults(
      {
        bench: 'b',
        command: 'x',
        ran: 'r',
        figures: [{ what: 'ingest', value: 8000, unit: 'events/s', baseline: { what: 'raw', value: 10000 }, ratio: 0.8, goal: '≥ 0.8×', met: true }],
      },
      file,
    );
    const results = readResults(file);
    expect(Object.keys(results.benches).sort()).toEqual(['a', 'b']);
    expect(JSON.parse(readFileSync(file, 'utf8')).benches.b.figures[0].what).toBe('ingest');
    const table = summaryTable(results);
    expect(table).toContain('8,000 events/s');
    expect(table).toContain('raw: 10,000 events/s');
    expect(table).toContain('0.80×');
    expect(table).toContain('≤ 50 ms met');
    expect(table).not.toContain('old');
  });

  it('takes percentiles of unsorted samples', () => {
    expect(percentile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 0.99)).toBe(5);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('throughputAgainst', () => {
  it('divides by the baseline and meets the goal only at or above the ratio', () => {
    const base = { what: 'raw', value: 200 };
    expect(throughputAgainst('x', 100, base, { ratio: 0.5, goal: '≥ 0.5×' })).toMatchObject({ ratio: 0.5, met: true, goal: '≥ 0.5×', unit: 'events/s' });
    expect(throughputAgainst('x', 99, base, { ratio: 0.5, goal: '≥ 0.5×' }).met).toBe(false);
    expect(throughputAgainst('x', 99, base)).not.toHaveProperty('met');
  });
});
