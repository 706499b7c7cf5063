import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compressUpcA,
  computeCheckDigit,
  computePriceVerifierDigit,
  decodeVariableMeasure,
  expandUpcE,
  gs1DateToIso,
  interpretScan,
  isValidGtin,
  normalizeBarcode,
  normalizeGtin,
  rescale,
  validateGtin,
  validateScanConfig,
  VARIABLE_MEASURE_PRESETS,
  type ScanConfig,
  type ScanResult,
  type VariableMeasureTemplate,
} from './barcode.ts';
import { DomainError } from './errors.ts';

const GS = '\u001d';

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

const codeOf = (fn: () => unknown): string => errorOf(fn).code;

/** Independent oracle: a GS1 code is valid when Σ digit × (1, 3, 1, 3 … from the right) ≡ 0 mod 10. */
function weightedSumIsMultipleOfTen(code: string): boolean {
  let sum = 0;
  for (let i = 0; i < code.length; i++) sum += Number(code[code.length - 1 - i]) * (i % 2 === 0 ? 1 : 3);
  return sum % 10 === 0;
}

const digits = (minLength: number, maxLength = minLength) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength, maxLength });

describe('computeCheckDigit / validateGtin', () => {
  // Hand computation: weights 3, 1, 3 … from the rightmost payload digit; check = (10 − sum mod 10) mod 10.
  it.each([
    // EAN-13 4006381333931: 3·3+9+3·3+3+3·3+1+8·3+3+6·3+0+0·3+4 = 89 → 1
    ['400638133393', 1],
    // UPC-A 036000291452: 5·3+4+1·3+9+2·3+0+0·3+0+6·3+3+0·3 = 58 → 2
    ['03600029145', 2],
    // EAN-8 96385074: 7·3+0+5·3+8+3·3+6+9·3 = 86 → 4
    ['9638507', 4],
    // GTIN-14 10012345678902: 0·3+9+8·3+7+6·3+5+4·3+3+2·3+1+0·3+0+1·3 = 88 → 2
    ['1001234567890', 2],
    // GS1 example GTIN 09506000134352: 5·3+3+4·3+3+1·3+0+0+0+6·3+0+5·3+9+0 = 78 → 2
    ['0950600013435', 2],
    // all zeros → 0
    ['000000000000', 0],
    // SSCC 106141411234567897 (GS1 example): same algorithm over 17 digits → 7
    ['10614141123456789', 7],
  ])('payload %s → %i', (payload, expected) => {
    expect(computeCheckDigit(payload)).toBe(expected);
    expect(isValidGtin(payload + String(expected))).toBe(payload.length + 1 <= 14);
  });

  it.each(['4006381333931', '036000291452', '96385074', '10012345678902', '09506000134352'])(
    '%s is a valid GTIN',
    (code) => {
      expect(isValidGtin(code)).toBe(true);
      expect(validateGtin(code)).toBe(code);
    },
  );

  it.each([
    ['4006381333932', false], // wrong check digit
    ['400638133393', false], // 12 digits: as UPC-A its check would be 0
    ['4006381', false], // 7 digits
    ['40063813339311', false], // 14 digits, wrong check
    ['400638133393a', false],
    ['', false],
  ])('isValidGtin(%j) = %s', (code, expected) => {
    expect(isValidGtin(code)).toBe(expected);
  });

  it('refuses a bad check digit with a message the cashier can act on', () => {
    const error = errorOf(() => validateGtin('4006381333932'));
    expect(error.code).toBe('bad_check_digit');
    expect(error.message).toBe(
      'The barcode 4006381333932 does not check out (last digit should be 1). Scan again or key the item.',
    );
    expect(error.params).toEqual({ barcode: '4006381333932', expected: 1 });
  });

  it.each(['40063813339', '123456789', 'ABCDEFGHIJKLM', '4006381333931 '])(
    'refuses %j as not a GTIN',
    (code) => {
      expect(codeOf(() => validateGtin(code))).toBe('invalid_barcode');
    },
  );

  it('rejects non-digit payloads as a programming error', () => {
    expect(() => computeCheckDigit('12a')).toThrow(RangeError);
  });

  it.each([
    ['96385074', '00000096385074'],
    ['036000291452', '00036000291452'],
    ['4006381333931', '04006381333931'],
    ['10012345678902', '10012345678902'],
  ])('normalizeGtin(%s) = %s', (code, key) => {
    expect(normalizeGtin(code)).toBe(key);
  });

  it('property: a payload with its computed check digit validates, and every single-digit change fails', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(7, 11, 12, 13).chain((n) => digits(n)),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (payload, at, delta) => {
          const code = payload + String(computeCheckDigit(payload));
          expect(isValidGtin(code)).toBe(true);
          expect(weightedSumIsMultipleOfTen(code)).toBe(true);
          const i = at % code.length;
          const changed = code.slice(0, i) + String((Number(code[i]) + delta) % 10) + code.slice(i + 1);
          expect(isValidGtin(changed)).toBe(false);
        },
      ),
    );
  });
});

