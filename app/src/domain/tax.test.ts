import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, ROUNDING_MODES, type RoundingMode } from './money.ts';
import { DomainError } from './errors.ts';
import {
  buildTaxIndex,
  computeTax,
  type TaxComputation,
  type TaxConfig,
  type TaxExemption,
  type TaxLineInput,
  type TaxRate,
} from './tax.ts';

const AT = Date.UTC(2026, 0, 15, 12);

function rate(
  id: string,
  taxClassId: string,
  millionths: number,
  extra: Partial<Pick<TaxRate, 'jurisdictionId' | 'validFrom' | 'validTo' | 'name'>> = {},
): TaxRate {
  return {
    id,
    name: extra.name ?? id,
    taxClassId,
    jurisdictionId: extra.jurisdictionId ?? 'here',
    rate: millionths,
    validFrom: extra.validFrom ?? null,
    validTo: extra.validTo ?? null,
  };
}

function config(
  rates: readonly TaxRate[],
  pricesIncludeTax: boolean,
  rounding: TaxConfig['rounding'] = 'per-line',
  roundingMode: RoundingMode = 'half-up',
): TaxConfig {
  return { jurisdictionId: 'here', pricesIncludeTax, rounding, roundingMode, rates };
}

function line(lineId: string, amount: number, taxClassId: string, categoryId = 'misc'): TaxLineInput {
  return { lineId, taxClassId, categoryId, amount };
}

/** [lineId, tax, total] per line, for compact expectations. */
function lineFigures(result: TaxComputation): [string, number, number][] {
  return [...result.lines].map(([id, l]) => [id, l.tax, l.total]);
}

function summary(result: TaxComputation): [string, number, number, number][] {
  return result.taxes.map((t) => [t.taxId, t.rate, t.base, t.amount]);
}

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

// US (Los Angeles-style stacking): state 6.25 %, county 1 %, city 1 %, all on class "general".
const US_RATES = [
  rate('state', 'general', 62_500),
  rate('county', 'general', 10_000),
  rate('city', 'general', 10_000),
  rate('state', 'general', 72_500, { jurisdictionId: 'elsewhere' }),
];
// 3 × 1.99 and a 0.45 pack of gum.
const US_LINES = [
  line('a', 199, 'general'),
  line('b', 199, 'general'),
  line('c', 199, 'general'),
  line('d', 45, 'general', 'groceries'),
];

// France: 20 % standard, 5.5 % reduced, and a 0 % class.
const EU_RATES = [
  rate('fr-20', 'standard', 200_000),
  rate('fr-5.5', 'reduced', 55_000),
  rate('fr-0', 'zero', 0),
];

