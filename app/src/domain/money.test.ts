import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import {
  allocate,
  applyRate,
  cashRoundingFor,
  currencyExponent,
  divideRounded,
  extendPrice,
  formatDecimal,
  formatMoney,
  mulDiv,
  parseDecimal,
  parseMoney,
  parsePercent,
  parseQuantity,
  roundCash,
  roundToIncrement,
  ROUNDING_MODES,
  type RoundingMode,
} from './money.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('currencyExponent (ISO 4217)', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['CNY', 2],
    ['CHF', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['CLF', 4],
  ])('%s has exponent %i', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  it.each(['usd', 'XXX', '', 'EURO'])('refuses unknown currency %j', (code) => {
    expect(codeOf(() => currencyExponent(code))).toBe('unknown_currency');
  });
});

describe('divideRounded: every mode on the interesting fractions', () => {
  // numerator/denominator → expected per mode: [half-up, half-down, half-even, up, down, ceiling, floor]
  const table: [bigint, bigint, number[]][] = [
    [25n, 10n, [3, 2, 2, 3, 2, 3, 2]], // 2.5
    [35n, 10n, [4, 3, 4, 4, 3, 4, 3]], // 3.5
    [-25n, 10n, [-3, -2, -2, -3, -2, -2, -3]], // -2.5
    [26n, 10n, [3, 3, 3, 3, 2, 3, 2]], // 2.6
    [24n, 10n, [2, 2, 2, 3, 2, 3, 2]], // 2.4
    [-24n, 10n, [-2, -2, -2, -3, -2, -2, -3]], // -2.4
    [20n, 10n, [2, 2, 2, 2, 2, 2, 2]], // exact
    [1n, 3n, [0, 0, 0, 1, 0, 1, 0]],
    [-1n, 3n, [0, 0, 0, -1, 0, 0, -1]],
    [5n, -2n, [-3, -2, -2, -3, -2, -2, -3]], // negative denominator = -2.5
  ];
  const modes: RoundingMode[] = ['half-up', 'half-down', 'half-even', 'up', 'down', 'ceiling', 'floor'];
  for (const [n, d, expected] of table) {
    it.each(modes.map((mode, i) => [mode, expected[i]!] as const))(`${n}/${d} %s → %i`, (mode, value) => {
      expect(Number(divideRounded(n, d, mode))).toBe(value);
    });
  }
});

describe('mulDiv', () => {
  it.each([
    [1999, 3, 2, 'half-up', 2999], // 2998.5
    [1999, 3, 2, 'half-even', 2998],
    [1999, 3, 2, 'down', 2998],
    [-1999, 3, 2, 'half-up', -2999],
    [-1999, 3, 2, 'floor', -2999],
    [-1999, 3, 2, 'ceiling', -2998],
    [1, 1, 3, 'up', 1],
    [-1, 1, 3, 'down', 0],
  ] as const)('%i × %i ÷ %i (%s) = %i', (a, b, c, mode, expected) => {
    expect(mulDiv(a, b, c, mode)).toBe(expected);
  });

  // (2^53−1) ÷ (2^53−2) = 1.000…0001: a remainder of 1 over a divisor near 2^53.
  it.each([
    ['up', 2],
    ['ceiling', 2],
    ['down', 1],
    ['half-up', 1],
  ] as const)('(2^53−1) ÷ (2^53−2) rounds exactly (%s → %i)', (mode, expected) => {
    const n = Number.MAX_SAFE_INTEGER;
    expect(mulDiv(n, 1, n - 1, mode)).toBe(expected);
    expect(mulDiv(-n, 1, n - 1, mode === 'ceiling' ? 'floor' : mode)).toBe(-expected);
  });

  // Boundary cases of the plain-number path: quotients and remainders at the top of the safe range.
  it.each([
    ['down', 4503599627370495],
    ['half-down', 4503599627370495],
    ['half-even', 4503599627370496],
    ['up', 4503599627370496],
  ] as const)('(2^53−1) ÷ 2 rounds exactly (%s)', (mode, expected) => {
    expect(mulDiv(Number.MAX_SAFE_INTEGER, 1, 2, mode)).toBe(expected);
  });

  it('is exact beyond 2^53 intermediate products (BigInt path)', () => {
    // 9e15 × 1e6 overflows doubles; the exact answer is 9e15 × 0.088750 = 798750000000000.
    expect(mulDiv(9_000_000_000_000_000 / 1000, 88_750, 1_000_000, 'half-up')).toBe(798_750_000_000);
  });

  it('refuses results outside the safe integer range', () => {
    expect(codeOf(() => mulDiv(Number.MAX_SAFE_INTEGER, 3, 1, 'half-up'))).toBe('amount_out_of_range');
  });

  it('never returns negative zero', () => {
    expect(Object.is(mulDiv(-1, 1, 3, 'half-up'), 0)).toBe(true);
  });

  it('agrees with exact rational rounding for every mode (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(...ROUNDING_MODES),
        (a, b, c, mode) => {
          expect(mulDiv(a, b, c, mode)).toBe(Number(divideRounded(BigInt(a) * BigInt(b), BigInt(c), mode)));
        },
      ),
    );
  });
});

