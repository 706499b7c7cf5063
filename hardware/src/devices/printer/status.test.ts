import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PrinterReplyParser,
  combineStatus,
  describeStatus,
  isReady,
  parseAsb,
  parseErrorCause,
  parseOfflineCause,
  parsePaperSensor,
  parsePrinterStatus,
  UNKNOWN_STATUS,
} from './status.ts';

// Every reply has the fixed bits 0xx1xx10 = 0x12; each row sets one more bit.
describe('DLE EOT 1 (printer status)', () => {
  it.each([
    [0x12, { drawerPin3High: false, offline: false, waitingForRecovery: false, feedButton: false }],
    [0x16, { drawerPin3High: true, offline: false, waitingForRecovery: false, feedButton: false }],
    [0x1a, { drawerPin3High: false, offline: true, waitingForRecovery: false, feedButton: false }],
    [0x32, { drawerPin3High: false, offline: false, waitingForRecovery: true, feedButton: false }],
    [0x52, { drawerPin3High: false, offline: false, waitingForRecovery: false, feedButton: true }],
  ])('0x%s', (byte, expected) => {
    expect(parsePrinterStatus(byte)).toEqual(expected);
  });
});

describe('DLE EOT 2 (offline cause)', () => {
  it.each([
    [0x12, { coverOpen: false, feedingByButton: false, stoppedByPaperEnd: false, errorOccurred: false }],
    [0x16, { coverOpen: true, feedingByButton: false, stoppedByPaperEnd: false, errorOccurred: false }],
    [0x1a, { coverOpen: false, feedingByButton: true, stoppedByPaperEnd: false, errorOccurred: false }],
    [0x32, { coverOpen: false, feedingByButton: false, stoppedByPaperEnd: true, errorOccurred: false }],
    [0x52, { coverOpen: false, feedingByButton: false, stoppedByPaperEnd: false, errorOccurred: true }],
  ])('0x%s', (byte, expected) => {
    expect(parseOfflineCause(byte)).toEqual(expected);
  });
});

describe('DLE EOT 3 (error cause)', () => {
  it.each([
    [0x12, { mechanical: false, autocutter: false, unrecoverable: false, autoRecoverable: false }],
    [0x16, { mechanical: true, autocutter: false, unrecoverable: false, autoRecoverable: false }],
    [0x1a, { mechanical: false, autocutter: true, unrecoverable: false, autoRecoverable: false }],
    [0x32, { mechanical: false, autocutter: false, unrecoverable: true, autoRecoverable: false }],
    [0x52, { mechanical: false, autocutter: false, unrecoverable: false, autoRecoverable: true }],
  ])('0x%s', (byte, expected) => {
    expect(parseErrorCause(byte)).toEqual(expected);
  });
});

describe('DLE EOT 4 (roll paper sensor)', () => {
  it.each([
    [0x12, { nearEnd: false, end: false }],
    [0x1e, { nearEnd: true, end: false }], // bits 2+3
    [0x16, { nearEnd: true, end: false }], // bit 2 alone (models with one sensor bit)
    [0x72, { nearEnd: false, end: true }], // bits 5+6
    [0x7e, { nearEnd: true, end: true }],
  ])('0x%s', (byte, expected) => {
    expect(parsePaperSensor(byte)).toEqual(expected);
  });
});

describe('combineStatus', () => {
  it('reads a ready printer with the drawer switch high', () => {
    expect(combineStatus(0x16, 0x12, 0x12)).toEqual({
      online: true,
      coverOpen: false,
      paper: 'ok',
      drawerPin3High: true,
      feedButton: false,
      error: false,
    });
  });

  it.each([
    [
      'cover open',
      0x1a,
      0x16,
      0x12,
      undefined,
      { online: false, coverOpen: true, paper: 'ok', error: false },
    ],
    [
      'paper out',
      0x1a,
      0x32,
      0x7e,
      undefined,
      { online: false, coverOpen: false, paper: 'out', error: false },
    ],
    ['paper near end', 0x12, 0x12, 0x1e, undefined, { online: true, paper: 'near_end' }],
    ['cutter jam', 0x1a, 0x52, 0x12, 0x1a, { online: false, error: true, errorCause: 'autocutter' }],
    ['unrecoverable', 0x1a, 0x52, 0x12, 0x32, { online: false, error: true, errorCause: 'unrecoverable' }],
  ])('%s', (_name, p, o, s, e, expected) => {
    expect(combineStatus(p, o, s, e)).toMatchObject(expected);
  });
});