describe('UPC-E ↔ UPC-A', () => {
  // UPC-E = number system, d1…d6, check. Check digits computed on the UPC-A by hand:
  // odd positions × 3 + even positions, check = (10 − sum mod 10) mod 10.
  it.each([
    // last digit 0–2: NS d1 d2 d6 0000 d3 d4 d5 — 01200000345: (0+2+0+0+3+5)·3 + (1+0+0+0+4) = 35 → 5
    ['01234505', '012000003455'],
    // 01210000345: 10·3 + 6 = 36 → 4
    ['01234514', '012100003454'],
    // 01220000345: 10·3 + 7 = 37 → 3
    ['01234523', '012200003453'],
    // last digit 3: NS d1 d2 d3 00000 d4 d5 — 01230000045: 7·3 + 8 = 29 → 1
    ['01234531', '012300000451'],
    // last digit 4: NS d1 d2 d3 d4 00000 d5 — 01234000005: 11·3 + 4 = 37 → 3
    ['01234543', '012340000053'],
    // last digit 5–9: NS d1…d5 0000 d6 — 01234500005: 11·3 + 9 = 42 → 8
    ['01234558', '012345000058'],
    // 01234500007: 13·3 + 9 = 48 → 2
    ['01234572', '012345000072'],
    // 01234500009: 15·3 + 9 = 54 → 6
    ['01234596', '012345000096'],
    // number system 1: 16500000432: 12·3 + 9 = 45 → 5
    ['16543205', '165000004325'],
    // a real UPC-E: 04210000526: 13·3 + 7 = 46 → 4
    ['04252614', '042100005264'],
  ])('UPC-E %s ↔ UPC-A %s', (upce, upca) => {
    expect(expandUpcE(upce)).toBe(upca);
    expect(isValidGtin(upca)).toBe(true);
    expect(compressUpcA(upca)).toBe(upce);
  });

  it('expands a non-canonical UPC-E to the same UPC-A as its canonical twin', () => {
    // last digit 3 with d3 = 0: 01200000045 → 7·3 + 5 = 26 → check 4
    expect(expandUpcE('01204534')).toBe('012000000454');
    expect(compressUpcA('012000000454')).toBe('01204504');
    expect(expandUpcE('01204504')).toBe('012000000454');
  });

  it.each(['036000291452', '212345928752', '4006381333931', '01234500004'])(
    'compressUpcA(%s) is undefined (no UPC-E form)',
    (upca) => {
      expect(compressUpcA(upca)).toBeUndefined();
    },
  );

  it.each(['21234565', '0123456', '012345678', 'O1234505'])('expandUpcE refuses %j', (upce) => {
    expect(codeOf(() => expandUpcE(upce))).toBe('invalid_barcode');
  });

  const upcE = fc.tuple(fc.constantFrom('0', '1'), digits(6)).map(([ns, d]) => {
    const payload = expandUpcE(`${ns}${d}0`).slice(0, 11);
    return `${ns}${d}${computeCheckDigit(payload)}`;
  });

  // Canonical per the zero-suppression rules, stated on the UPC-E digits themselves.
  function isCanonical(upce: string): boolean {
    const d = upce.slice(1, 7);
    switch (d.charAt(5)) {
      case '3':
        return !'012'.includes(d.charAt(2));
      case '4':
        return d.charAt(3) !== '0';
      case '0':
      case '1':
      case '2':
        return true;
      default:
        return d[4] !== '0';
    }
  }

  it('property: UPC-E → UPC-A → UPC-E round-trips (to the canonical form)', () => {
    fc.assert(
      fc.property(upcE, (e) => {
        const a = expandUpcE(e);
        expect(isValidGtin(a)).toBe(true);
        const c = compressUpcA(a);
        expect(c).toBeDefined();
        expect(expandUpcE(c!)).toBe(a);
        if (isCanonical(e)) expect(c).toBe(e);
      }),
    );
  });

  it('property: any compressible UPC-A expands back to itself', () => {
    // Mostly zeros, so that a good share of the codes has a UPC-E form.
    const zeroHeavy = fc.string({
      unit: fc.oneof(
        { arbitrary: fc.constant('0'), weight: 4 },
        { arbitrary: fc.constantFrom(...'123456789'.split('')), weight: 1 },
      ),
      minLength: 10,
      maxLength: 10,
    });
    const upcA = fc.tuple(fc.constantFrom('0', '1'), zeroHeavy).map(([ns, rest]) => {
      const payload = ns + rest;
      return payload + String(computeCheckDigit(payload));
    });
    fc.assert(
      fc.property(upcA, (a) => {
        const c = compressUpcA(a);
        if (c !== undefined) expect(expandUpcE(c)).toBe(a);
      }),
    );
  });
});

