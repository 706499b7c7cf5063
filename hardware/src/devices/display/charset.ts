/**
 * Text for single-byte pole displays. Two character sets:
 *
 * - 'ascii': printable ASCII only; works on every display (any code table agrees on 0x20–0x7E).
 * - 'wpc1252': Windows-1252 (Epson code table 16), which covers Western European letters and €.
 *
 * Fallback, in this order, for a character the set cannot show:
 *   1. a few fixed spellings: € → EUR, ß → ss, æ → ae, œ → oe, ø → o, ł → l, đ → d, typographic
 *      quotes and dashes → ' " -, … → ...;
 *   2. the letter without its accents (canonical decomposition, marks dropped): ő → o, Ç → C;
 *   3. '?'.
 * Control characters become spaces: text must never be able to send a command to the display.
 */

export type DisplayCharset = 'ascii' | 'wpc1252';
export const DISPLAY_CHARSETS: readonly DisplayCharset[] = ['ascii', 'wpc1252'];

const SPELLINGS: Readonly<Record<string, string>> = {
  '€': 'EUR',
  ß: 'ss',
  Æ: 'AE',
  æ: 'ae',
  Œ: 'OE',
  œ: 'oe',
  Ø: 'O',
  ø: 'o',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u00a0': ' ',
};

/**
 * Windows-1252 above ASCII: 0xA0–0xFF are Latin-1 (byte = code point); 0x80–0x9F hold these (the
 * WHATWG index; 0x81, 0x8D, 0x8F, 0x90 and 0x9D are unassigned). Written out rather than taken from
 * TextDecoder, because Node 20's windows-1252 decoder treats 0x80–0x9F as Latin-1 controls.
 */
const WPC1252_80_9F = '€\u0000‚ƒ„…†‡ˆ‰Š‹Œ\u0000Ž\u0000\u0000‘’“”•–—˜™š›œ\u0000žŸ';

const WPC1252: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  Array.from(WPC1252_80_9F).forEach((char, i) => {
    if (char !== '\u0000') map.set(char, 0x80 + i);
  });
  for (let byte = 0xa0; byte <= 0xff; byte++) map.set(String.fromCharCode(byte), byte);
  return map;
})();

const WPC1252_BY_BYTE: ReadonlyMap<number, string> = new Map(
  [...WPC1252].map(([char, byte]) => [byte, char]),
);

function byteOf(char: string, charset: DisplayCharset): number | undefined {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0x20 && code < 0x7f) return code;
  return charset === 'wpc1252' ? WPC1252.get(char) : undefined;
}

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** Rewrites `text` into characters the charset can show (see the fallback rules above). */
export function toDisplayText(text: string, charset: DisplayCharset): string {
  let out = '';
  for (const char of text.normalize('NFC')) {
    const code = char.codePointAt(0) ?? 0;
    if (isControl(code)) out += ' ';
    else if (byteOf(char, charset) !== undefined) out += char;
    else out += fallback(char, charset);
  }
  return out;
}

function fallback(char: string, charset: DisplayCharset): string {
  const spelled = SPELLINGS[char];
  if (spelled !== undefined) return spelled;
  const bare = char.normalize('NFD').replace(/\p{M}/gu, '');
  if (bare.length > 0 && Array.from(bare).every((c) => byteOf(c, charset) !== undefined)) return bare;
  return '?';
}

/** Fits display text to `columns`: clipped, padded with spaces so it overwrites what was there. */
export function fitLine(text: string, columns: number, charset: DisplayCharset): string {
  const chars = Array.from(toDisplayText(text, charset));
  return chars.slice(0, columns).join('').padEnd(columns, ' ');
}

/** Encodes text that `toDisplayText` produced; one byte per character. */
export function encodeDisplayText(text: string, charset: DisplayCharset): Uint8Array {
  const chars = Array.from(text);
  const out = new Uint8Array(chars.length);
  chars.forEach((char, i) => {
    out[i] = byteOf(char, charset) ?? 0x3f;
  });
  return out;
}

/** Decodes display bytes back to text (used by the simulator). */
export function decodeDisplayByte(byte: number, charset: DisplayCharset): string {
  if (byte >= 0x20 && byte < 0x7f) return String.fromCharCode(byte);
  return (charset === 'wpc1252' ? WPC1252_BY_BYTE.get(byte) : undefined) ?? '?';
}

/**
 * "Total" and "12.50 EUR" on one line: the right text flush right, the left text clipped first so the
 * amount always shows whole.
 */
export function justifyLine(left: string, right: string, columns: number, charset: DisplayCharset): string {
  const rightChars = Array.from(toDisplayText(right, charset)).slice(0, columns);
  const room = Math.max(0, columns - rightChars.length - 1);
  const leftChars = Array.from(toDisplayText(left, charset)).slice(0, room);
  return (
    leftChars.join('') + ' '.repeat(columns - leftChars.length - rightChars.length) + rightChars.join('')
  );
}