describe('automatic status back', () => {
  it.each([
    [
      'idle',
      [0x10, 0x00, 0x00, 0x00],
      { online: true, coverOpen: false, paper: 'ok', drawerPin3High: false },
    ],
    ['drawer high', [0x14, 0x00, 0x00, 0x00], { drawerPin3High: true }],
    ['offline + cover', [0x38, 0x00, 0x00, 0x00], { online: false, coverOpen: true }],
    ['feed button', [0x50, 0x00, 0x00, 0x00], { feedButton: true }],
    ['near end', [0x10, 0x00, 0x03, 0x00], { paper: 'near_end' }],
    ['paper out', [0x18, 0x00, 0x0f, 0x00], { paper: 'out', online: false }],
    ['cutter', [0x18, 0x08, 0x00, 0x00], { error: true, errorCause: 'autocutter' }],
    ['mechanical', [0x18, 0x04, 0x00, 0x00], { error: true, errorCause: 'mechanical' }],
    ['unrecoverable', [0x18, 0x20, 0x00, 0x00], { error: true, errorCause: 'unrecoverable' }],
    ['auto-recoverable', [0x18, 0x40, 0x00, 0x00], { error: true, errorCause: 'auto_recoverable' }],
  ] as const)('%s', (_name, asb, expected) => {
    expect(parseAsb(asb)).toMatchObject(expected);
  });
});

describe('PrinterReplyParser', () => {
  it('tells DLE EOT replies, ASB blocks and fence answers apart in one stream', () => {
    const parser = new PrinterReplyParser();
    const replies = parser.push(Uint8Array.of(0x12, 0x10, 0x00, 0x03, 0x00, 0x00, 0x16, 0x03));
    expect(replies).toEqual([
      { kind: 'dle_eot', byte: 0x12 },
      { kind: 'asb', bytes: [0x10, 0x00, 0x03, 0x00] },
      { kind: 'fence', byte: 0x00 },
      { kind: 'dle_eot', byte: 0x16 },
      { kind: 'fence', byte: 0x03 },
    ]);
  });

  it('reads any interleaving of replies back, however the bytes are chunked', () => {
    const dleEot = fc
      .integer({ min: 0, max: 255 })
      .map((b) => ({ kind: 'dle_eot' as const, byte: (b & 0x6c) | 0x12 }));
    const fence = fc.integer({ min: 0, max: 255 }).map((b) => ({ kind: 'fence' as const, byte: b & 0x6f }));
    const asb = fc
      .tuple(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
      )
      .map(([a, b, c]) => ({
        kind: 'asb' as const,
        bytes: [(a & 0x6c) | 0x10, b & 0x6f, c & 0x6f, 0] as [number, number, number, number],
      }));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(dleEot, fence, asb), { maxLength: 20 }),
        fc.integer({ min: 1, max: 5 }),
        (replies, chunk) => {
          const bytes = replies.flatMap((r) => (r.kind === 'asb' ? r.bytes : [r.byte]));
          const parser = new PrinterReplyParser();
          const out = [];
          for (let i = 0; i < bytes.length; i += chunk)
            out.push(...parser.push(Uint8Array.from(bytes.slice(i, i + chunk))));
          expect(out).toEqual(replies);
        },
      ),
    );
  });

  it('keeps an ASB split across chunks together', () => {
    const parser = new PrinterReplyParser();
    expect(parser.push(Uint8Array.of(0x38, 0x00))).toEqual([]);
    expect(parser.push(Uint8Array.of(0x0c, 0x00))).toEqual([
      { kind: 'asb', bytes: [0x38, 0x00, 0x0c, 0x00] },
    ]);
  });

  it('reports bytes that fit no pattern', () => {
    expect(new PrinterReplyParser().push(Uint8Array.of(0x80, 0x5f))).toEqual([
      { kind: 'unknown', byte: 0x80 },
      { kind: 'unknown', byte: 0x5f },
    ]);
  });
});

describe('isReady / describeStatus', () => {
  const ready = { ...UNKNOWN_STATUS, online: true };
  it.each([
    [ready, true, 'The printer is ready.'],
    [
      { ...ready, paper: 'near_end' as const },
      true,
      'The printer paper is running low. Have a new roll ready.',
    ],
    [{ ...ready, paper: 'out' as const }, false, 'The printer is out of paper. Load a new roll.'],
    [{ ...ready, coverOpen: true }, false, 'The printer cover is open. Close it.'],
    [{ ...ready, online: false }, false, 'The printer is offline.'],
    [
      { ...ready, error: true, errorCause: 'autocutter' as const },
      false,
      'The printer cutter is jammed. Open the cover, clear the paper and close it.',
    ],
  ])('%#', (status, ready_, text) => {
    expect(isReady(status)).toBe(ready_);
    expect(describeStatus(status)).toBe(text);
  });
});