describe('computePriceVerifierDigit (GS1 price/measure verifier)', () => {
  it.each([
    // 4 digits: (2-, 2-, 3, 5-) products summed, × 3, units digit. 2875: 4+5+1+3 = 13, ×3 = 39 → 9
    ['2875', 9],
    // 1234: 2+4+9+8 = 23, ×3 = 69 → 9
    ['1234', 9],
    // 0599: 0+9+7+1 = 17, ×3 = 51 → 1
    ['0599', 1],
    ['0000', 0],
    // 5 digits: (5+, 2-, 5-, 5+, 2-) summed; the digit whose 5- product is (10 − sum mod 10) mod 10.
    // 14685: 5+8+7+4+9 = 33 → 7 → 5-(6) = 7 → 6
    ['14685', 6],
    // 01250: 0+2+9+7+0 = 18 → 2 → 5-(7) = 2 → 7
    ['01250', 7],
    // 00003: 0+0+0+0+6 = 6 → 4 → 5-(3) = 4 → 3
    ['00003', 3],
    ['00000', 0],
  ])('%s → %i', (value, expected) => {
    expect(computePriceVerifierDigit(value)).toBe(expected);
  });

  it.each(['123', '123456', '12a4'])('rejects %j as a programming error', (value) => {
    expect(() => computePriceVerifierDigit(value)).toThrow(RangeError);
  });
});