describe('US sales tax, exclusive, state + county + city', () => {
  it('per-line: each line rounds each rate on its own', () => {
    const result = computeTax(US_LINES, config(US_RATES, false, 'per-line'), AT);
    // 1.99: state 12.4375 → 12, county 1.99 → 2, city 1.99 → 2; 0.45: 2.8125 → 3, 0.45 → 0, 0.45 → 0.
    expect(lineFigures(result)).toEqual([
      ['a', 16, 215],
      ['b', 16, 215],
      ['c', 16, 215],
      ['d', 3, 48],
    ]);
    expect(summary(result)).toEqual([
      ['state', 62_500, 642, 39],
      ['county', 10_000, 642, 6],
      ['city', 10_000, 642, 6],
    ]);
    expect([result.tax, result.net, result.total]).toEqual([51, 642, 693]);
  });

  it('per-invoice: each rate rounds once on 6.42, then goes back to the lines', () => {
    const result = computeTax(US_LINES, config(US_RATES, false, 'per-invoice'), AT);
    // state 6.42 × 6.25 % = 40.125 → 40 (1 more than per-line), shares 12.40/12.40/12.40/2.80
    // → floors 12,12,12,2 and the 2 left go to d (.80) then a (first of the .40 ties).
    // county and city 6.42 % = 6.42 → 6, shares 1.86 ×3 and 0.42 → 2,2,2,0.
    expect(lineFigures(result)).toEqual([
      ['a', 17, 216],
      ['b', 16, 215],
      ['c', 16, 215],
      ['d', 3, 48],
    ]);
    expect(result.lines.get('a')?.taxes).toEqual([
      { taxId: 'state', name: 'state', rate: 62_500, base: 199, amount: 13 },
      { taxId: 'county', name: 'county', rate: 10_000, base: 199, amount: 2 },
      { taxId: 'city', name: 'city', rate: 10_000, base: 199, amount: 2 },
    ]);
    expect(summary(result)).toEqual([
      ['state', 62_500, 642, 40],
      ['county', 10_000, 642, 6],
      ['city', 10_000, 642, 6],
    ]);
    expect([result.tax, result.net, result.total]).toEqual([52, 642, 694]);
  });

  it('a return line mirrors a sale line', () => {
    const result = computeTax([line('r', -199, 'general')], config(US_RATES, false), AT);
    expect(lineFigures(result)).toEqual([['r', -16, -215]]);
    expect(summary(result)).toEqual([
      ['state', 62_500, -199, -12],
      ['county', 10_000, -199, -2],
      ['city', 10_000, -199, -2],
    ]);
  });

  it('per-invoice exchange: the sale and the refund line are allocated on their own side', () => {
    const lines = [line('new', 199, 'general'), line('old', -45, 'general')];
    const result = computeTax(lines, config(US_RATES, false, 'per-invoice'), AT);
    // state on 1.54 = 9.625 → 10; the refund side alone −2.8125 → −3, so the sale side takes 13.
    // county, city on 1.54 → 2; refund side −0.45 → 0, sale side 2.
    expect(lineFigures(result)).toEqual([
      ['new', 17, 216],
      ['old', -3, -48],
    ]);
    expect(summary(result)).toEqual([
      ['state', 62_500, 154, 10],
      ['county', 10_000, 154, 2],
      ['city', 10_000, 154, 2],
    ]);
    expect(result.total).toBe(168);
  });
});

