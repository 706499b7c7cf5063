/**
 * The "print head" of the ESC/POS printer simulator: executes tokens (escpos-tokenizer.ts) onto a
 * paper roll model: text lines with their style, barcodes and QR codes with their decoded data,
 * raster images, cuts and drawer pulses. Text bytes are decoded with the code table selected by
 * ESC t n, in the numbering of the printer model being simulated; Kanji mode (FS &) reads GB18030.
 *
 * The code tables come from the encoder itself: encoding a sample of characters with one code page
 * gives both the ESC t number the model uses for it and, position by position, each byte's character.
 * So the simulator decodes what the renderer encoded without a second, hand-written copy of the tables.
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { decodeGb18030 } from '../devices/printer/gb18030.ts';
import type { EncoderPrinterModel } from '../devices/printer/profiles.ts';
import type { EscPosToken } from '../devices/printer/escpos-tokenizer.ts';

type Codepage = Parameters<ReceiptPrinterEncoder['codepage']>[0];

/** Code pages the simulator can read (the ones codepageCandidatesFor uses, and common defaults). */
const SIMULATED_CODEPAGES: readonly Codepage[] = [
  'cp437',
  'cp850',
  'cp852',
  'cp857',
  'cp858',
  'cp866',
  'cp737',
  'windows1252',
];

const SAMPLE_RANGES: readonly (readonly [number, number])[] = [
  [0xa1, 0x17f],
  [0x391, 0x3c9],
  [0x400, 0x45f],
  [0x2500, 0x25a0],
];
const SAMPLE_EXTRA = '€ƒ‗';
/** Below the narrowest paper (32 columns), so the encoder never wraps a probe. */
const PROBE_CHUNK = 30;
/** ESC @, FS ., ESC M 0, ESC t n: what the encoder emits before the probe text. */
const PROBE_PREFIX = 10;

export type CodeTables = ReadonlyMap<number, readonly string[]>;

const tableCache = new Map<EncoderPrinterModel, CodeTables>();

/** ESC t number → 256 characters (bytes below 0x80 are ASCII) for a printer model. */
export function codeTablesFor(model: EncoderPrinterModel): CodeTables {
  const cached = tableCache.get(model);
  if (cached !== undefined) return cached;
  let sample = '';
  for (const [from, to] of SAMPLE_RANGES) for (let c = from; c <= to; c++) sample += String.fromCharCode(c);
  sample += SAMPLE_EXTRA;
  const tables = new Map<number, string[]>();
  for (const codepage of SIMULATED_CODEPAGES) {
    const chars: string[] = [];
    for (let i = 0; i < 256; i++) chars.push(i < 0x80 ? String.fromCharCode(i) : '?');
    let number: number | undefined;
    try {
      // One probe per code page: the sample in chunks of one line each, so nothing wraps.
      const encoder = new ReceiptPrinterEncoder({ printerModel: model, newline: '\n' })
        .initialize()
        .codepage(codepage);
      const chunks: string[] = [];
      for (let start = 0; start < sample.length; start += PROBE_CHUNK)
        chunks.push(sample.slice(start, start + PROBE_CHUNK));
      for (const chunk of chunks) encoder.text(chunk).newline();
      const bytes = encoder.encode();
      number = bytes[PROBE_PREFIX - 1];
      let offset = PROBE_PREFIX;
      for (const chunk of chunks) {
        for (let k = 0; k < chunk.length; k++) {
          const byte = bytes[offset + k] ?? 0;
          if (byte >= 0x80 && chars[byte] === '?') chars[byte] = chunk[k] ?? '?';
        }
        offset += chunk.length + 1; // the chunk and its LF
      }
    } catch {
      continue; // the model has no such code page
    }
    if (number !== undefined && !tables.has(number)) tables.set(number, chars);
  }
  tableCache.set(model, tables);
  return tables;
}

export interface TextStyle {
  readonly bold: boolean;
  readonly underline: boolean;
  readonly invert: boolean;
  /** GS ! width and height multipliers (1–8). */
  readonly width: number;
  readonly height: number;
  readonly font: 'A' | 'B';
}

export type Alignment = 'left' | 'center' | 'right';

export interface TextSegment {
  readonly text: string;
  readonly style: TextStyle;
}

export type PaperItem =
  | {
      readonly kind: 'text';
      readonly text: string;
      /** The style of the line's first visible character. */
      readonly style: TextStyle;
      /** The line as printed, run by run, for a preview that shows inverted words as such. */
      readonly segments: readonly TextSegment[];
      readonly align: Alignment;
    }
  | {
      readonly kind: 'barcode';
      readonly symbology: BarcodeSymbology;
      readonly data: string;
      readonly height: number;
      readonly moduleWidth: number;
      readonly align: Alignment;
    }
  | { readonly kind: 'qr'; readonly data: string; readonly moduleSize: number; readonly align: Alignment }
  | {
      readonly kind: 'image';
      readonly widthBytes: number;
      readonly height: number;
      readonly bits: Uint8Array;
    }
  | { readonly kind: 'cut'; readonly partial: boolean };

