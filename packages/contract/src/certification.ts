import { addDays, addYears, type IsoDate } from './dates';

/** A certificate sent without `validUntil` is valid for this many years (events.md). */
export const DEFAULT_CERTIFICATE_YEARS = 3;

/**
 * The last day a certificate is valid: `validUntil` as sent, or when null validFrom + 3 years − 1 day
 * (2023-12-12 → 2026-12-11; 2024-02-29 → 2027-02-28).
 */
export function certificateValidUntil(grant: { validFrom: IsoDate; validUntil: IsoDate | null }): IsoDate {
  return grant.validUntil ?? addDays(addYears(grant.validFrom, DEFAULT_CERTIFICATE_YEARS), -1);
}
