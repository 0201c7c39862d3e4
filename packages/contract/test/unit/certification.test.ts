import { certificateValidUntil, DEFAULT_CERTIFICATE_YEARS } from '../../src';

describe('certificateValidUntil', () => {
  it('is validUntil when sent', () => {
    expect(certificateValidUntil({ validFrom: '2025-10-16', validUntil: '2028-04-03' })).toBe('2028-04-03');
  });

  it('is validFrom + 3 years − 1 day when null', () => {
    expect(DEFAULT_CERTIFICATE_YEARS).toBe(3);
    expect(certificateValidUntil({ validFrom: '2023-12-12', validUntil: null })).toBe('2026-12-11');
    expect(certificateValidUntil({ validFrom: '2024-01-01', validUntil: null })).toBe('2026-12-31');
    expect(certificateValidUntil({ validFrom: '2024-03-01', validUntil: null })).toBe('2027-02-28');
  });

  it('ends a leap-day certificate on 28 February (events.md)', () => {
    expect(certificateValidUntil({ validFrom: '2024-02-29', validUntil: null })).toBe('2027-02-28');
    expect(certificateValidUntil({ validFrom: '2025-02-28', validUntil: null })).toBe('2028-02-27');
    expect(certificateValidUntil({ validFrom: '2025-03-01', validUntil: null })).toBe('2028-02-29');
  });
});
