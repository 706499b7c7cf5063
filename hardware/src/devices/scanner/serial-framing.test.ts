import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../device/errors.ts';
import { SerialScanFramer, type SerialFramingConfig } from './serial-framing.ts';

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function describeResults(results: readonly (string | DeviceError)[]): string[] {
  return results.map((result) => (result instanceof DeviceError ? `error:${result.code}` : `scan:${result}`));
}

function framer(config: Partial<SerialFramingConfig> = {}): SerialScanFramer {
  return new SerialScanFramer({ terminator: 'CR', prefix: '', maxLength: 64, ...config });
}

describe('SerialScanFramer', () => {
  it.each<[string, Partial<SerialFramingConfig>, string, string[]]>([
    ['CR', { terminator: 'CR' }, '123\r456\r', ['scan:123', 'scan:456']],
    ['LF', { terminator: 'LF' }, '123\n456\n', ['scan:123', 'scan:456']],
    ['CRLF', { terminator: 'CRLF' }, '123\r\n456\r\n', ['scan:123', 'scan:456']],
    ['CRLF sent to a CR till', { terminator: 'CR' }, '123\r\n456\r\n', ['scan:123', 'scan:456']],
    ['CRLF sent to an LF till', { terminator: 'LF' }, '123\r\n456\r\n', ['scan:123', 'scan:456']],
    ['bare terminators', { terminator: 'CR' }, '\r\r\n\r', []],
    ['an unfinished frame', { terminator: 'CRLF' }, '123\r', []],
    ['a prefix', { prefix: '\u0002' }, '\u0002]E04006381333931\r', ['scan:]E04006381333931']],
    [
      'a frame that lost its prefix',
      { prefix: '\u0002' },
      '81333931\r\u0002590\r',
      ['error:partial_scan', 'scan:590'],
    ],
    ['a control character (interpretScan refuses it later)', {}, '12\u000734\r', ['scan:12\u000734']],
    ['a GS separator', {}, ']C101040063813339311710\u001d10AB\r', ['scan:]C101040063813339311710\u001d10AB']],
  ])('frames %s', (_case, config, input, expected) => {
    expect(describeResults(framer(config).push(bytes(input)))).toEqual(expected);
  });

  it('refuses bytes that are not text (wrong baud rate) and reads the next code', () => {
    const results = framer().push(Uint8Array.of(0xff, 0xfe, 0x80, 0x0d, 0x35, 0x0d));
    expect(describeResults(results)).toEqual(['error:invalid_scan', 'scan:5']);
    expect((results[0] as DeviceError).message).toBe(
      'The scanner sent unreadable data. Scan the item again; if it repeats, check the scanner’s connection settings (baud rate).',
    );
  });

  it('reads UTF-8 text as sent (a QR code with accents)', () => {
    expect(describeResults(framer().push(utf8(']Q1Café\r')))).toEqual(['scan:]Q1Café']);
  });

  it('drops a partial frame on request, and the next frame stands alone', () => {
    const f = framer();
    expect(f.push(bytes('400638'))).toEqual([]);
    expect(f.hasPartial).toBe(true);
    expect(f.discardPartial()?.code).toBe('partial_scan');
    expect(f.hasPartial).toBe(false);
    expect(describeResults(f.push(bytes('5901234123457\r')))).toEqual(['scan:5901234123457']);
    expect(f.discardPartial()).toBeNull();
  });

  it('refuses an overlong frame once and skips its tail up to the next terminator', () => {
    const f = framer({ maxLength: 8 });
    expect(describeResults(f.push(bytes('0123456789')))).toEqual(['error:invalid_scan']);
    expect(describeResults(f.push(bytes('ABCDEFGHIJKLMNOP\r')))).toEqual([]);
    expect(describeResults(f.push(bytes('12345678\r')))).toEqual(['scan:12345678']);
  });

  it('finds a CRLF terminator split across reads while skipping an overlong frame', () => {
    const f = framer({ terminator: 'CRLF', maxLength: 4 });
    expect(describeResults(f.push(bytes('123456\r')))).toEqual(['error:invalid_scan']);
    expect(describeResults(f.push(bytes('\n77\r\n')))).toEqual(['scan:77']);
  });

  it('yields the same scans however the bytes are chunked', () => {
    const code = fc.stringMatching(/^[0-9A-Za-z][0-9A-Za-z\]\-.]{0,29}$/);
    fc.assert(
      fc.property(
        fc.array(code, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('CR', 'LF', 'CRLF'),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        (codes, terminator, cuts) => {
          const suffix = terminator === 'CR' ? '\r' : terminator === 'LF' ? '\n' : '\r\n';
          const stream = bytes(codes.map((c) => c + suffix).join(''));
          const f = new SerialScanFramer({ terminator, prefix: '', maxLength: 64 });
          const out: (string | DeviceError)[] = [];
          let at = 0;
          let i = 0;
          while (at < stream.length) {
            const size = cuts[i++ % cuts.length] ?? 1;
            out.push(...f.push(stream.subarray(at, at + size)));
            at += size;
          }
          expect(describeResults(out)).toEqual(codes.map((c) => `scan:${c}`));
          expect(f.hasPartial).toBe(false);
        },
      ),
    );
  });
});
