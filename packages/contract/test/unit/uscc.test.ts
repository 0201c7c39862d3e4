import { isValidUscc, USCC_ALPHABET, USCC_PATTERN, USCC_WEIGHTS, usccCheckCharacter, usccProblem } from '../../src';

describe('USCC (GB 32100-2015)', () => {
  it('uses 31 characters and the weights 3^(i-1) mod 31', () => {
    expect(USCC_ALPHABET).toHaveLength(31);
    expect(USCC_ALPHABET).not.toMatch(/[IOSVZ]/);
    expect(USCC_WEIGHTS).toEqual([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]);
  });

  it.each(['91110101MA01ABCD5M', '91110000802100433B', '914403001922038216', '91110108551385082Q'])('accepts %s', (code) => {
    expect(usccProblem(code)).toBeNull();
    expect(isValidUscc(code)).toBe(true);
    expect(usccCheckCharacter(code.slice(0, 17))).toBe(code.charAt(17));
    expect(code).toMatch(new RegExp(USCC_PATTERN));
  });

  it('writes a check value of 31 as 0', () => {
    // Σ w_i·v_i ≡ 0 (mod 31) for these 17 characters, so 31 − 0 = 31 → "0".
    expect(usccCheckCharacter('91110101MA01ABC0P')).toBe('0');
    expect(isValidUscc('91110101MA01ABC0P0')).toBe(true);
  });

  it('refuses a wrong check character and says which one is expected', () => {
    expect(isValidUscc('91110101MA01ABCD5N')).toBe(false);
    expect(usccProblem('91110101MA01ABCD5N')).toBe('its check character is N but the first 17 characters give M');
  });

  it('refuses lower-case letters even when the code is otherwise right', () => {
    expect(isValidUscc('91110101ma01abcd5m')).toBe(false);
    expect(usccProblem('91110101ma01abcd5m')).toMatch(/lower-case/);
  });

  it('refuses letters outside the alphabet (I, O, S, V, Z) and wrong lengths', () => {
    expect(usccProblem('91110101MAICAH25XK')).toMatch(/"I" cannot occur/);
    expect(usccProblem('91110101MAO1ABCD5M')).toMatch(/"O" cannot occur/);
    expect(usccProblem('91110101MAK9LPEF')).toMatch(/16 characters/);
    expect(usccProblem('')).toMatch(/0 characters/);
    expect(usccCheckCharacter('91110101MA01ABCD')).toBeNull();
    expect(usccCheckCharacter('91110101MA01ABCDI')).toBeNull();
  });

  it('accepts a legacy code an operator allows, and only that exact code', () => {
    const allow = new Set(['110101000123456']);
    expect(isValidUscc('110101000123456', allow)).toBe(true);
    expect(isValidUscc('110101000123457', allow)).toBe(false);
    expect(isValidUscc('110101000123456')).toBe(false);
  });
});
