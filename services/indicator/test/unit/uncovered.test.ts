// The maintained data-quality count agrees with the rule counted from scratch, as firms change and go.
import { CertificatesWithoutFirm } from '@siliconalley/assessments';
import type { FirmEvent } from '@siliconalley/contract';
import { CertificatesWithoutFirmCount } from '../../src/uncovered';
import { FIRM_A, FIRM_B, FIRM_C, granted, registered } from './builders';

const DAYS = ['1989-06-01', '2019-12-31', '2020-01-01', '2020-06-30', '2021-01-01', '2021-06-01', '2023-01-01', '2061-01-01'];

function recount(firms: ReadonlyMap<string, readonly FirmEvent[]>, day: string): number {
  const c = new CertificatesWithoutFirm();
  for (const events of firms.values()) for (const e of events) c.add(e);
  return c.countOn(day);
}

describe('certificates without a known firm, maintained', () => {
  it('equals the recount after every change: certificates before, after and without a registration; a firm dropped', () => {
    const kept = new CertificatesWithoutFirmCount();
    const firms = new Map<string, FirmEvent[]>();
    const change = (uscc: string, events: FirmEvent[]) => {
      firms.set(uscc, events);
      kept.setFirm(uscc, events);
      for (const day of DAYS) expect([uscc, day, kept.countOn(day)]).toEqual([uscc, day, recount(firms, day)]);
    };
    change(FIRM_A, [granted(FIRM_A, '2020-01-01', { certificateNo: 'A1' })]);
    change(FIRM_A, [...firms.get(FIRM_A)!, granted(FIRM_A, '2020-06-30', { certificateNo: 'A2' })]);
    change(FIRM_A, [...firms.get(FIRM_A)!, registered(FIRM_A, '2021-01-01')]);
    change(FIRM_B, [registered(FIRM_B, '2019-01-01'), granted(FIRM_B, '2020-01-01')]);
    change(FIRM_C, [granted(FIRM_C, '1980-01-01', { certificateNo: 'C1' }), granted(FIRM_C, '2021-06-01', { certificateNo: 'C1' })]);
    expect(kept.countOn('2020-07-01')).toBe(3); // A1, A2, C1
    firms.delete(FIRM_C);
    kept.removeFirm(FIRM_C);
    for (const day of DAYS) expect(kept.countOn(day)).toBe(recount(firms, day));
    expect(kept.countOn('2020-07-01')).toBe(2);
  });
});
