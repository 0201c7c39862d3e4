import { certificateValidDays, certificateValidOn, compareTimeThenId, dayNumber, FOREVER, isoDate, resolveFirmHistory } from '../../src';
import { deregistered, granted, IN_QL_EXT, IN_QL_START, NO_ZONE, registered, revoked, updated } from '../builders';

const span = (from: number, to: number): [string, string] => [isoDate(from), to === FOREVER ? 'open' : isoDate(to)];

describe('resolveFirmHistory — enterprise', () => {
  it('has no states while no registration is known, but keeps certificates', () => {
    const history = resolveFirmHistory([granted({ kind: 'HNTE', validFrom: '2020-01-01' })]);
    expect(history.establishedOn).toBeNull();
    expect(history.states).toEqual([]);
    expect(history.certificates).toHaveLength(1);
  });

  it('takes the registration with the latest time as base record, establishedOn included', () => {
    const history = resolveFirmHistory([
      registered({ establishedOn: '2020-01-01', districtCode: '110105' }, { time: '2021-01-01T00:00:00Z' }),
      registered({ establishedOn: '2019-06-01' }, { time: '2021-01-02T00:00:00Z' }),
      registered({ establishedOn: '2018-01-01' }, { time: '2020-12-31T00:00:00+08:00' }),
    ]);
    expect(history.establishedOn).toBe(dayNumber('2019-06-01'));
    expect(history.states.map((s) => [...span(s.from, s.to), s.districtCode])).toEqual([['2019-06-01', 'open', '110101']]);
  });

  it('compares time as an instant and breaks ties by id', () => {
    // 2021-01-01T09:00+08:00 is 01:00Z, earlier than 02:00Z although it sorts later as a string.
    expect(compareTimeThenId({ time: '2021-01-01T09:00:00+08:00', id: 'b' }, { time: '2021-01-01T02:00:00Z', id: 'a' })).toBeLessThan(0);
    expect(compareTimeThenId({ time: '2021-01-01t03:00:00z', id: 'a' }, { time: '2021-01-01T02:00:00Z', id: 'b' })).toBeGreaterThan(0);
    const history = resolveFirmHistory([
      registered({ establishedOn: '2020-01-01', focusIndustry: 'AI' }, { time: '2021-01-01T00:00:00Z', id: 'r-2' }),
      registered({ establishedOn: '2020-01-01', focusIndustry: 'METAVERSE' }, { time: '2021-01-01T00:00:00Z', id: 'r-10' }),
    ]);
    expect(history.states[0]!.focusIndustry).toBe('AI'); // 'r-2' > 'r-10' as strings
  });

  it('applies updates in effective-date order, whatever the arrival order', () => {
    const history = resolveFirmHistory([
      updated('2023-01-01', { site: IN_QL_EXT }),
      registered({ establishedOn: '2020-01-01', site: IN_QL_START }),
      updated('2022-01-01', { districtCode: '110105' }),
    ]);
    expect(history.states.map((s) => [...span(s.from, s.to), s.districtCode, s.site])).toEqual([
      ['2020-01-01', '2022-01-01', '110101', IN_QL_START],
      ['2022-01-01', '2023-01-01', '110105', IN_QL_START],
      ['2023-01-01', 'open', '110105', IN_QL_EXT],
    ]);
  });

  it('orders same-day updates by time then id, after the base record', () => {
    const history = resolveFirmHistory([
      updated('2020-01-01', { site: NO_ZONE }, { time: '2020-01-01T10:00:00Z', id: 'u-1' }),
      updated('2020-01-01', { site: IN_QL_EXT }, { time: '2020-01-01T09:00:00Z', id: 'u-9' }),
      registered({ establishedOn: '2020-01-01', site: IN_QL_START }, { time: '2020-03-01T00:00:00Z' }),
    ]);
    expect(history.states).toHaveLength(1);
    expect(history.states[0]!.site).toBe(NO_ZONE);
  });

  it('ignores changes effective before establishedOn', () => {
    const history = resolveFirmHistory([
      registered({ establishedOn: '2020-06-01' }),
      updated('2020-05-31', { districtCode: '110105' }),
      deregistered('2019-01-01'),
    ]);
    expect(history.states.map((s) => [...span(s.from, s.to), s.districtCode])).toEqual([['2020-06-01', 'open', '110101']]);
  });

  it('changes only the keys present; focusIndustry may change to null', () => {
    const history = resolveFirmHistory([
      registered({ establishedOn: '2020-01-01', focusIndustry: 'AI', name: 'A' }),
      updated('2021-01-01', { focusIndustry: null }),
      updated('2022-01-01', { name: 'B' }),
    ]);
    expect(history.states.map((s) => [s.name, s.focusIndustry, s.districtCode])).toEqual([
      ['A', 'AI', '110101'],
      ['A', null, '110101'],
      ['B', null, '110101'],
    ]);
  });

  it('ends activity on the deregistration day; later changes do not matter', () => {
    const history = resolveFirmHistory([
      registered({ establishedOn: '2020-01-01' }),
      deregistered('2024-05-01'),
      updated('2024-05-01', { districtCode: '110105' }, { time: '2024-05-01T23:00:00Z' }),
      updated('2025-01-01', { districtCode: '110101' }),
      deregistered('2026-01-01'),
    ]);
    expect(history.states.map((s) => span(s.from, s.to))).toEqual([['2020-01-01', '2024-05-01']]);
  });

  it('a deregistration on establishedOn leaves no active day', () => {
    expect(resolveFirmHistory([registered({ establishedOn: '2020-01-01' }), deregistered('2020-01-01')]).states).toEqual([]);
  });
});

