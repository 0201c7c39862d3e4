// The data-quality count "certificates without a known firm" on any day, kept as firms change
// (assessments' uncoveredCertificates is the rule), so a read costs O(log days) instead of a pass
// over every held event.
import { uncoveredCertificates } from '@siliconalley/assessments';
import type { FirmEvent, IsoDate } from '@siliconalley/contract';
import { dayNumber, FenwickForest } from '@siliconalley/kpi-engine';

// The days answered exactly (an assessment's cut-off, a certificate granted decades ago); ~290 KB.
// Facts before the first day hold from it; a day after the last is answered as the last.
const FIRST_DAY = dayNumber('1900-01-01');
const DAYS = dayNumber('2099-12-31') - FIRST_DAY + 1;

export class CertificatesWithoutFirmCount {
  private readonly counts = new FenwickForest(1, DAYS);
  /** Per firm that has any, its intervals as [from, to) day indexes (to = DAYS: open-ended). */
  private readonly firms = new Map<string, Int32Array>();

  /** Replaces the firm's intervals by those of ALL of its events. */
  setFirm(uscc: string, events: readonly FirmEvent[]): void {
    const packed: number[] = [];
    for (const { from, to } of uncoveredCertificates(events)) {
      const start = clamp(dayNumber(from) - FIRST_DAY);
      const end = to === null ? DAYS : clamp(dayNumber(to) - FIRST_DAY);
      if (start < end) packed.push(start, end);
    }
    this.removeFirm(uscc);
    if (packed.length === 0) return;
    const intervals = Int32Array.from(packed);
    this.apply(intervals, +1);
    this.firms.set(uscc, intervals);
  }

  removeFirm(uscc: string): void {
    const previous = this.firms.get(uscc);
    if (previous === undefined) return;
    this.apply(previous, -1);
    this.firms.delete(uscc);
  }

  countOn(day: IsoDate): number {
    const index = dayNumber(day) - FIRST_DAY;
    if (index < 0) return 0;
    return this.counts.prefixSum(0, Math.min(index, DAYS - 1));
  }

  private apply(intervals: Int32Array, sign: 1 | -1): void {
    for (let i = 0; i < intervals.length; i += 2) {
      this.counts.add(0, intervals[i]!, sign);
      if (intervals[i + 1]! < DAYS) this.counts.add(0, intervals[i + 1]!, -sign);
    }
  }
}

const clamp = (index: number): number => Math.max(0, Math.min(index, DAYS));
