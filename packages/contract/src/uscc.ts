// The Unified Social Credit Code (统一社会信用代码), GB 32100-2015 (events.md "Payloads").

/** The 31 characters a USCC may use, in value order (0..30): no I, O, S, V or Z. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const USCC_LENGTH = 18;
/** w_i = 3^(i−1) mod 31 for the first 17 characters. */
export const USCC_WEIGHTS: readonly number[] = Array.from({ length: USCC_LENGTH - 1 }, (_, i) => 3 ** i % 31);

/** For JSON Schema: the shape only (the check character cannot be expressed there). */
export const USCC_PATTERN = `^[${USCC_ALPHABET.replace('0123456789', '0-9')}]{${USCC_LENGTH}}$`;

/**
 * The check character for the first 17 characters of a code: 31 − (Σ w_i·v_i mod 31), with 31
 * written as 0. Null when the input is not 17 characters of the alphabet.
 */
export function usccCheckCharacter(first17: string): string | null {
  if (first17.length !== USCC_LENGTH - 1) return null;
  let sum = 0;
  for (let i = 0; i < first17.length; i += 1) {
    const value = USCC_ALPHABET.indexOf(first17.charAt(i));
    if (value < 0) return null;
    sum += (USCC_WEIGHTS[i] ?? 0) * value;
  }
  return USCC_ALPHABET.charAt((31 - (sum % 31)) % 31);
}

/** What is wrong with a code, worded for the provider; null when it is a valid USCC. */
export function usccProblem(code: string): string | null {
  if (code.length !== USCC_LENGTH) {
    return `it has ${code.length} characters; a USCC has exactly ${USCC_LENGTH}`;
  }
  if (code !== code.toUpperCase() && usccProblem(code.toUpperCase()) === null) {
    return 'it has lower-case letters; USCC letters are upper case';
  }
  const foreign = [...new Set([...code].filter((c) => !USCC_ALPHABET.includes(c)))];
  if (foreign.length > 0) {
    return `${foreign.map((c) => JSON.stringify(c)).join(', ')} cannot occur in a USCC (allowed: 0-9 and ${USCC_ALPHABET.slice(10)})`;
  }
  const expected = usccCheckCharacter(code.slice(0, USCC_LENGTH - 1));
  const actual = code.charAt(USCC_LENGTH - 1);
  return expected === actual ? null : `its check character is ${actual} but the first 17 characters give ${expected}`;
}

/**
 * Whether a code is accepted as a USCC: valid under GB 32100-2015, or listed by the operator as
 * a known legacy code (exact match).
 */
export function isValidUscc(code: string, legacyUsccAllowList?: ReadonlySet<string>): boolean {
  return usccProblem(code) === null || (legacyUsccAllowList?.has(code) ?? false);
}