export type BarcodeSymbology =
  'upca' | 'upce' | 'ean13' | 'ean8' | 'code39' | 'itf' | 'codabar' | 'code93' | 'code128';

/** GS k m (function A: 0–6, function B: 65–73). */
const BARCODE_TYPES: ReadonlyMap<number, BarcodeSymbology> = new Map([
  [0, 'upca'],
  [1, 'upce'],
  [2, 'ean13'],
  [3, 'ean8'],
  [4, 'code39'],
  [5, 'itf'],
  [6, 'codabar'],
  [65, 'upca'],
  [66, 'upce'],
  [67, 'ean13'],
  [68, 'ean8'],
  [69, 'code39'],
  [70, 'itf'],
  [71, 'codabar'],
  [72, 'code93'],
  [73, 'code128'],
]);

export interface DrawerPulse {
  /** 0 = connector pin 2, 1 = pin 5. */
  readonly pin: 0 | 1;
  readonly onMs: number;
  readonly offMs: number;
}

const DEFAULT_STYLE: TextStyle = {
  bold: false,
  underline: false,
  invert: false,
  width: 1,
  height: 1,
  font: 'A',
};

/**
 * CODE128 data as GS k m=73 carries it: "{A", "{B", "{C" select the code set, "{{" is a literal "{",
 * "{1"–"{4" are FNC1–4 and "{S" shifts; in code set C each byte is a pair of digits.
 */
export function decodeCode128Data(data: Uint8Array): string {
  let set: 'A' | 'B' | 'C' = 'B';
  let out = '';
  for (let i = 0; i < data.length; i++) {
    const byte = data[i] ?? 0;
    if (byte === 0x7b) {
      const next = data[i + 1];
      i += 1;
      if (next === 0x41) set = 'A';
      else if (next === 0x42) set = 'B';
      else if (next === 0x43) set = 'C';
      else if (next === 0x7b) out += '{';
      continue;
    }
    out += set === 'C' ? String(byte).padStart(2, '0') : String.fromCharCode(byte);
  }
  return out;
}

/**
 * ESC * bit-image data (one band: 8 dots high in modes 0/1, 24 in modes 32/33, one or three bytes per
 * column, top bit first) turned into raster rows like GS v 0, so the preview draws both alike.
 */
function columnImage(mode: number, columns: number, data: Uint8Array | undefined): PaperItem {
  const bytesPerColumn = mode === 32 || mode === 33 ? 3 : 1;
  const height = bytesPerColumn * 8;
  const widthBytes = Math.ceil(columns / 8);
  const bits = new Uint8Array(widthBytes * height);
  for (let x = 0; x < columns; x++) {
    for (let y = 0; y < height; y++) {
      const byte = data?.[x * bytesPerColumn + (y >> 3)] ?? 0;
      if (((byte >> (7 - (y & 7))) & 1) === 0) continue;
      const index = y * widthBytes + (x >> 3);
      bits[index] = (bits[index] ?? 0) | (0x80 >> (x & 7));
    }
  }
  return { kind: 'image', widthBytes, height, bits };
}

export class EscPosInterpreter {
  readonly items: PaperItem[] = [];
  readonly pulses: DrawerPulse[] = [];
  #style: TextStyle = DEFAULT_STYLE;
  #align: Alignment = 'left';
  #table = 0;
  #kanji = false;
  #line = '';
  #segments: TextSegment[] = [];
  #lineStyle: TextStyle | undefined;
  #barcodeHeight = 162;
  #barcodeWidth = 3;
  #qr = { moduleSize: 3, data: '' };
  readonly #tables: CodeTables;

  constructor(model: EncoderPrinterModel) {
    this.#tables = codeTablesFor(model);
  }

  /** Text lines printed so far, in order (the transcript). */
  get lines(): string[] {
    return this.items.flatMap((item) => (item.kind === 'text' ? [item.text] : []));
  }