describe('variable-measure templates', () => {
  const nordic: ScanConfig = { currency: 'SEK', variableMeasure: VARIABLE_MEASURE_PRESETS.nordic };
  const germany: ScanConfig = { currency: 'EUR', variableMeasure: VARIABLE_MEASURE_PRESETS.germany };
  const uk: ScanConfig = { currency: 'GBP', variableMeasure: VARIABLE_MEASURE_PRESETS['united-kingdom'] };
  const us: ScanConfig = { currency: 'USD', variableMeasure: VARIABLE_MEASURE_PRESETS['upc-random-weight'] };

  // Check digits by hand over the first 12 digits, weights 1, 3, 1, 3 … from the left.
  it.each([
    // 23 weight, item 123456, 1.250 kg: 2+9+1+6+3+12+5+18+1+6+5+0 = 68 → 2; base 2312345600004 (56 → 4)
    [nordic, '2312345612502', 'nordic-23-weight', 'weight', 1250, '02312345600004'],
    // 25 weight with 1 decimal: 0012 → 1.2 kg = 1200 g; 2+15+1+6+3+12+5+18+0+0+1+6 = 69 → 1; base 62 → 8
    [nordic, '2512345600121', 'nordic-25-weight', 'weight', 1200, '02512345600008'],
    // 20 price, 2 decimals: 05.99 SEK = 599 öre; 98 → 2; base 47 → 3
    [nordic, '2012345605992', 'nordic-20-price', 'price', 599, '02012345600003'],
    // 21 price, 1 decimal: 059.9 SEK = 5990 öre; 101 → 9; base 50 → 0
    [nordic, '2112345605999', 'nordic-21-price', 'price', 5990, '02112345600000'],
    // UK 20: item 12345, verifier 9 for £28.75: 2+0+1+6+3+12+5+27+2+24+7+15 = 104 → 6; base 29 → 1
    [uk, '2012345928756', 'uk-20-price', 'price', 2875, '02012345000001'],
    // US UPC-A 2 12345 9 2875: as EAN-13 0212345928752 (108 → 2); base 0212345000007 (33 → 7)
    [us, '212345928752', 'upc-2-price', 'price', 2875, '00212345000007'],
    [us, ']E0212345928752', 'upc-2-price', 'price', 2875, '00212345000007'],
    // Germany 28 weight, item 1234, verifier 7 for 01250: 2+24+1+6+3+12+7+0+1+6+5+0 = 67 → 3; base 48 → 2
    [germany, '2812347012503', 'de-28-weight', 'weight', 1250, '02812340000002'],
    // Germany 25 count, verifier 3 for 00003: 2+15+1+6+3+12+3+0+0+0+0+9 = 51 → 9; 3 items = 3000 thousandths;
    // base 2+15+1+6+3+12 = 39 → 1
    [germany, '2512343000039', 'de-25-count', 'count', 3000, '02512340000001'],
  ] as const)('%#: %s', (config, scan, templateId, kind, value, itemKey) => {
    const result = interpretScan(scan, config);
    expect(result.type).toBe('variable-measure');
    if (result.type !== 'variable-measure') return;
    expect(result.measure).toEqual({ templateId, itemKey, kind, value });
    expect(result.lookupKey).toBe(itemKey);
    // The base code rings the base product itself, with a zero value.
    const base = interpretScan(itemKey, config);
    expect(base.lookupKey).toBe(itemKey);
  });

  it('refuses a wrong price verifier digit even when the GTIN check digit is right', () => {
    // verifier 8 instead of 9: 2+0+1+6+3+12+5+24+2+24+7+15 = 101 → GTIN check 9
    const error = errorOf(() => interpretScan('2012345828759', uk));
    expect(error.code).toBe('bad_check_digit');
    expect(error.message).toBe(
      'The price in barcode 2012345828759 does not check out (digit 8 should be 9). Scan again or key the item.',
    );
  });

  it('refuses a bad GTIN check digit before reading the price', () => {
    expect(errorOf(() => interpretScan('2012345928757', uk)).params).toEqual({
      barcode: '2012345928757',
      expected: 6,
    });
  });

  it('leaves other prefixes to the plain GTIN reading', () => {
    const result = interpretScan('4006381333931', uk);
    expect(result.type).toBe('gtin');
    // Without templates a 2x code is just a GTIN.
    expect(interpretScan('2012345928756')).toMatchObject({ type: 'gtin', lookupKey: '02012345928756' });
  });

  it('prefers the longest matching prefix', () => {
    const weight: VariableMeasureTemplate = {
      id: 'w29',
      prefix: '29',
      kind: 'weight',
      decimals: 3,
      item: { start: 2, length: 5 },
      value: { start: 7, length: 5 },
    };
    const price: VariableMeasureTemplate = {
      id: 'p299',
      prefix: '299',
      kind: 'price',
      decimals: 2,
      item: { start: 3, length: 4 },
      value: { start: 7, length: 5 },
    };
    const config: ScanConfig = { currency: 'EUR', variableMeasure: [weight, price] };
    // 2991234012342: 2+27+9+3+2+9+4+0+1+6+3+12 = 78 → 2; base 56 → 4
    expect(interpretScan('2991234012342', config)).toMatchObject({
      measure: { templateId: 'p299', kind: 'price', value: 1234, itemKey: '02991234000004' },
    });
    // 2912345012502: 68 → 2
    expect(interpretScan('2912345012502', config)).toMatchObject({
      measure: { templateId: 'w29', kind: 'weight', value: 1250 },
    });
  });

  it('decodeVariableMeasure applies one template directly', () => {
    const [template] = VARIABLE_MEASURE_PRESETS['united-kingdom'];
    expect(decodeVariableMeasure('2012345928756', template!, 'GBP')).toEqual({
      templateId: 'uk-20-price',
      itemKey: '02012345000001',
      kind: 'price',
      value: 2875,
    });
    expect(codeOf(() => decodeVariableMeasure('4006381333931', template!, 'GBP'))).toBe('invalid_barcode');
    expect(codeOf(() => decodeVariableMeasure('2012345928756', template!))).toBe('invalid_barcode_config');
  });

  it('scales the price to the currency exponent', () => {
    const wholeUnits: VariableMeasureTemplate = {
      id: 'p22',
      prefix: '22',
      kind: 'price',
      decimals: 0,
      item: { start: 2, length: 6 },
      value: { start: 8, length: 4 },
    };
    const code = `221234560599${computeCheckDigit('221234560599')}`;
    expect(interpretScan(code, { currency: 'JPY', variableMeasure: [wholeUnits] })).toMatchObject({
      measure: { value: 599 },
    });
    expect(interpretScan(code, { currency: 'EUR', variableMeasure: [wholeUnits] })).toMatchObject({
      measure: { value: 59900 },
    });
  });

  const t = (overrides: Partial<VariableMeasureTemplate>): VariableMeasureTemplate => ({
    id: 't',
    prefix: '21',
    kind: 'weight',
    decimals: 3,
    item: { start: 2, length: 5 },
    value: { start: 7, length: 5 },
    ...overrides,
  });

  it.each<[string, ScanConfig]>([
    ['a prefix outside the in-store ranges', { variableMeasure: [t({ prefix: '30' })] }],
    ['a one-digit prefix', { variableMeasure: [t({ prefix: '2' })] }],
    ['overlapping fields', { variableMeasure: [t({ value: { start: 6, length: 5 } })] }],
    ['a field over the check digit', { variableMeasure: [t({ value: { start: 8, length: 5 } })] }],
    ['an empty field', { variableMeasure: [t({ item: { start: 2, length: 0 } })] }],
    [
      'a verifier with a 6-digit value',
      {
        variableMeasure: [
          t({ value: { start: 6, length: 6 }, item: { start: 2, length: 3 }, verifierDigitAt: 5 }),
        ],
      },
    ],
    ['a price without currency', { variableMeasure: [t({ kind: 'price', decimals: 2 })] }],
    [
      'more price decimals than the currency has',
      { currency: 'JPY', variableMeasure: [t({ kind: 'price', decimals: 2 })] },
    ],
    ['a weight finer than thousandths', { variableMeasure: [t({ decimals: 4 })] }],
    ['a count with decimals', { variableMeasure: [t({ kind: 'count', decimals: 1 })] }],
    ['two templates with one prefix', { variableMeasure: [t({ id: 'a' }), t({ id: 'b' })] }],
    ['two templates with one id', { variableMeasure: [t({}), t({ prefix: '22' })] }],
    ['the Nordic preset in yen', { currency: 'JPY', variableMeasure: VARIABLE_MEASURE_PRESETS.nordic }],
    ['a GS stand-in that GS1 data can contain', { gsSubstitute: '-' }],
    ['a GS stand-in of two characters', { gsSubstitute: '~~' }],
  ])('refuses %s', (_, config) => {
    expect(
      codeOf(() => {
        validateScanConfig(config);
      }),
    ).toBe('invalid_barcode_config');
    expect(codeOf(() => interpretScan('4006381333931', config))).toBe('invalid_barcode_config');
  });

  it('accepts every preset with a 2-decimal currency', () => {
    for (const templates of Object.values(VARIABLE_MEASURE_PRESETS)) {
      expect(() => {
        validateScanConfig({ currency: 'EUR', variableMeasure: templates });
      }).not.toThrow();
    }
  });

  it('property: weight codes decode to their embedded value and their base code is a fixed point', () => {
    fc.assert(
      fc.property(digits(6), digits(4), (item, weight) => {
        const payload = `23${item}${weight}`;
        const code = payload + String(computeCheckDigit(payload));
        const result = interpretScan(code, nordic);
        if (result.type !== 'variable-measure') throw new Error(`not decoded: ${code}`);
        expect(result.measure.value).toBe(Number(weight));
        expect(result.measure.itemKey.slice(0, 9)).toBe(`023${item}`);
        expect(normalizeBarcode(result.lookupKey, nordic)).toBe(result.lookupKey);
      }),
    );
  });

  it('property: a wrong verifier digit is always refused', () => {
    fc.assert(
      fc.property(digits(4), digits(5), fc.integer({ min: 1, max: 9 }), (item, value, delta) => {
        const verifier = (computePriceVerifierDigit(value) + delta) % 10;
        const payload = `28${item}${verifier}${value}`;
        const code = payload + String(computeCheckDigit(payload));
        expect(codeOf(() => interpretScan(code, germany))).toBe('bad_check_digit');
        const good = `28${item}${computePriceVerifierDigit(value)}${value}`;
        expect(interpretScan(good + String(computeCheckDigit(good)), germany)).toMatchObject({
          measure: { value: Number(value) },
        });
      }),
    );
  });
});