describe('parseDecimal and parseMoney', () => {
  it.each([
    ['12.34', 2, 1234],
    ['12.3', 2, 1230],
    ['12', 2, 1200],
    ['0.05', 2, 5],
    ['  7.5 ', 2, 750],
    ['1200', 0, 1200],
    ['0.125', 3, 125],
    ['0', 2, 0],
  ])('%j at scale %i → %i', (text, scale, expected) => {
    expect(parseDecimal(text, scale)).toBe(expected);
  });

  it.each([
    ['12.345', 2, 'invalid_decimal'], // never silently rounded
    ['1e3', 2, 'invalid_decimal'],
    ['1,000.00', 2, 'invalid_decimal'],
    ['', 2, 'invalid_decimal'],
    ['.5', 2, 'invalid_decimal'],
    ['5.', 2, 'invalid_decimal'],
    ['abc', 2, 'invalid_decimal'],
    ['-3.00', 2, 'invalid_decimal'], // negative needs allowNegative
    ['NaN', 2, 'invalid_decimal'],
    ['99999999999999999', 2, 'amount_out_of_range'],
  ])('refuses %j at scale %i with %s', (text, scale, code) => {
    expect(codeOf(() => parseDecimal(text, scale))).toBe(code);
  });

  it('accepts negatives when asked to', () => {
    expect(parseDecimal('-3.05', 2, { allowNegative: true })).toBe(-305);
  });

  it.each([
    ['12.34', 'USD', 1234],
    ['1200', 'JPY', 1200],
    ['1.234', 'KWD', 1234],
  ])('parseMoney(%j, %s) = %i', (text, currency, expected) => {
    expect(parseMoney(text, currency)).toBe(expected);
  });

  it('refuses yen with decimals and unknown currencies', () => {
    expect(codeOf(() => parseMoney('12.5', 'JPY'))).toBe('invalid_decimal');
    expect(codeOf(() => parseMoney('12.50', 'ABC'))).toBe('unknown_currency');
  });

  it('round-trips through formatMoney (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.constantFrom('USD', 'JPY', 'KWD', 'CLF'),
        (amount, currency) => {
          expect(parseMoney(formatMoney(amount, currency), currency, { allowNegative: true })).toBe(amount);
        },
      ),
    );
  });

  it.each([
    [1234, 2, '12.34'],
    [5, 2, '0.05'],
    [-5, 2, '-0.05'],
    [1200, 0, '1200'],
    [0, 3, '0.000'],
  ])('formatDecimal(%i, %i) = %j', (value, scale, expected) => {
    expect(formatDecimal(value, scale)).toBe(expected);
  });
});

describe('quantities and rates', () => {
  it.each([
    ['1', 1000],
    ['0.375', 375],
    ['2.5', 2500],
  ])('parseQuantity(%j) = %i thousandths', (text, expected) => {
    expect(parseQuantity(text)).toBe(expected);
  });

  it.each(['0', '0.000', '-1', '0.0005'])('refuses quantity %j', (text) => {
    expect(codeOf(() => parseQuantity(text))).toMatch(/invalid_quantity|invalid_decimal/);
  });

  it.each([
    ['8.875', 88_750],
    ['20', 200_000],
    ['13%', 130_000],
    ['0.0001', 1],
    ['100', 1_000_000],
  ])('parsePercent(%j) = %i millionths', (text, expected) => {
    expect(parsePercent(text)).toBe(expected);
  });

  it('refuses percentages over 100', () => {
    expect(codeOf(() => parsePercent('100.01'))).toBe('invalid_rate');
  });

  it('extends a weighed price once: 0.375 kg at 12.99/kg = 4.87 (4.87125)', () => {
    expect(extendPrice(1299, 375)).toBe(487);
  });

  it('applies 8.875 % to 10.00 = 0.89 (0.8875, half-up)', () => {
    expect(applyRate(1000, 88_750, 'half-up')).toBe(89);
    expect(applyRate(1000, 88_750, 'down')).toBe(88);
  });
});

