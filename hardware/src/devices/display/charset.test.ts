import { describe, expect, it } from 'vitest';
import { decodeDisplayByte, encodeDisplayText, fitLine, justifyLine, toDisplayText } from './charset.ts';

describe('toDisplayText', () => {
  it.each([
    ['Café', 'ascii', 'Cafe'],
    ['Café', 'wpc1252', 'Café'],
    ['12,50 €', 'ascii', '12,50 EUR'],
    ['12,50 €', 'wpc1252', '12,50 €'],
    ['Straße', 'ascii', 'Strasse'],
    ['Straße', 'wpc1252', 'Straße'],
    ['Łódź', 'wpc1252', 'Lódz'],
    ['Øl og smørrebrød', 'ascii', 'Ol og smorrebrod'],
    ['Œuvre', 'wpc1252', 'Œuvre'],
    ['Ελλάδα', 'ascii', '??????'],
    ['“Fresh” – today…', 'ascii', '"Fresh" - today...'],
    ['“Fresh” – today…', 'wpc1252', '“Fresh” – today…'],
    ['a\u001b@b\rc\u0085d', 'wpc1252', 'a @b c d'],
    ['e\u0301', 'ascii', 'e'],
  ] as const)('shows "%s" in %s as "%s"', (text, charset, shown) => {
    expect(toDisplayText(text, charset)).toBe(shown);
  });
});

describe('encodeDisplayText', () => {
  it('writes Windows-1252 bytes, € included', () => {
    expect([...encodeDisplayText('é€£Ÿ', 'wpc1252')]).toEqual([0xe9, 0x80, 0xa3, 0x9f]);
    expect([...encodeDisplayText('A z~', 'ascii')]).toEqual([0x41, 0x20, 0x7a, 0x7e]);
  });

  it('decodes what it encodes', () => {
    const text = 'Crème brûlée 3,50 € ‰ Š';
    const bytes = encodeDisplayText(text, 'wpc1252');
    expect(Array.from(bytes, (byte) => decodeDisplayByte(byte, 'wpc1252')).join('')).toBe(text);
    expect(decodeDisplayByte(0x81, 'wpc1252')).toBe('?');
    expect(decodeDisplayByte(0xe9, 'ascii')).toBe('?');
  });
});

describe('fitLine and justifyLine', () => {
  it('clips to the width and pads so the old text is overwritten', () => {
    expect(fitLine('Organic bananas 1.2 kg', 20, 'ascii')).toBe('Organic bananas 1.2 ');
    expect(fitLine('Hi', 5, 'ascii')).toBe('Hi   ');
    expect(fitLine('Total 12 €', 12, 'ascii')).toBe('Total 12 EUR');
  });

  it('puts the amount flush right and clips the label first', () => {
    expect(justifyLine('Total', '12.50', 20, 'ascii')).toBe('Total          12.50');
    expect(justifyLine('Organic free-range eggs', '4.99', 20, 'ascii')).toBe('Organic free-ra 4.99');
    expect(justifyLine('Total', '12,50 €', 20, 'ascii')).toBe('Total      12,50 EUR');
  });
});
