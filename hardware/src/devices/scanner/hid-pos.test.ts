import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../device/errors.ts';
import { HidPosAssembler, encodeHidPosReports, parseHidPosReport } from './hid-pos.ts';

/** A Scanned Data report written out byte by byte, as a HID POS scanner sends it through hidapi. */
function report(
  data: string,
  options: { aim?: string; more?: boolean; length?: number; symbology?: number } = {},
) {
  const bytes = new Uint8Array(64);
  bytes[0] = 0x02;
  bytes[1] = options.length ?? data.length;
  if (options.aim !== undefined) bytes.set(Buffer.from(options.aim, 'latin1'), 2);
  bytes.set(Buffer.from(data, 'latin1'), 5);
  bytes[61] = options.symbology ?? 0;
  bytes[63] = options.more === true ? 0x01 : 0x00;
  return bytes;
}

describe('parseHidPosReport', () => {
  it('reads the AIM identifier, the data, the vendor symbology and the continuation bit', () => {
    const parsed = parseHidPosReport(report('4006381333931', { aim: ']E0', symbology: 0x64 }));
    expect(parsed).toEqual({
      aimId: ']E0',
      data: Uint8Array.from(Buffer.from('4006381333931')),
      vendorSymbology: 0x64,
      more: false,
    });
    expect(parseHidPosReport(report('x', { more: true }))).toMatchObject({ aimId: null, more: true });
  });

  it('ignores reports that are not Scanned Data reports', () => {
    const attribute = report('ignored');
    attribute[0] = 0x04;
    expect(parseHidPosReport(attribute)).toBeNull();
  });

  it.each([
    [
      'a short report',
      report('123').subarray(0, 40),
      'The scanner sent a 40-byte HID POS report; 64 bytes were expected. Scan the item again.',
    ],
    [
      'a length past the data field',
      report('123', { length: 57 }),
      "The scanner's HID POS report claims 57 data bytes; a report holds at most 56. Scan the item again.",
    ],
  ])('refuses %s', (_case, bytes, message) => {
    expect(() => parseHidPosReport(bytes)).toThrow(
      expect.objectContaining({ code: 'protocol', message }) as Error,
    );
  });
});

describe('HidPosAssembler', () => {
  it('joins continuation reports into one scan text, AIM identifier first', () => {
    const assembler = new HidPosAssembler();
    const first = 'A'.repeat(56);
    expect(assembler.push(report(first, { aim: ']Q1', more: true }))).toBeNull();
    expect(assembler.hasPartial).toBe(true);
    expect(assembler.push(report('BC', { aim: ']Q1' }))).toBe(`]Q1${first}BC`);
    expect(assembler.hasPartial).toBe(false);
  });

  it('passes data without an AIM identifier as it is', () => {
    expect(new HidPosAssembler().push(report('96385074'))).toBe('96385074');
  });

  it('refuses bytes that are not text and forgets the refused scan', () => {
    const assembler = new HidPosAssembler();
    const bad = report('12');
    bad[6] = 0xff;
    expect(assembler.push(bad)).toMatchObject({ code: 'invalid_scan' });
    expect(assembler.push(report('96385074'))).toBe('96385074');
  });

  it('returns a malformed report as an error and drops the partial scan it interrupted', () => {
    const assembler = new HidPosAssembler();
    assembler.push(report('first half', { more: true }));
    expect(assembler.push(report('x', { length: 99 }))).toBeInstanceOf(DeviceError);
    expect(assembler.push(report('second'))).toBe('second');
  });

  it('reads back what encodeHidPosReports builds, for codes of any length', () => {
    for (const length of [0, 1, 56, 57, 112, 150]) {
      const data = 'x'.repeat(length);
      const reports = encodeHidPosReports(']Q1', Buffer.from(data));
      expect(reports).toHaveLength(Math.max(1, Math.ceil(length / 56)));
      const assembler = new HidPosAssembler();
      const results = reports.map((r) => assembler.push(r));
      expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
      expect(results.at(-1)).toBe(`]Q1${data}`);
    }
  });
});
