// Calendar days as integers (days since 1970-01-01). The calendar (parsing, month ends, leap
// years) has one home, the contract's days.ts; the engine re-exports the two conversions its API
// speaks. Calendar rules of the contract (a certificate's default validity) stay in the contract.
import { certificateValidUntil, dayNumber, isoDate } from '@siliconalley/contract';

export { dayNumber, isoDate, monthEndDaysBetween } from '@siliconalley/contract';

/** Last valid day of a certificate sent with `validUntil: null`, by the contract's rule (`certificateValidUntil`). */
export function defaultValidUntil(validFrom: number): number {
  return dayNumber(certificateValidUntil({ validFrom: isoDate(validFrom), validUntil: null }));
}