describe('interpretScan: plain and AIM-labelled EAN/UPC', () => {
  it.each<[string, string, Partial<ScanResult>]>([
    ['4006381333931', '04006381333931', { type: 'gtin', symbology: 'ean13' }],
    ['  4006381333931\r\n', '04006381333931', { raw: '4006381333931' }],
    ['036000291452', '00036000291452', { symbology: 'upca' }],
    ['0036000291452', '00036000291452', { symbology: 'ean13' }],
    ['00036000291452', '00036000291452', { symbology: 'unknown' }],
    ['10012345678902', '10012345678902', { type: 'gtin' }],
    ['96385074', '00000096385074', { symbology: 'ean8' }],
    // UPC-E 01234505 → UPC-A 012000003455; as EAN-8 its check would be 3, so UPC-E only
    ['01234505', '00012000003455', { symbology: 'upce' }],
    [']E04006381333931', '04006381333931', { aim: ']E0', symbology: 'ean13' }],
    [']E0036000291452', '00036000291452', { symbology: 'upca' }],
    [']E001234505', '00012000003455', { symbology: 'upce' }],
    [']E496385074', '00000096385074', { symbology: 'ean8' }],
    [']XC96385074', '00000096385074', { symbology: 'ean8' }],
    [']E3400638133393112', '04006381333931', { addOn: '12' }],
    [']E303600029145212345', '00036000291452', { addOn: '12345', symbology: 'upca' }],
    [']I010012345678902', '10012345678902', { symbology: 'itf' }],
    // A GTIN printed as Code 128 still finds the product.
    [']C04006381333931', '04006381333931', { type: 'gtin', symbology: 'code128' }],
  ])('%j → %s', (scan, key, expected) => {
    const result = interpretScan(scan);
    expect(result.lookupKey).toBe(key);
    expect(result).toMatchObject(expected);
  });

  it('offers the EAN-8 reading of an 8-digit code that is valid both ways', () => {
    // UPC-E 01234152 → 012341000052 (11·3 + 5 = 38 → 2); EAN-8 0123415: 15+1+12+3+6+1+0 = 38 → 2
    expect(interpretScan('01234152')).toMatchObject({
      symbology: 'upce',
      lookupKey: '00012341000052',
      alternateKey: '00000001234152',
    });
    // With an AIM identifier the symbology is known: no alternate.
    expect(interpretScan(']E401234152')).not.toHaveProperty('alternateKey');
  });

  it.each([
    ['4006381333932', 1],
    // 12 digits of an EAN-13 read as UPC-A: (4+0+3+1+3+9)·3 + (0+6+8+3+3) = 80 → 0
    ['400638133393', 0],
    [']E0400638133393', 0],
    ['96385075', 4],
    // starts with 0: UPC-E reading named (01234506 → 012000003456, should end 5)
    ['01234506', 5],
    [']I010012345678903', 2],
    ['10012345678903', 2],
  ])('%j: bad check digit, should be %i', (scan, expected) => {
    const error = errorOf(() => interpretScan(scan));
    expect(error.code).toBe('bad_check_digit');
    expect(error.params.expected).toBe(expected);
  });

  it.each([
    ['', 'Nothing was read from the scanner. Scan again or key the item.'],
    [' \r\n', 'Nothing was read from the scanner. Scan again or key the item.'],
    ['40063813339', 'The barcode "40063813339" is incomplete (11 digits). Scan again or key the item.'],
    ['123456789', 'The barcode "123456789" is incomplete (9 digits). Scan again or key the item.'],
    [']E040063813339', 'The barcode "]E040063813339" is incomplete (11 digits). Scan again or key the item.'],
    [
      '400\u0007381333931',
      'The barcode "400?381333931" contains characters a barcode cannot hold. Scan again or key the item.',
    ],
  ])('refuses %j', (scan, message) => {
    const error = errorOf(() => interpretScan(scan));
    expect(error.code).toBe('invalid_barcode');
    expect(error.message).toBe(message);
  });

  it.each([
    ']E49638507', // EAN-8 missing a digit
    ']E21234', // 5-digit add-on alone
    ']E0ABCDEFGHIJKLM',
    ']E021234565', // UPC-E with number system 2
    ']E3400638133393', // "with add-on" but no add-on
    ']E0',
    ']',
    ']C1',
    ']C0AB\u001dC', // GS outside GS1 data
    'x'.repeat(1025),
  ])('refuses %j as unreadable', (scan) => {
    expect(codeOf(() => interpretScan(scan))).toBe('invalid_barcode');
  });
});