  /** Executes one token. Returns true when it fed a line (for paper-out counting). */
  execute(token: EscPosToken): boolean {
    const [p0 = 0, p1 = 0, p2 = 0] = token.params;
    switch (token.name) {
      case 'TEXT':
        this.#text(token.data ?? token.bytes);
        return false;
      case 'LF':
        this.#feed();
        return true;
      case 'ESC d':
        this.#feed();
        for (let i = 1; i < p0; i++) this.#feed();
        return true;
      case 'ESC @':
        this.#line = '';
        this.#segments = [];
        this.#lineStyle = undefined;
        this.#style = DEFAULT_STYLE;
        this.#align = 'left';
        this.#table = 0;
        this.#kanji = false;
        return false;
      case 'ESC E':
        this.#setStyle({ bold: (p0 & 1) === 1 });
        return false;
      case 'ESC -':
        this.#setStyle({ underline: (p0 & 3) !== 0 });
        return false;
      case 'ESC M':
        this.#setStyle({ font: (p0 & 1) === 1 ? 'B' : 'A' });
        return false;
      case 'GS !':
        this.#setStyle({ width: ((p0 >> 4) & 7) + 1, height: (p0 & 7) + 1 });
        return false;
      case 'GS B':
        this.#setStyle({ invert: (p0 & 1) === 1 });
        return false;
      case 'ESC a':
        this.#align = p0 === 1 || p0 === 49 ? 'center' : p0 === 2 || p0 === 50 ? 'right' : 'left';
        return false;
      case 'ESC t':
        this.#table = p0;
        return false;
      case 'FS &':
        this.#kanji = true;
        return false;
      case 'FS .':
        this.#kanji = false;
        return false;
      case 'GS h':
        this.#barcodeHeight = p0;
        return false;
      case 'GS w':
        this.#barcodeWidth = p0;
        return false;
      case 'GS k':
        this.#barcode(p0, token.data ?? new Uint8Array(0));
        return true;
      case 'GS ( k':
        return this.#twoDimensional(p0, p1, token.data ?? new Uint8Array(0));
      case 'GS v 0': {
        const [, xL = 0, xH = 0, yL = 0, yH = 0] = token.params;
        this.items.push({
          kind: 'image',
          widthBytes: xL + xH * 256,
          height: yL + yH * 256,
          bits: token.data ?? new Uint8Array(0),
        });
        return true;
      }
      case 'ESC *':
        this.items.push(columnImage(p0, (token.params[1] ?? 0) + (token.params[2] ?? 0) * 256, token.data));
        return true;
      case 'GS V':
        this.#flushPartial();
        this.items.push({ kind: 'cut', partial: p0 === 1 || p0 === 49 || p0 === 66 || p0 === 98 });
        return false;
      case 'ESC p':
        this.pulses.push({ pin: (p0 & 1) === 1 ? 1 : 0, onMs: p1 * 2, offMs: p2 * 2 });
        return false;
      default:
        // CR, spacing, margins, images in column mode…: no effect on the transcript.
        return false;
    }
  }

  #setStyle(change: Partial<TextStyle>): void {
    this.#style = { ...this.#style, ...change };
  }

  #text(bytes: Uint8Array): void {
    let text: string;
    if (this.#kanji) {
      text = decodeGb18030(bytes);
    } else {
      const table = this.#tables.get(this.#table);
      text = '';
      for (const byte of bytes) text += byte < 0x80 ? String.fromCharCode(byte) : (table?.[byte] ?? '?');
    }
    // A line takes the style of its first visible character (enough for a preview).
    if (this.#lineStyle === undefined && text.trim() !== '') this.#lineStyle = this.#style;
    this.#line += text;
    this.#segments.push({ text, style: this.#style });
  }

  #feed(): void {
    this.items.push({
      kind: 'text',
      text: this.#line.trimEnd(),
      style: this.#lineStyle ?? this.#style,
      segments: this.#segments,
      align: this.#align,
    });
    this.#line = '';
    this.#segments = [];
    this.#lineStyle = undefined;
  }

  #flushPartial(): void {
    if (this.#line !== '') this.#feed();
  }

  #barcode(m: number, data: Uint8Array): void {
    const symbology = BARCODE_TYPES.get(m);
    if (symbology === undefined) return;
    const text = symbology === 'code128' ? decodeCode128Data(data) : new TextDecoder('latin1').decode(data);
    this.items.push({
      kind: 'barcode',
      symbology,
      data: text,
      height: this.#barcodeHeight,
      moduleWidth: this.#barcodeWidth,
      align: this.#align,
    });
  }

  /** GS ( k with cn = 49 (QR): 67 module size, 80 store data, 81 print. PDF417 (cn 48) is ignored. */
  #twoDimensional(cn: number, fn: number, data: Uint8Array): boolean {
    if (cn !== 49) return false;
    if (fn === 67) this.#qr = { ...this.#qr, moduleSize: data[0] ?? 3 };
    if (fn === 80) this.#qr = { ...this.#qr, data: new TextDecoder('utf-8').decode(data.subarray(1)) };
    if (fn === 81) {
      this.items.push({
        kind: 'qr',
        data: this.#qr.data,
        moduleSize: this.#qr.moduleSize,
        align: this.#align,
      });
      return true;
    }
    return false;
  }
}