describe('resolveFirmHistory — certificates', () => {
  const only = (events: Parameters<typeof resolveFirmHistory>[0]) => {
    const { certificates } = resolveFirmHistory(events);
    expect(certificates).toHaveLength(1);
    return certificates[0]!;
  };

  it('defaults validUntil to three years minus a day', () => {
    const cert = only([granted({ kind: 'HNTE', validFrom: '2024-02-29' })]);
    expect(isoDate(cert.validUntil)).toBe('2027-02-28');
    expect(cert.revokedOn).toBe(FOREVER);
  });

  it('lets the latest grant (time, then id) of the same (kind, certificateNo) correct it', () => {
    const cert = only([
      granted({ kind: 'HNTE', validFrom: '2020-01-01', level: 'municipal' }, { time: '2020-02-01T00:00:00Z' }),
      granted({ kind: 'HNTE', validFrom: '2020-03-01', validUntil: '2021-03-01' }, { time: '2020-02-02T00:00:00Z' }),
    ]);
    expect([isoDate(cert.validFrom), isoDate(cert.validUntil), cert.level]).toEqual(['2020-03-01', '2021-03-01', 'national']);
  });

  it('keeps certificates of other kinds or numbers apart (a renewal is a new certificateNo)', () => {
    const { certificates } = resolveFirmHistory([
      granted({ kind: 'HNTE', validFrom: '2020-01-01', certificateNo: 'GR1' }),
      granted({ kind: 'HNTE', validFrom: '2023-01-01', certificateNo: 'GR2' }),
      granted({ kind: 'SRDI_SME', validFrom: '2020-01-01', certificateNo: 'GR1' }),
    ]);
    expect(certificates).toHaveLength(3);
  });

  it('takes the earliest revocation, also one that arrived before the grant', () => {
    const cert = only([
      revoked({ kind: 'HNTE', effectiveOn: '2022-05-20' }),
      granted({ kind: 'HNTE', validFrom: '2020-01-01' }),
      revoked({ kind: 'HNTE', effectiveOn: '2021-05-20' }),
    ]);
    expect(isoDate(cert.revokedOn)).toBe('2021-05-20');
    expect(certificateValidOn(cert, dayNumber('2021-05-19'))).toBe(true);
    expect(certificateValidOn(cert, dayNumber('2021-05-20'))).toBe(false);
  });

  it('ignores a revocation of another certificate and one without any grant', () => {
    const { certificates } = resolveFirmHistory([
      granted({ kind: 'HNTE', validFrom: '2020-01-01' }),
      revoked({ kind: 'HNTE', certificateNo: 'OTHER', effectiveOn: '2020-06-01' }),
      revoked({ kind: 'SRDI_SME', effectiveOn: '2020-06-01' }),
    ]);
    expect(certificates.map((c) => c.revokedOn)).toEqual([FOREVER]);
  });

  it('valid days are [validFrom, min(validUntil + 1, revokedOn)), empty when revoked before validFrom', () => {
    const cert = only([granted({ kind: 'HNTE', validFrom: '2020-01-01', validUntil: '2020-12-31' })]);
    expect(certificateValidDays(cert)).toEqual({ from: dayNumber('2020-01-01'), to: dayNumber('2021-01-01') });
    expect(certificateValidOn(cert, dayNumber('2020-12-31'))).toBe(true);
    expect(certificateValidOn(cert, dayNumber('2021-01-01'))).toBe(false);
    expect(certificateValidDays({ ...cert, revokedOn: dayNumber('2020-01-01') })).toBeNull();
  });
});
