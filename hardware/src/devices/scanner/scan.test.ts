import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../device/errors.ts';
import { decodeScanBytes, toScanData } from './scan.ts';

describe('toScanData', () => {
  it('reads a scan through the domain core, keeping the text as sent', () => {
    expect(toScanData(']E04006381333931', 'serial', {})).toEqual({
      text: ']E04006381333931',
      source: 'serial',
      result: expect.objectContaining({ type: 'gtin', aim: ']E0', lookupKey: '04006381333931' }) as unknown,
    });
    expect(toScanData('GC-100200', 'hid', {})).toMatchObject({
      result: { type: 'internal', lookupKey: 'GC-100200' },
    });
  });

  it('reads a variable-measure code with the store configuration it is given', () => {
    const config = {
      currency: 'EUR',
      variableMeasure: [
        {
          id: 'weight-23',
          prefix: '23',
          kind: 'weight' as const,
          decimals: 3,
          item: { start: 2, length: 6 },
          value: { start: 8, length: 4 },
        },
      ],
    };
    // 23 123456 1250 C: item 123456, 1.250 kg; the check digit of 231234561250 is 2.
    expect(toScanData('2312345612502', 'serial', config)).toMatchObject({
      result: { type: 'variable-measure', measure: { kind: 'weight', value: 1250 } },
    });
  });

  it.each([
    ['a control character', '12\u000734', 'invalid_barcode'],
    ['a DEL', 'AB\u007f', 'invalid_barcode'],
    ['an AIM identifier without data', ']E0', 'invalid_barcode'],
    ['a GTIN with a wrong check digit', '4006381333932', 'bad_check_digit'],
    ['a GTIN that lost digits', '4006381333', 'invalid_barcode'],
  ])('refuses %s as invalid_scan with the domain message', (_case, text, reason) => {
    const result = toScanData(text, 'serial', {});
    expect(result).toBeInstanceOf(DeviceError);
    expect(result).toMatchObject({ code: 'invalid_scan', params: { reason } });
    expect((result as DeviceError).message).toMatch(/Scan again|scan again/);
  });
});

describe('decodeScanBytes', () => {
  it('decodes UTF-8 and refuses bytes that are not text', () => {
    expect(decodeScanBytes(new TextEncoder().encode(']Q1Café'))).toBe(']Q1Café');
    expect(decodeScanBytes(Uint8Array.of(0xff, 0xfe))).toMatchObject({ code: 'invalid_scan' });
  });
});
