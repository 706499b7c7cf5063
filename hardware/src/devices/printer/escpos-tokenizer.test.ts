import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EscPosTokenizer, tokenizeEscPos } from './escpos-tokenizer.ts';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const names = (input: Uint8Array): string[] => tokenizeEscPos(input).map((t) => t.name);

describe('tokenizeEscPos', () => {
  it.each([
    ['ESC @', [0x1b, 0x40], []],
    ['ESC E', [0x1b, 0x45, 0x01], [1]],
    ['ESC t', [0x1b, 0x74, 0x13], [19]],
    ['ESC a', [0x1b, 0x61, 0x01], [1]],
    ['ESC p', [0x1b, 0x70, 0x00, 0x32, 0xfa], [0, 50, 250]],
    ['ESC d', [0x1b, 0x64, 0x03], [3]],
    ['GS !', [0x1d, 0x21, 0x11], [0x11]],
    ['GS B', [0x1d, 0x42, 0x01], [1]],
    ['GS a', [0x1d, 0x61, 0x0f], [15]],
    ['GS r', [0x1d, 0x72, 0x01], [1]],
    ['GS V', [0x1d, 0x56, 0x01], [1]],
    ['GS V', [0x1d, 0x56, 0x42, 0x03], [66, 3]],
    ['GS L', [0x1d, 0x4c, 0x10, 0x00], [16, 0]],
    ['FS .', [0x1c, 0x2e], []],
    ['FS &', [0x1c, 0x26], []],
    ['DLE EOT', [0x10, 0x04, 0x02], [2]],
    ['DLE ENQ', [0x10, 0x05, 0x02], [2]],
    ['DLE DC4', [0x10, 0x14, 0x01, 0x00, 0x05], [1, 0, 5]],
  ])('%s %j', (name, input, params) => {
    const tokens = tokenizeEscPos(Uint8Array.from(input));
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ kind: 'command', name, params });
    expect([...(tokens[0]?.bytes ?? [])]).toEqual(input);
  });

  it('reads GS k function B (length-prefixed) and function A (NUL-terminated) barcodes', () => {
    const [b] = tokenizeEscPos(bytes(0x1d, 0x6b, 0x49, 0x05, 0x7b, 0x42, 0x41, 0x42, 0x43, 0x0a));
    expect(b).toMatchObject({ name: 'GS k', params: [73, 5] });
    expect(Buffer.from(b?.data ?? []).toString('latin1')).toBe('{BABC');
    const tokens = tokenizeEscPos(bytes(0x1d, 0x6b, 0x02, 0x34, 0x30, 0x00, 0x41));
    expect(tokens.map((t) => t.name)).toEqual(['GS k', 'TEXT']);
    expect(Buffer.from(tokens[0]?.data ?? []).toString('latin1')).toBe('40');
  });

  it('reads GS ( k with its length prefix and names cn/fn', () => {
    // Store "AB" in the QR symbol storage: pL = 5 (cn fn m + 2 bytes).
    const [t] = tokenizeEscPos(bytes(0x1d, 0x28, 0x6b, 0x05, 0x00, 0x31, 0x50, 0x30, 0x41, 0x42));
    expect(t).toMatchObject({ name: 'GS ( k', params: [0x31, 0x50] });
    expect([...(t?.data ?? [])]).toEqual([0x30, 0x41, 0x42]);
  });

  it('reads GS v 0 raster images by their declared size', () => {
    // 2 bytes wide, 2 rows: 4 data bytes, then text.
    const input = bytes(0x1d, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 0xff, 0x00, 0x0f, 0xf0, 0x41);
    expect(names(input)).toEqual(['GS v 0', 'TEXT']);
  });

  it('merges printable bytes into one text token and leaves controls apart', () => {
    expect(names(bytes(0x41, 0x82, 0x43, 0x0a, 0x0d))).toEqual(['TEXT', 'LF', 'CR']);
  });

  it('reads Kanji mode text two bytes at a time, so a trail byte is never taken for a command', () => {
    // 中 in GB18030 is D6 D0; 0x1B as a trail byte cannot occur, but 0x40–0x7E can: "丂" is 81 40.
    const tokens = tokenizeEscPos(bytes(0x1c, 0x26, 0x81, 0x40, 0xd6, 0xd0, 0x1c, 0x2e, 0x0a));
    expect(tokens.map((t) => t.name)).toEqual(['FS &', 'TEXT', 'FS .', 'LF']);
    expect([...(tokens[1]?.bytes ?? [])]).toEqual([0x81, 0x40, 0xd6, 0xd0]);
  });

  it('marks unknown bytes one at a time and a cut-off command as TRUNCATED', () => {
    expect(names(bytes(0x1b, 0x99, 0x41))).toEqual(['UNKNOWN', 'TEXT']);
    expect(names(bytes(0x00))).toEqual(['UNKNOWN']);
    expect(names(bytes(0x1b, 0x70, 0x00))).toEqual(['TRUNCATED']);
  });

  it('gives the same tokens however the stream is chunked', () => {
    const job = bytes(
      0x1b,
      0x40,
      0x1b,
      0x45,
      0x01,
      0x48,
      0x69,
      0x0a,
      0x1d,
      0x6b,
      0x49,
      0x03,
      0x7b,
      0x42,
      0x31,
      0x1d,
      0x28,
      0x6b,
      0x04,
      0x00,
      0x31,
      0x41,
      0x32,
      0x00,
      0x10,
      0x04,
      0x01,
      0x1d,
      0x56,
      0x00,
    );
    // A text run split by a chunk boundary comes out as two TEXT tokens; merge them to compare.
    const merge = (tokens: [string, number[]][]): [string, number[]][] =>
      tokens.reduce<[string, number[]][]>((acc, [name, b]) => {
        const last = acc.at(-1);
        if (last?.[0] === 'TEXT' && name === 'TEXT') last[1].push(...b);
        else acc.push([name, [...b]]);
        return acc;
      }, []);
    const whole = merge(tokenizeEscPos(job).map((t) => [t.name, [...t.bytes]]));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: job.length - 1 }), { maxLength: 6 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const tokenizer = new EscPosTokenizer();
        const out: [string, number[]][] = [];
        let from = 0;
        for (const point of [...points, job.length]) {
          for (const t of tokenizer.push(job.slice(from, point))) out.push([t.name, [...t.bytes]]);
          from = point;
        }
        expect(merge(out)).toEqual(whole);
        expect(tokenizer.pendingLength).toBe(0);
      }),
    );
  });
});
