/**
 * Chinese text for ESC/POS printers with a Chinese (GB18030/GBK) font, printed in "Kanji mode"
 * (FS & … FS .). The encoder we use has single-byte code pages only, so Chinese text is encoded here.
 * There is no GB18030 encoder in Node, but its decoder (WHATWG TextDecoder, ICU) covers the table:
 * decoding every two-byte sequence once gives the reverse map. Printers only hold the two-byte part
 * of GB18030 (the GBK repertoire); characters outside it (four-byte sequences) print as '?'.
 */

let table: Map<number, number> | undefined;

function encodeTable(): Map<number, number> {
  if (table !== undefined) return table;
  const pairs: number[] = [];
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail !== 0x7f) pairs.push(lead, trail);
    }
  }
  const text = new TextDecoder('gb18030').decode(Uint8Array.from(pairs));
  const map = new Map<number, number>();
  // Every valid pair decodes to exactly one BMP character, so positions line up.
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const lead = pairs[2 * i] ?? 0;
    const trail = pairs[2 * i + 1] ?? 0;
    if (!map.has(code)) map.set(code, (lead << 8) | trail);
  }
  table = map;
  return map;
}

/** GB18030 two-byte encoding of `text`; ASCII passes through; anything else becomes '?'. */
export function encodeGb18030(text: string): Uint8Array {
  const map = encodeTable();
  const out: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0x3f;
    if (code < 0x80) {
      out.push(code);
      continue;
    }
    const pair = code <= 0xffff ? map.get(code) : undefined;
    if (pair === undefined) out.push(0x3f);
    else out.push(pair >> 8, pair & 0xff);
  }
  return Uint8Array.from(out);
}

export function decodeGb18030(bytes: Uint8Array): string {
  return new TextDecoder('gb18030').decode(bytes);
}

/** East Asian wide characters take two columns on a receipt, as they do on the printer. */
export function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6)
  );
}

export function hasWide(text: string): boolean {
  for (const char of text) if (isWide(char.codePointAt(0) ?? 0)) return true;
  return false;
}

/** Columns `text` takes on the printer. */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += isWide(char.codePointAt(0) ?? 0) ? 2 : 1;
  return width;
}
