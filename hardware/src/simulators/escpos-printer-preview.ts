/**
 * A PNG preview of what the simulated printer printed. Text is drawn as block glyphs (one dark box
 * per visible character, in the character cell of font A scaled by GS !), which shows the layout
 * without a font. Barcodes and QR codes are drawn for real, from the data decoded out of GS k and
 * GS ( k, with bwip-js, so a scanner (zbarimg in the tests) reads back exactly what the printer got.
 */
import bwipjs from 'bwip-js/node';
import { PNG } from 'pngjs';
import type { Alignment, PaperItem, TextSegment, TextStyle } from './escpos-printer-interpreter.ts';

export interface PreviewOptions {
  /** Printable dots per line (576 for 80 mm, 384 for 58 mm). */
  readonly dots: number;
  readonly margin?: number;
}

const CELL_WIDTH = 12;
const CELL_HEIGHT = 24;
const LINE_GAP = 6;

const BWIP_SYMBOLOGY: Readonly<Record<string, string>> = {
  upca: 'upca',
  upce: 'upce',
  ean13: 'ean13',
  ean8: 'ean8',
  code39: 'code39',
  itf: 'interleaved2of5',
  codabar: 'rationalizedCodabar',
  code93: 'code93',
  code128: 'code128',
};

interface Bitmap {
  readonly width: number;
  readonly height: number;
  /** 1 = black. */
  readonly pixels: Uint8Array;
}

/** Draws the paper items as a black-on-white PNG. */
export async function renderPreview(items: readonly PaperItem[], options: PreviewOptions): Promise<Buffer> {
  const margin = options.margin ?? 16;
  const blocks: { bitmap: Bitmap; align: Alignment }[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'text':
        blocks.push({
          bitmap: textBitmap(item.segments),
          align: 'left',
        });
        break;
      case 'barcode': {
        const png = await bwipjs.toBuffer({
          bcid: BWIP_SYMBOLOGY[item.symbology] ?? 'code128',
          text: item.data,
          scaleX: Math.max(1, item.moduleWidth),
          scaleY: 1,
          // bwip-js measures height in millimetres at 72 dpi; GS h gave it in dots.
          height: Math.max(5, item.height / (72 / 25.4)),
          paddingwidth: 10,
          paddingheight: 4,
          backgroundcolor: 'FFFFFF',
        });
        blocks.push({ bitmap: fromPng(png), align: item.align });
        break;
      }
      case 'qr': {
        const png = await bwipjs.toBuffer({
          bcid: 'qrcode',
          text: item.data,
          scale: Math.max(1, item.moduleSize),
          paddingwidth: 4,
          paddingheight: 4,
          backgroundcolor: 'FFFFFF',
        });
        blocks.push({ bitmap: fromPng(png), align: item.align });
        break;
      }
      case 'image':
        blocks.push({ bitmap: rasterBitmap(item.widthBytes, item.height, item.bits), align: 'left' });
        break;
      case 'cut':
        blocks.push({ bitmap: cutBitmap(options.dots), align: 'left' });
        break;
    }
  }
  const width = options.dots + 2 * margin;
  const height = blocks.reduce((sum, b) => sum + b.bitmap.height + LINE_GAP, 2 * margin);
  const png = new PNG({ width, height });
  png.data.fill(0xff);
  let y = margin;
  for (const { bitmap, align } of blocks) {
    const free = options.dots - bitmap.width;
    const x = margin + (align === 'center' ? Math.floor(free / 2) : align === 'right' ? free : 0);
    blit(png, bitmap, Math.max(0, x), y);
    y += bitmap.height + LINE_GAP;
  }
  return PNG.sync.write(png);
}

function textBitmap(segments: readonly TextSegment[]): Bitmap {
  const cells: { char: string; style: TextStyle }[] = [];
  for (const segment of segments)
    for (const char of Array.from(segment.text)) cells.push({ char, style: segment.style });
  const height = CELL_HEIGHT * Math.max(1, ...cells.map((c) => c.style.height));
  const width = Math.max(
    1,
    cells.reduce((sum, c) => sum + CELL_WIDTH * c.style.width, 0),
  );
  const pixels = new Uint8Array(width * height);
  let left = 0;
  for (const { char, style } of cells) {
    const cellW = CELL_WIDTH * style.width;
    const cellH = CELL_HEIGHT * style.height;
    const base = height - cellH;
    const ink = style.invert ? 0 : 1;
    if (style.invert) fill(pixels, width, left, base, left + cellW, height, 1);
    if (char.trim() !== '') {
      // Lower-case letters are shorter boxes, so words keep a recognisable outline.
      const top = base + (/[a-z]/.test(char) ? Math.round(cellH * 0.35) : Math.round(cellH * 0.12));
      const inset = Math.round(cellW * 0.15);
      fill(pixels, width, left + inset, top, left + cellW - inset, base + Math.round(cellH * 0.85), ink);
    }
    left += cellW;
  }
  return { width, height, pixels };
}

function fill(
  pixels: Uint8Array,
  width: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  value: number,
): void {
  for (let y = y0; y < y1; y++) pixels.fill(value, y * width + x0, y * width + x1);
}

function rasterBitmap(widthBytes: number, height: number, bits: Uint8Array): Bitmap {
  const width = widthBytes * 8;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = bits[y * widthBytes + (x >> 3)] ?? 0;
      pixels[y * width + x] = (byte >> (7 - (x & 7))) & 1;
    }
  }
  return { width, height, pixels };
}

function cutBitmap(width: number): Bitmap {
  const height = 3;
  const pixels = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) if (x % 8 < 4) pixels[width + x] = 1;
  return { width, height, pixels };
}

function fromPng(buffer: Buffer): Bitmap {
  const png = PNG.sync.read(buffer);
  const pixels = new Uint8Array(png.width * png.height);
  for (let i = 0; i < pixels.length; i++) {
    const r = png.data[i * 4] ?? 255;
    const alpha = png.data[i * 4 + 3] ?? 255;
    pixels[i] = alpha > 127 && r < 128 ? 1 : 0;
  }
  return { width: png.width, height: png.height, pixels };
}

function blit(png: PNG, bitmap: Bitmap, left: number, top: number): void {
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      const px = left + x;
      const py = top + y;
      if (px >= png.width || py >= png.height) continue;
      if (bitmap.pixels[y * bitmap.width + x] !== 1) continue;
      const offset = (py * png.width + px) * 4;
      png.data[offset] = 0;
      png.data[offset + 1] = 0;
      png.data[offset + 2] = 0;
    }
  }
}
