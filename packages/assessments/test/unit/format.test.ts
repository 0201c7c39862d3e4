import { decimal, niceAxis, percent, points, thousands } from '../../src/format';

describe('number formatting for people', () => {
  it('shows shares as percentages and ratios to two decimals', () => {
    expect(percent(0.21656)).toBe('21.66%');
    expect(percent(0.1)).toBe('10.00%');
    expect(percent(null)).toBe('—');
    expect(decimal(1.6912)).toBe('1.69');
    expect(decimal(0.75)).toBe('0.75');
    expect(decimal(20)).toBe('20');
    expect(points(0.0078431)).toBe('0.78 pp');
  });

  it('groups thousands without relying on the locale', () => {
    expect(thousands(0)).toBe('0');
    expect(thousands(999)).toBe('999');
    expect(thousands(1234)).toBe('1,234');
    expect(thousands(1234567)).toBe('1,234,567');
    expect(thousands(-1234.56, 1)).toBe('-1,234.6');
    expect(thousands(-0.01)).toBe('0');
    expect(thousands(undefined)).toBe('—');
    expect(decimal(12345)).toBe('12,345');
  });
});

describe('nice axes', () => {
  it('widens a share domain to whole steps and labels them without stray decimals', () => {
    const axis = niceAxis(0.271, 0.334, 5, 'percent');
    expect(axis.domain[0]).toBeLessThanOrEqual(0.271);
    expect(axis.domain[1]).toBeGreaterThanOrEqual(0.334);
    expect(axis.ticks.map(axis.format)).toEqual(['27%', '28%', '29%', '30%', '31%', '32%', '33%', '34%']);
  });

  it('labels counts with separators and copes with a flat domain', () => {
    const axis = niceAxis(0, 12_345, 5, 'number');
    expect(axis.ticks.map(axis.format)).toEqual(['0', '2,000', '4,000', '6,000', '8,000', '10,000', '12,000', '14,000']);
    expect(niceAxis(0.1, 0.1, 5, 'percent').domain[0]).toBeLessThan(0.1);
    expect(niceAxis(0, 0, 5, 'number').domain).toEqual([0, 1]);
  });
});