describe('allocate (largest remainder)', () => {
  it.each([
    [100, [1, 1, 1], [34, 33, 33]],
    [-100, [1, 1, 1], [-34, -33, -33]],
    [10, [3, 7], [3, 7]],
    [5, [0, 0], [3, 2]], // all-zero weights split evenly, earlier first
    [7, [0, 5], [0, 7]],
    [1, [1, 1, 1], [1, 0, 0]],
    [0, [1, 2], [0, 0]],
    [1000, [333, 333, 334], [333, 333, 334]],
  ])('allocate(%i, %j) = %j', (total, weights, expected) => {
    expect(allocate(total, weights)).toEqual(expected);
  });

  it('refuses negative weights and non-zero over nothing', () => {
    expect(() => allocate(10, [1, -1])).toThrow(RangeError);
    expect(() => allocate(10, [])).toThrow(RangeError);
    expect(allocate(0, [])).toEqual([]);
  });

  it('matches an exact BigInt largest-remainder reference, also past 2^53 products (property)', () => {
    const reference = (total: number, weights: number[]): number[] => {
      const ws = weights.every((w) => w === 0) ? weights.map(() => 1n) : weights.map(BigInt);
      const sum = ws.reduce((a, b) => a + b, 0n);
      const mag = BigInt(Math.abs(total));
      const parts = ws.map((w) => (mag * w) / sum);
      let left = mag - parts.reduce((a, b) => a + b, 0n);
      const order = ws
        .map((w, i) => ({ i, rem: (mag * w) % sum }))
        .sort((x, y) => (x.rem === y.rem ? x.i - y.i : x.rem > y.rem ? -1 : 1));
      for (const { i } of order) {
        if (left === 0n) break;
        parts[i]! += 1n;
        left -= 1n;
      }
      return parts.map((p) => {
        const v = Number(total < 0 ? -p : p);
        return v === 0 ? 0 : v;
      });
    };
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e15, max: 1e15 })),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 1e12 })), {
          minLength: 1,
          maxLength: 20,
        }),
        (total, weights) => {
          expect(allocate(total, weights)).toEqual(reference(total, weights));
        },
      ),
    );
  });

  it('parts always sum to the whole, and each part is within 1 of its exact share (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 50 }),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts.reduce((s, p) => s + p, 0)).toBe(total);
          const sum = weights.reduce((s, w) => s + w, 0);
          const effective = sum === 0 ? weights.map(() => 1) : weights;
          const effectiveSum = sum === 0 ? weights.length : sum;
          parts.forEach((part, i) => {
            const exact = (total * effective[i]!) / effectiveSum;
            expect(Math.abs(part - exact)).toBeLessThan(1 + 1e-6);
          });
        },
      ),
    );
  });
});

describe('cash rounding per market', () => {
  it.each([
    ['CHF', 1232, 1230, -2],
    ['CHF', 1233, 1235, 2],
    ['CHF', 1237, 1235, -2],
    ['CHF', 1238, 1240, 2],
    ['CHF', 1235, 1235, 0],
    ['SEK', 12350, 12400, 50], // whole kronor, half-up
    ['SEK', 12349, 12300, -49],
    ['DKK', 1224, 1200, -24], // 50 øre
    ['DKK', 1225, 1250, 25],
    ['USD', 1237, 1237, 0], // no cash rounding
    ['JPY', 1237, 1237, 0],
  ])('%s due %i → collect %i (adjustment %i)', (currency, due, amount, adjustment) => {
    expect(roundCash(due, cashRoundingFor(currency))).toEqual({ amount, adjustment });
  });

  it('refunds round symmetrically: −12.33 CHF → −12.35', () => {
    expect(roundCash(-1233, cashRoundingFor('CHF')).amount).toBe(-1235);
  });

  it('roundToIncrement refuses a zero increment', () => {
    expect(() => roundToIncrement(10, 0, 'half-up')).toThrow(RangeError);
  });

  it('always lands on a multiple of the increment within half an increment (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.constantFrom(5, 10, 50, 100), (due, increment) => {
        const { amount } = roundCash(due, { increment, mode: 'half-even' });
        expect(amount % increment === 0).toBe(true);
        expect(Math.abs(amount - due) * 2).toBeLessThanOrEqual(increment);
      }),
    );
  });
});