describe('interpretScan: internal codes', () => {
  it.each<[string, string, string]>([
    ['SKU-42', 'SKU-42', 'unknown'],
    ['4011', '4011', 'unknown'], // produce PLU keyed in
    ['4006381', '4006381', 'unknown'], // 7 digits: a short SKU, never a GTIN
    ['6035300012345678901', '6035300012345678901', 'unknown'], // 19-digit gift card
    [']C0ABC-123', 'ABC-123', 'code128'],
    // Code 128 carries its own check: 13 digits that are not a valid GTIN are just text.
    [']C04006381333932', '4006381333932', 'code128'],
    [']A0ABC123', 'ABC123', 'code39'],
    [']I0123456', '123456', 'itf'],
    [']Q1https://example.com/coupon/42', 'https://example.com/coupon/42', 'qr-code'],
    ['https://example.com/coupon/42', 'https://example.com/coupon/42', 'unknown'],
  ])('%j → %j', (scan, key, symbology) => {
    expect(interpretScan(scan)).toMatchObject({ type: 'internal', code: key, lookupKey: key, symbology });
  });

  it('keeps gift-card numbers that start with 01 internal unless GS1 without AIM is switched on', () => {
    // "01" + 12345678901234 fails the GTIN check (should end 1), so it stays internal either way.
    expect(interpretScan('0112345678901234', { gs1WithoutAim: true })).toMatchObject({ type: 'internal' });
    expect(interpretScan('010950600013435217261231')).toMatchObject({ type: 'internal' });
    expect(interpretScan('010950600013435217261231', { gs1WithoutAim: true })).toMatchObject({
      type: 'gs1',
      lookupKey: '09506000134352',
    });
  });
});

