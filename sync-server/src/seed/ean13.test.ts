import { describe, expect, it } from 'vitest';
import { ean13, ean13CheckDigit, isValidEan13 } from './ean13.ts';

describe('EAN-13 check digit', () => {
  // Check digits worked by hand: 4006381333931 — 4+0+0+6·3… see GS1's calculator for the same codes.
  it.each([
    ['400638133393', 1],
    ['590123412345', 7],
    ['000000000000', 0],
    ['978020137962', 4],
  ])('%s → %i', (first12, digit) => {
    expect(ean13CheckDigit(first12)).toBe(digit);
    expect(isValidEan13(ean13(first12))).toBe(true);
  });

  it('refuses a wrong check digit and a wrong length', () => {
    expect(isValidEan13('4006381333932')).toBe(false);
    expect(isValidEan13('400638133393')).toBe(false);
    expect(() => ean13CheckDigit('12345')).toThrow(RangeError);
  });
});
