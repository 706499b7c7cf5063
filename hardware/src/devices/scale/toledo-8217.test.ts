import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../device/errors.ts';
import {
  Toledo8217ReplyParser,
  decodeStatusByte,
  encodeStatusReply,
  encodeWeightReply,
  parseWeightText,
  type ScaleReading,
} from './toledo-8217.ts';

const reply = (...parts: (string | number)[]): Uint8Array =>
  Uint8Array.from(
    parts.flatMap((part) => (typeof part === 'number' ? [part] : Array.from(part, (c) => c.charCodeAt(0)))),
  );

function summary(results: readonly (ScaleReading | DeviceError)[]): string[] {
  return results.map((r) =>
    r instanceof DeviceError
      ? `error:${r.code}`
      : `${r.condition}:${String(r.weight)}${r.zero ? ':zero' : ''}`,
  );
}

describe('parseWeightText', () => {
  it.each([
    ['001.234', 1234],
    ['  1.234', 1234],
    ['0.5', 500],
    ['12.34', 12340],
    ['15', 15000],
    ['000.000', 0],
    ['1.', 1000],
    ['1.2345', null],
    ['-1.000', null],
    ['1,234', null],
    ['', null],
  ])('reads "%s" as %s thousandths of a kg', (text, weight) => {
    expect(parseWeightText(text)).toBe(weight);
  });
});

describe('status byte', () => {
  it.each([
    [0b0000001, 'motion'],
    [0b0000010, 'overCapacity'],
    [0b0000100, 'underZero'],
    [0b0001000, 'outsideZeroCapture'],
    [0b0010000, 'centerOfZero'],
    [0b0100000, 'netWeight'],
    [0b1000000, 'badCommand'],
  ] as const)('bit pattern %i sets %s only', (byte, flag) => {
    const flags = decodeStatusByte(byte);
    expect(
      Object.entries(flags)
        .filter(([, on]) => on)
        .map(([name]) => name),
    ).toEqual([flag]);
  });
});

describe('Toledo8217ReplyParser', () => {
  it.each([
    ['a stable weight', reply(2, '001.234', 13), ['stable:1234']],
    ['a stable zero', reply(2, '000.000', 13), ['stable:0:zero']],
    ['motion', reply(2, '?', 0b0000001, 13), ['motion:null']],
    ['motion near zero', reply(2, '?', 0b0010001, 13), ['motion:null:zero']],
    ['over capacity', reply(2, '?', 0b0000010, 13), ['over_capacity:null']],
    ['under zero', reply(2, '?', 0b0000100, 13), ['under_zero:null']],
    ['over capacity while moving', reply(2, '?', 0b0000011, 13), ['over_capacity:null']],
    ['not zeroed', reply(2, '?', 0b0001000, 13), ['not_ready:null']],
    ['a bad command', reply(2, '?', 0b1000000, 13), ['error:protocol']],
    [
      'a status byte that is CR itself (motion, under zero, outside zero capture)',
      reply(2, '?', 0x0d, 13),
      ['under_zero:null'],
    ],
    ['a status byte that is STX itself', reply(2, '?', 0x02, 13), ['over_capacity:null']],
    ['a status byte with its parity bit set', reply(2, '?', 0x81, 13), ['motion:null']],
    ['noise before a reply', reply(0xff, 'xx', 13, 2, '002.500', 13), ['stable:2500']],
    ['a reply cut short by the next', reply(2, '00', 2, '001.000', 13), ['error:protocol', 'stable:1000']],
    ['a malformed status reply', reply(2, '?', 1, 'x', 2, '000.100', 13), ['error:protocol', 'stable:100']],
    ['a weight in another format', reply(2, '1.2345', 13), ['error:protocol']],
    [
      'an overlong reply',
      reply(2, '12345678901234567', 13, 2, '1.000', 13),
      ['error:protocol', 'stable:1000'],
    ],
  ])('reads %s', (_case, bytes, expected) => {
    expect(summary(new Toledo8217ReplyParser().push(bytes))).toEqual(expected);
  });

  it('reads a reply split byte by byte', () => {
    const parser = new Toledo8217ReplyParser();
    const out: (ScaleReading | DeviceError)[] = [];
    for (const byte of reply(2, '010.005', 13, 2, '?', 1, 13)) out.push(...parser.push(Uint8Array.of(byte)));
    expect(summary(out)).toEqual(['stable:10005', 'motion:null']);
  });

  it('explains a weight it cannot read', () => {
    const [error] = new Toledo8217ReplyParser().push(reply(2, '2.5 lb', 13));
    expect(error).toMatchObject({
      code: 'protocol',
      message:
        'The scale sent a weight the till cannot read ("2.5 lb"). Set the scale to kilograms with at most three decimals.',
    });
  });
});

describe('encoders (for the simulator)', () => {
  it('writes weights as STX ddd.ddd CR and statuses as STX ? status CR', () => {
    expect([...encodeWeightReply(1234)]).toEqual([2, 0x30, 0x30, 0x31, 0x2e, 0x32, 0x33, 0x34, 13]);
    expect([...encodeWeightReply(5)]).toEqual([...reply(2, '000.005', 13)]);
    expect([...encodeStatusReply({ motion: true, centerOfZero: true })]).toEqual([2, 0x3f, 0b0010001, 13]);
    expect(() => encodeWeightReply(1_000_000)).toThrow(RangeError);
  });
});