describe('interpretScan: GS1 element strings', () => {
  it('reads GS1-128 with expiry, batch and serial', () => {
    const result = interpretScan(']C1' + '0109506000134352' + '17261231' + '10ABC123' + GS + '21SN42');
    expect(result).toEqual({
      raw: `]C101095060001343521726123110ABC123${GS}21SN42`,
      aim: ']C1',
      symbology: 'gs1-128',
      type: 'gs1',
      gtin: '09506000134352',
      lookupKey: '09506000134352',
      gs1: {
        elements: [
          { ai: '01', value: '09506000134352', label: 'GTIN' },
          { ai: '17', value: '261231', label: 'USE BY OR EXPIRY' },
          { ai: '10', value: 'ABC123', label: 'BATCH/LOT' },
          { ai: '21', value: 'SN42', label: 'SERIAL' },
        ],
        gtin: '09506000134352',
        expiry: { twoDigitYear: 26, month: 12, day: 31 },
        batch: 'ABC123',
        serial: 'SN42',
      },
    });
  });

  it('reads DataBar with net weight and price', () => {
    const result = interpretScan(']e001095060001343523103001250' + '39220599');
    expect(result).toMatchObject({
      symbology: 'gs1-databar',
      lookupKey: '09506000134352',
      gs1: { netWeightKg: { value: 1250, decimals: 3 }, price: { value: 599, decimals: 2 } },
    });
  });

  it.each<[string, ScanConfig, object]>([
    // GS1 DataMatrix, leading FNC1 sent as GS
    [
      `]d2${GS}0109506000134352` + '17250630' + '10LOT7',
      {},
      { symbology: 'gs1-datamatrix', gs1: { batch: 'LOT7' } },
    ],
    // GS1 QR
    [
      ']Q3010950600013435231020' + '00750',
      {},
      { symbology: 'gs1-qr', gs1: { netWeightKg: { value: 750, decimals: 2 } } },
    ],
    // no AIM identifier, but a GS: GS1; day 00 = end of month
    [`010950600013435210ABC${GS}17261200`, {}, { gs1: { batch: 'ABC', expiry: { month: 12, day: 0 } } }],
    // human-readable form keyed from the label
    ['(01)09506000134352(17)261231(10)ABC123', {}, { gs1: { batch: 'ABC123' } }],
    // a wedge scanner that sends ~ for GS
    [
      ']C10109506000134352' + '10ABC~17261231',
      { gsSubstitute: '~' },
      { gs1: { batch: 'ABC', expiry: { day: 31 } } },
    ],
    // GS1 Digital Link in a QR code
    [
      ']Q1https://id.gs1.org/01/09506000134352/10/ABC?17=261231',
      {},
      { symbology: 'qr-code', gs1: { batch: 'ABC' } },
    ],
    // Feb 29 in a two-digit year divisible by 4
    [']C1010950600013435217240229', {}, { gs1: { expiry: { twoDigitYear: 24, month: 2, day: 29 } } }],
  ])('%j', (scan, config, expected) => {
    const result = interpretScan(scan, config);
    expect(result).toMatchObject({ type: 'gs1', lookupKey: '09506000134352', ...expected });
  });

  // Regression: URLs whose path segments look like AIs were handed to the Digital Link parser
  // and refused ("holds no data"), so a return could not scan our own receipt's QR code.
  it.each([
    ']Q1https://receipts.example/r/S01-T02-000123',
    ']Q1https://example.com/p/' + 'ABCDEFGHIJ'.repeat(6),
    'https://receipts.example/r/S01-T02-000123',
  ])('reads the non-product URL %j as a plain code', (scan) => {
    const code = scan.replace(/^\]Q1/, '');
    expect(interpretScan(scan)).toMatchObject({ type: 'internal', code, lookupKey: code });
  });

  it('returns GS1 data without a GTIN (a pallet SSCC) without a lookup key', () => {
    const result = interpretScan(']C100106141411234567897');
    expect(result).toMatchObject({
      type: 'gs1',
      gs1: { elements: [{ ai: '00', value: '106141411234567897' }] },
    });
    expect(result.lookupKey).toBeUndefined();
    expect(codeOf(() => normalizeBarcode(']C100106141411234567897'))).toBe('invalid_barcode');
  });

  it.each([
    [']C1010950600013435', 'invalid_barcode'], // truncated GTIN
    [']C10109506000134353', 'bad_check_digit'],
    ['(01)09506000134353', 'bad_check_digit'],
    [']C101095060001343521726133', 'invalid_barcode'], // truncated date
    [']C1010950600013435217261331', 'invalid_barcode'], // month 13
    [']C1010950600013435217250230', 'invalid_barcode'], // 30 February
    [']C1010950600013435217250229', 'invalid_barcode'], // 29 February, not a leap year
    [`]C1010950600013435210A${GS}10B`, 'invalid_barcode'], // batch twice, different values
    [']C1010950600013435210ABCDEFGHIJKLMNOPQRSTU', 'invalid_barcode'], // batch over 20 characters
    [']C1010950600013435210AB#C', 'invalid_barcode'], // # is not in the GS1 character set
    [']C105ABC', 'invalid_barcode'], // not an application identifier
    [']C13103ABCDEF', 'invalid_barcode'], // weight not numeric
    [`]C1${GS}${GS}`, 'invalid_barcode'],
    ['(01)09506000134352(17)2612', 'invalid_barcode'],
  ])('%j → %s', (scan, code) => {
    expect(codeOf(() => interpretScan(scan))).toBe(code);
  });

  it('names the GTIN whose check digit fails', () => {
    expect(errorOf(() => interpretScan(']C10109506000134353')).message).toBe(
      'The barcode 09506000134353 does not check out (last digit should be 2). Scan again or key the item.',
    );
  });
});