describe('EU VAT, inclusive', () => {
  it('per-line with 20 % and 5.5 % lines', () => {
    const lines = [
      line('shirt', 1200, 'standard'),
      line('pen', 349, 'standard'),
      line('bread', 215, 'reduced'),
      line('milk', 99, 'reduced'),
    ];
    const result = computeTax(lines, config(EU_RATES, true), AT);
    // 12.00/6 = 2.00; 3.49/6 = 0.5817 → 0.58; 2.15 × 5.5/105.5 = 0.1121 → 0.11; 0.99 → 0.0516 → 0.05.
    expect(lineFigures(result)).toEqual([
      ['shirt', 200, 1200],
      ['pen', 58, 349],
      ['bread', 11, 215],
      ['milk', 5, 99],
    ]);
    expect(result.lines.get('pen')?.base).toBe(291);
    expect(summary(result)).toEqual([
      ['fr-20', 200_000, 1291, 258],
      ['fr-5.5', 55_000, 298, 16],
    ]);
    expect([result.tax, result.net, result.total]).toEqual([274, 1589, 1863]);
  });

  it.each([
    // 3 × 0.10 at 20 %: per line 0.0167 → 0.02 each; per invoice 0.30/6 = 0.05 allocated 2, 2, 1.
    ['per-line', [2, 2, 2], [8, 8, 8], 6],
    ['per-invoice', [2, 2, 1], [8, 8, 9], 5],
  ] as const)('%s rounding of three 0.10 lines', (rounding, taxes, bases, tax) => {
    const lines = [line('x', 10, 'standard'), line('y', 10, 'standard'), line('z', 10, 'standard')];
    const result = computeTax(lines, config(EU_RATES, true, rounding), AT);
    expect([...result.lines.values()].map((l) => l.tax)).toEqual(taxes);
    expect([...result.lines.values()].map((l) => l.base)).toEqual(bases);
    expect([...result.lines.values()].map((l) => l.total)).toEqual([10, 10, 10]);
    expect(summary(result)).toEqual([['fr-20', 200_000, 30 - tax, tax]]);
  });

  it('an order discount spread over two classes reduces each base in the same proportion', () => {
    const cfg = config(EU_RATES, true);
    const gross = [10_000, 5_000];
    // 15.00 off the order, split by the caller in proportion to the lines: 10.00 and 5.00 (10 % each).
    const shares = allocate(1_500, gross);
    expect(shares).toEqual([1_000, 500]);
    const before = computeTax([line('a', 10_000, 'standard'), line('b', 5_000, 'reduced')], cfg, AT);
    const after = computeTax([line('a', 9_000, 'standard'), line('b', 4_500, 'reduced')], cfg, AT);
    // 100.00/1.2 = 83.33 → base 83.33; 50.00/1.055 = 47.39; after: 90.00/1.2 = 75.00; 45.00/1.055 = 42.65.
    expect(summary(before)).toEqual([
      ['fr-20', 200_000, 8_333, 1_667],
      ['fr-5.5', 55_000, 4_739, 261],
    ]);
    expect(summary(after)).toEqual([
      ['fr-20', 200_000, 7_500, 1_500],
      ['fr-5.5', 55_000, 4_265, 235],
    ]);
    // Each class keeps 90 % of its base, to the minor unit.
    expect(Math.abs(7_500 - 8_333 * 0.9)).toBeLessThan(1);
    expect(Math.abs(4_265 - 4_739 * 0.9)).toBeLessThan(1);
  });

  it('a zero-rated class is taxed at 0 and listed on the receipt', () => {
    const result = computeTax([line('kids-coat', 2_500, 'zero')], config(EU_RATES, true), AT);
    expect(result.lines.get('kids-coat')).toEqual({
      taxes: [{ taxId: 'fr-0', name: 'fr-0', rate: 0, base: 2_500, amount: 0 }],
      tax: 0,
      base: 2_500,
      exempted: 0,
      exempt: false,
      total: 2_500,
    });
    expect(summary(result)).toEqual([['fr-0', 0, 2_500, 0]]);
  });

  it('a class without a rate in the region is refused', () => {
    const error = errorOf(() => computeTax([line('x', 100, 'luxury')], config(EU_RATES, true), AT));
    expect(error.code).toBe('invalid_tax_rule');
    expect(error.message).toBe("No tax rate is set up for tax class luxury in this store's region.");
    expect(error.params).toEqual({ taxClassId: 'luxury', jurisdictionId: 'here' });
  });
});

describe('China VAT 13 % / 9 % / 6 %, inclusive (CNY)', () => {
  const CN_RATES = [
    rate('cn-13', 'goods', 130_000),
    rate('cn-9', 'food', 90_000),
    rate('cn-6', 'services', 60_000),
  ];
  it.each([
    // amount, class, tax, base: 25.00 × 13/113 = 2.8761; 8.80 × 9/109 = 0.7266; 50.00 × 6/106 = 2.8302
    ['kettle', 2_500, 'goods', 288, 2_212],
    ['rice', 880, 'food', 73, 807],
    ['repair', 5_000, 'services', 283, 4_717],
    ['fan', 11_300, 'goods', 1_300, 10_000],
  ] as const)('%s %d (%s) → tax %d, base %d', (id, amount, cls, tax, base) => {
    const result = computeTax([line(id, amount, cls)], config(CN_RATES, true), AT);
    expect(result.lines.get(id)).toMatchObject({ tax, base, total: amount });
  });

  it('a mixed cart', () => {
    const lines = [
      line('kettle', 2_500, 'goods'),
      line('rice', 880, 'food'),
      line('repair', 5_000, 'services'),
      line('fan', 11_300, 'goods'),
    ];
    const result = computeTax(lines, config(CN_RATES, true), AT);
    expect(summary(result)).toEqual([
      ['cn-13', 130_000, 12_212, 1_588],
      ['cn-9', 90_000, 807, 73],
      ['cn-6', 60_000, 4_717, 283],
    ]);
    expect([result.tax, result.net, result.total]).toEqual([1_944, 17_736, 19_680]);
  });
});

