// One parsing of a query string (400 with every issue) and one expansion of a series' dates, shared
// by the indicator and the gateway.
import { HttpProblem } from '@siliconalley/http';
import { MAX_DAILY_POINTS, parseQuery, seriesDates, seriesQuery } from '../../src';

const now = () => new Date('2026-11-26T04:00:00Z');

describe('parseQuery', () => {
  it('answers the parsed query, defaults applied', () => {
    expect(parseQuery(seriesQuery(now), { query: { id: 'qualified_firms', scope: 'district', from: '2025-01-01', to: '2025-03-31' } })).toMatchObject({
      step: 'month',
    });
  });

  it('throws a 400 problem naming every issue', () => {
    let thrown: unknown;
    try {
      parseQuery(seriesQuery(now), { query: { id: 'qualified_firms', scope: 'x', from: '2025-02-30', to: '2025-03-31', extra: '1' } });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HttpProblem);
    expect((thrown as HttpProblem).status).toBe(400);
    expect((thrown as HttpProblem).message).toMatch(/scope: .*; from: must be a calendar date.*unknown parameter\(s\) `extra`/);
  });
});

describe('seriesDates', () => {
  it('lists month ends for step=month', () => {
    expect(seriesDates({ from: '2023-12-31', to: '2024-03-30', step: 'month' })).toEqual(['2023-12-31', '2024-01-31', '2024-02-29']);
  });

  it('lists every day for step=day, across a leap day', () => {
    expect(seriesDates({ from: '2024-02-27', to: '2024-03-01', step: 'day' })).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    expect(seriesDates({ from: '2024-02-27', to: '2024-02-27', step: 'day' })).toEqual(['2024-02-27']);
  });

  it(`allows ${MAX_DAILY_POINTS} days and refuses one more with a 400`, () => {
    const dates = seriesDates({ from: '2016-01-01', to: '2026-01-07', step: 'day' });
    expect(dates).toHaveLength(MAX_DAILY_POINTS);
    expect(dates.at(-1)).toBe('2026-01-07');
    expect(() => seriesDates({ from: '2016-01-01', to: '2026-01-08', step: 'day' })).toThrow(/step=day allows at most 3660 points/);
  });
});