describe('gs1DateToIso', () => {
  it.each([
    [{ twoDigitYear: 26, month: 12, day: 31 }, 2025, '2026-12-31'],
    [{ twoDigitYear: 25, month: 2, day: 0 }, 2025, '2025-02-28'],
    [{ twoDigitYear: 24, month: 2, day: 0 }, 2025, '2024-02-29'],
    [{ twoDigitYear: 25, month: 4, day: 0 }, 2025, '2025-04-30'],
    // 50 years ahead stays in this century, 51 goes back one
    [{ twoDigitYear: 75, month: 6, day: 1 }, 2025, '2075-06-01'],
    [{ twoDigitYear: 76, month: 6, day: 1 }, 2025, '1976-06-01'],
    // 50 years behind moves forward one century, 49 does not
    [{ twoDigitYear: 10, month: 1, day: 1 }, 2060, '2110-01-01'],
    [{ twoDigitYear: 11, month: 1, day: 1 }, 2060, '2011-01-01'],
    // 2100 is not a leap year
    [{ twoDigitYear: 0, month: 2, day: 0 }, 2099, '2100-02-28'],
  ])('%j in %i → %s', (date, year, iso) => {
    expect(gs1DateToIso(date, year)).toBe(iso);
  });
});

describe('rescale', () => {
  it.each([
    [{ value: 1250, decimals: 3 }, 3, 'half-up', 1250],
    [{ value: 1250, decimals: 3 }, 2, 'half-up', 125],
    [{ value: 1255, decimals: 3 }, 2, 'half-up', 126],
    [{ value: 1255, decimals: 3 }, 2, 'half-down', 125],
    [{ value: 599, decimals: 2 }, 0, 'half-up', 6],
    [{ value: 599, decimals: 2 }, 3, 'half-up', 5990],
  ] as const)('%j at %i places (%s) → %i', (amount, decimals, mode, expected) => {
    expect(rescale(amount, decimals, mode)).toBe(expected);
  });
});

describe('normalizeBarcode', () => {
  it.each([
    // one UPC-A, every way it reaches the till
    ['036000291452', '00036000291452'],
    ['0036000291452', '00036000291452'],
    ['00036000291452', '00036000291452'],
    [']E0036000291452', '00036000291452'],
    [']E00036000291452', '00036000291452'],
    ['(01)00036000291452', '00036000291452'],
    [']C10100036000291452', '00036000291452'],
    [`${GS}0100036000291452`, '00036000291452'],
    // UPC-E and its UPC-A
    ['04252614', '00042100005264'],
    ['042100005264', '00042100005264'],
    ['SKU-42', 'SKU-42'],
  ])('%j → %s', (code, key) => {
    expect(normalizeBarcode(code)).toBe(key);
  });

  const gtin13 = digits(12).map((payload) => payload + String(computeCheckDigit(payload)));

  it('property: every form of a GTIN normalises to one key, and normalising is idempotent', () => {
    fc.assert(
      fc.property(gtin13, (code) => {
        const key = `0${code}`;
        const forms = [code, `]E0${code}`, key, `(01)${key}`, `]C101${key}`, `]e001${key}`, `01${key}${GS}`];
        if (code.startsWith('0')) forms.push(code.slice(1), `]E0${code.slice(1)}`);
        for (const form of forms) {
          const normalised = normalizeBarcode(form);
          expect(normalised).toBe(key);
          expect(normalizeBarcode(normalised)).toBe(normalised);
        }
      }),
    );
  });

  it('property: internal codes are their own key', () => {
    const internalCode = fc
      .string({ unit: fc.constantFrom(...'ABCXYZabc0123456789-_./'.split('')), minLength: 1, maxLength: 24 })
      .filter((s) => /[A-Za-z]/.test(s) && !s.startsWith(']') && !s.startsWith('('));
    fc.assert(
      fc.property(internalCode, (code) => {
        const normalised = normalizeBarcode(code);
        expect(normalised).toBe(code);
        expect(normalizeBarcode(normalised)).toBe(normalised);
      }),
    );
  });
});