describe('Japan consumption tax 10 % / 8 % reduced, inclusive, JPY (exponent 0), truncation', () => {
  const JP_RATES = [rate('jp-10', 'standard', 100_000), rate('jp-8', 'food', 80_000)];
  const lines = [
    line('onigiri', 150, 'food'),
    line('tea', 150, 'food'),
    line('bento', 200, 'food'),
    line('pen', 105, 'standard'),
    line('tape', 105, 'standard'),
  ];
  it.each([
    // per line: 150 × 8/108 = 11.11 → 11, 200 → 14.81 → 14, 105 × 10/110 = 9.55 → 9.
    ['per-line', [11, 11, 14, 9, 9], 36, 18],
    // per invoice (qualified invoice: once per rate): 500 × 8/108 = 37.04 → 37, split 11.1/11.1/14.8
    // → 11, 11, 15; 210 × 10/110 = 19.09 → 19, split 9.5/9.5 → 10, 9.
    ['per-invoice', [11, 11, 15, 10, 9], 37, 19],
  ] as const)('%s', (rounding, taxes, food, standard) => {
    const result = computeTax(lines, config(JP_RATES, true, rounding, 'down'), AT);
    expect([...result.lines.values()].map((l) => l.tax)).toEqual(taxes);
    expect([...result.lines.values()].map((l) => l.total)).toEqual([150, 150, 200, 105, 105]);
    expect(summary(result)).toEqual([
      ['jp-10', 100_000, 210 - standard, standard],
      ['jp-8', 80_000, 500 - food, food],
    ]);
    expect(result.total).toBe(710);
  });
});

describe('rate validity windows', () => {
  // Germany's temporary VAT cut: 16 % from 2020-07-01 to 2020-12-31 (Berlin time), 19 % around it.
  const cut = Date.UTC(2020, 5, 30, 22);
  const end = Date.UTC(2020, 11, 31, 23);
  const DE_RATES = [
    rate('de-19', 'standard', 190_000, { validFrom: Date.UTC(2007, 0, 1), validTo: cut }),
    rate('de-16', 'standard', 160_000, { validFrom: cut, validTo: end }),
    rate('de-19', 'standard', 190_000, { validFrom: end }),
    rate('at-20', 'standard', 200_000, { jurisdictionId: 'AT' }),
  ];
  it.each([
    // 11.90 incl. 19 % = 1.90 tax; incl. 16 % = 11.90 × 16/116 = 1.6414 → 1.64.
    ['the last millisecond before the cut', cut - 1, 'de-19', 190],
    ['the first millisecond of the cut', cut, 'de-16', 164],
    ['the last millisecond of the cut', end - 1, 'de-16', 164],
    ['after the cut', end, 'de-19', 190],
  ])('%s', (_label, at, taxId, tax) => {
    const result = computeTax([line('x', 1_190, 'standard')], config(DE_RATES, true), at);
    expect(result.taxes.map((t) => [t.taxId, t.amount])).toEqual([[taxId, tax]]);
  });

  it('no rate in force yet is an error, not a silent 0 %', () => {
    const error = errorOf(() =>
      computeTax([line('x', 1_190, 'standard')], config(DE_RATES, true), Date.UTC(2006, 0, 1)),
    );
    expect(error.code).toBe('invalid_tax_rule');
  });

  it('the same tax id with two rates in force at once is refused', () => {
    const rates = [rate('vat', 'standard', 190_000), rate('vat', 'standard', 160_000)];
    expect(errorOf(() => computeTax([line('x', 100, 'standard')], config(rates, true), AT)).code).toBe(
      'invalid_tax_rule',
    );
  });

  it('one tax id with different rates in two classes is refused', () => {
    const rates = [rate('vat', 'standard', 190_000), rate('vat', 'reduced', 70_000)];
    const lines = [line('x', 100, 'standard'), line('y', 100, 'reduced')];
    expect(errorOf(() => computeTax(lines, config(rates, true), AT)).code).toBe('invalid_tax_rule');
  });
});

