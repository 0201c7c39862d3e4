// Rejection reasons (events.md "Rejections"), in checking order: a record that breaks several
// rules gets the first.

export const REASON_CODES = [
  'too_large',
  'malformed',
  'unknown_type',
  'schema_invalid',
  'invalid_uscc',
  'subject_mismatch',
  'future_dated',
  'invalid_location',
  'unauthorized_department',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Largest record value (Kafka) or event (HTTP) accepted: 256 KiB. */
export const MAX_EVENT_BYTES = 256 * 1024;

export interface Rejection {
  ok: false;
  reason: ReasonCode;
  /** For the provider: what is wrong and what to send instead. */
  message: string;
}

export function reject(reason: ReasonCode, message: string): Rejection {
  return { ok: false, reason, message };
}

export function tooLarge(bytes: number, what: string): Rejection {
  return reject(
    'too_large',
    `${what} is ${bytes} bytes, over the limit of ${MAX_EVENT_BYTES} bytes (256 KiB): send a smaller event, e.g. with shorter free texts`,
  );
}