describe('exemptions', () => {
  it('a diplomat buying at VAT-inclusive prices pays the net', () => {
    const exemption: TaxExemption = { reason: 'Diplomatic card', customerTaxId: 'CD-123' };
    const lines = [line('shirt', 1_200, 'standard'), line('pen', 349, 'standard')];
    const result = computeTax(lines, config(EU_RATES, true), AT, exemption);
    expect(result.lines.get('pen')).toEqual({
      taxes: [],
      tax: 0,
      base: 291,
      exempted: 58,
      exempt: true,
      total: 291,
    });
    expect(lineFigures(result)).toEqual([
      ['shirt', 0, 1_000],
      ['pen', 0, 291],
    ]);
    expect(result.taxes).toEqual([]);
    expect([result.tax, result.net, result.exempted, result.total]).toEqual([0, 1_291, 258, 1_291]);
  });

  it.each(['per-line', 'per-invoice'] as const)('inclusive exemption, %s, pays the same net', (rounding) => {
    const result = computeTax([line('pen', 349, 'standard')], config(EU_RATES, true, rounding), AT, {
      reason: 'Export',
    });
    expect(result.total).toBe(291);
  });

  it('a resale certificate on exclusive prices: no tax at all', () => {
    const result = computeTax(US_LINES, config(US_RATES, false), AT, { reason: 'Resale certificate 12-345' });
    expect(lineFigures(result)).toEqual([
      ['a', 0, 199],
      ['b', 0, 199],
      ['c', 0, 199],
      ['d', 0, 45],
    ]);
    expect([result.tax, result.exempted, result.total]).toEqual([0, 0, 642]);
  });

  it.each<[string, TaxExemption, [string, number, number][]]>([
    [
      'an exempt category',
      { reason: 'Food stamps', exemptCategoryIds: ['groceries'] },
      [
        ['a', 16, 215],
        ['b', 16, 215],
        ['c', 16, 215],
        ['d', 0, 45],
      ],
    ],
    [
      'an exempt tax class',
      { reason: 'Nonprofit', exemptTaxClassIds: ['general'] },
      [
        ['a', 0, 199],
        ['b', 0, 199],
        ['c', 0, 199],
        ['d', 0, 45],
      ],
    ],
    [
      // county 1.99 → 2 and city 2; 0.45 → 0 and 0.
      'the state tax only',
      { reason: 'State-exempt agency', exemptTaxIds: ['state'] },
      [
        ['a', 4, 203],
        ['b', 4, 203],
        ['c', 4, 203],
        ['d', 0, 45],
      ],
    ],
    [
      'empty lists exempt nothing',
      { reason: 'Nothing listed', exemptTaxIds: [] },
      [
        ['a', 16, 215],
        ['b', 16, 215],
        ['c', 16, 215],
        ['d', 3, 48],
      ],
    ],
  ])('%s', (_label, exemption, figures) => {
    expect(lineFigures(computeTax(US_LINES, config(US_RATES, false), AT, exemption))).toEqual(figures);
  });

  it('an inclusive price with one of two taxes exempt keeps the other', () => {
    // 11.20 holds 5 % + 7 % = 1.20, split 0.50 / 0.70 by rate; exempt from the 7 %: pays 10.00 + 0.50.
    const rates = [rate('gst', 'general', 50_000), rate('pst', 'general', 70_000)];
    for (const rounding of ['per-line', 'per-invoice'] as const) {
      const result = computeTax([line('x', 1_120, 'general')], config(rates, true, rounding), AT, {
        reason: 'PST exempt',
        exemptTaxIds: ['pst'],
      });
      expect(result.lines.get('x')).toEqual({
        taxes: [{ taxId: 'gst', name: 'gst', rate: 50_000, base: 1_000, amount: 50 }],
        tax: 50,
        base: 1_000,
        exempted: 70,
        exempt: true,
        total: 1_050,
      });
    }
  });

  it('an exemption without a reason is refused', () => {
    const error = errorOf(() => computeTax(US_LINES, config(US_RATES, false), AT, { reason: '  ' }));
    expect(error.code).toBe('invalid_tax_exemption');
  });
});

describe('index and inputs', () => {
  it('a prepared index gives the same result as the configuration', () => {
    const cfg = config(US_RATES, false, 'per-invoice');
    expect(computeTax(US_LINES, buildTaxIndex(cfg), AT)).toEqual(computeTax(US_LINES, cfg, AT));
  });

  it('an empty cart has no tax', () => {
    const result = computeTax([], config(US_RATES, false), AT);
    expect([result.lines.size, result.taxes, result.tax, result.net, result.total]).toEqual([0, [], 0, 0, 0]);
  });

  it('duplicate line ids are a programming error', () => {
    expect(() =>
      computeTax([line('a', 1, 'general'), line('a', 2, 'general')], config(US_RATES, false), AT),
    ).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random configurations: up to three classes of one to three rates each, a tax id
// shared by every class (a state rate), noise from another jurisdiction and an expired rate.

interface Scenario {
  readonly config: TaxConfig;
  /** Σ rates per class, to compute exact figures independently of the engine. */
  readonly classRates: readonly (readonly number[])[];
  readonly shared: number | null;
  readonly lines: readonly TaxLineInput[];
}

const SYMMETRIC: readonly RoundingMode[] = ['half-up', 'half-down', 'half-even', 'up', 'down'];

function scenarioArb(options: { modes?: readonly RoundingMode[]; signs?: 'mixed' | 'positive' } = {}) {
  const amount =
    options.signs === 'positive'
      ? fc.integer({ min: 0, max: 2_000_000 })
      : fc.integer({ min: -2_000_000, max: 2_000_000 });
  return fc
    .record({
      classRates: fc.array(fc.array(fc.integer({ min: 0, max: 300_000 }), { minLength: 1, maxLength: 3 }), {
        minLength: 1,
        maxLength: 3,
      }),
      shared: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
      pricesIncludeTax: fc.boolean(),
      rounding: fc.constantFrom('per-line' as const, 'per-invoice' as const),
      roundingMode: fc.constantFrom(...(options.modes ?? ROUNDING_MODES)),
      lines: fc.array(fc.record({ cls: fc.nat(8), cat: fc.nat(2), amount }), { maxLength: 30 }),
    })
    .map(({ classRates, shared, pricesIncludeTax, rounding, roundingMode, lines }): Scenario => {
      const rates: TaxRate[] = [];
      classRates.forEach((list, c) => {
        if (shared !== null) rates.push(rate('shared', `c${c}`, shared));
        list.forEach((r, j) => rates.push(rate(`t${c}-${j}`, `c${c}`, r)));
        rates.push(rate(`t${c}-old`, `c${c}`, 999_000, { validTo: AT }));
        rates.push(rate(`t${c}-other`, `c${c}`, 999_000, { jurisdictionId: 'elsewhere' }));
      });
      return {
        config: { jurisdictionId: 'here', pricesIncludeTax, rounding, roundingMode, rates },
        classRates,
        shared,
        lines: lines.map((l, i) => line(`l${i}`, l.amount, `c${l.cls % classRates.length}`, `k${l.cat}`)),
      };
    });
}

const exemptionArb: fc.Arbitrary<TaxExemption | undefined> = fc.option(
  fc.oneof(
    fc.constant<TaxExemption>({ reason: 'whole sale' }),
    fc.constant<TaxExemption>({ reason: 'class', exemptTaxClassIds: ['c1'] }),
    fc.constant<TaxExemption>({ reason: 'category', exemptCategoryIds: ['k0'] }),
    fc.constant<TaxExemption>({ reason: 'tax', exemptTaxIds: ['shared', 't0-0'] }),
  ),
  { nil: undefined },
);

function classRateList(s: Scenario, taxClassId: string): number[] {
  const c = Number(taxClassId.slice(1));
  return [...(s.shared === null ? [] : [s.shared]), ...(s.classRates[c] ?? [])];
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

describe('properties', () => {
  it('the receipt adds up: Σ summary = tax = Σ line taxes; Σ line totals = total = net + tax', () => {
    fc.assert(
      fc.property(scenarioArb(), exemptionArb, (s, exemption) => {
        const result = computeTax(s.lines, s.config, AT, exemption);
        const lines = [...result.lines.values()];
        expect(sum(result.taxes.map((t) => t.amount))).toBe(result.tax);
        expect(sum(lines.map((l) => l.tax))).toBe(result.tax);
        expect(sum(lines.map((l) => l.total))).toBe(result.total);
        expect(result.net + result.tax).toBe(result.total);
        for (const l of lines) {
          expect(sum(l.taxes.map((t) => t.amount))).toBe(l.tax);
          expect(l.base + l.tax).toBe(l.total);
        }
        const ids = result.taxes.map((t) => t.taxId);
        expect(new Set(ids).size).toBe(ids.length);
      }),
    );
  });

  it('inclusive: each line total is its amount; exclusive: total = Σ amounts + tax', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const result = computeTax(s.lines, s.config, AT);
        const amounts = sum(s.lines.map((l) => l.amount));
        if (s.config.pricesIncludeTax) {
          for (const input of s.lines) expect(result.lines.get(input.lineId)?.total).toBe(input.amount);
          expect(result.total).toBe(amounts);
        } else {
          expect(result.total).toBe(amounts + result.tax);
        }
      }),
    );
  });

  it('tax of negated amounts is the negated tax (modes symmetric about zero)', () => {
    fc.assert(
      fc.property(scenarioArb({ modes: SYMMETRIC }), exemptionArb, (s, exemption) => {
        const result = computeTax(s.lines, s.config, AT, exemption);
        const negated = computeTax(
          s.lines.map((l) => ({ ...l, amount: -l.amount })),
          s.config,
          AT,
          exemption,
        );
        const neg = (n: number) => (n === 0 ? 0 : -n);
        expect([negated.tax, negated.net, negated.total, negated.exempted]).toEqual(
          [result.tax, result.net, result.total, result.exempted].map(neg),
        );
        expect(negated.taxes).toEqual(
          result.taxes.map((t) => ({ ...t, base: neg(t.base), amount: neg(t.amount) })),
        );
        for (const [id, l] of result.lines) {
          const n = negated.lines.get(id)!;
          expect(n.taxes.map((t) => t.amount)).toEqual(l.taxes.map((t) => neg(t.amount)));
          expect([n.tax, n.total, n.base]).toEqual([neg(l.tax), neg(l.total), neg(l.base)]);
        }
      }),
    );
  });

  it('per-invoice: each tax id is within one minor unit of the exact rational tax', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const cfg: TaxConfig = { ...s.config, rounding: 'per-invoice' };
        const result = computeTax(s.lines, cfg, AT);
        // exact = Σ amount × r ÷ d, d = 1e6 (exclusive) or 1e6 + R (inclusive), as num/den in bigint.
        const exact = new Map<string, { num: bigint; den: bigint }>();
        for (const input of s.lines) {
          const rates = classRateList(s, input.taxClassId);
          const R = sum(rates);
          const d = BigInt(cfg.pricesIncludeTax ? 1_000_000 + R : 1_000_000);
          const c = input.taxClassId.slice(1);
          const ids = [
            ...(s.shared === null ? [] : ['shared']),
            ...(s.classRates[Number(c)] ?? []).map((_, j) => `t${c}-${j}`),
          ];
          ids.forEach((id, j) => {
            const prev = exact.get(id) ?? { num: 0n, den: 1n };
            const num = BigInt(input.amount) * BigInt(rates[j]!);
            exact.set(id, { num: prev.num * d + num * prev.den, den: prev.den * d });
          });
        }
        expect(result.taxes.map((t) => t.taxId).sort()).toEqual([...exact.keys()].sort());
        for (const t of result.taxes) {
          const e = exact.get(t.taxId)!;
          const diff = BigInt(t.amount) * e.den - e.num;
          expect((diff < 0n ? -diff : diff) < e.den).toBe(true);
        }
      }),
    );
  });

  it('every line tax is within two minor units of its exact share (same-sign carts)', () => {
    fc.assert(
      fc.property(scenarioArb({ signs: 'positive' }), (s) => {
        const result = computeTax(s.lines, s.config, AT);
        for (const input of s.lines) {
          const rates = classRateList(s, input.taxClassId);
          const d = s.config.pricesIncludeTax ? 1_000_000 + sum(rates) : 1_000_000;
          const taxes = result.lines.get(input.lineId)!.taxes;
          taxes.forEach((t, j) => {
            expect(Math.abs(t.amount - (input.amount * rates[j]!) / d)).toBeLessThan(2);
          });
        }
      }),
    );
  });
});
