/**
 * Receipt printer models we lay receipts out for. A profile fixes the command language (ESC/POS or
 * StarPRNT), the paper width in columns of font A (12×24 dots), the encoder's model id (which picks
 * the model's code-page numbering and, for Star models, makes the encoder emit StarPRNT), whether the
 * printer has a Chinese font, and how it cuts. Installers choose a profile by id in the device
 * settings ("model"); unknown printers run as `generic-80` or `generic-58`.
 */
import type { ReceiptPrinterEncoderOptions } from '@point-of-sale/receipt-printer-encoder';
import { DeviceError } from '../../device/errors.ts';

export type EncoderPrinterModel = NonNullable<ReceiptPrinterEncoderOptions['printerModel']>;

/**
 * The printer's command language: how receipts are encoded and how status, the end-of-job fence and
 * the drawer work (receipt-printer.ts picks its protocol from it).
 */
export type PrinterLanguage = 'esc-pos' | 'star-prnt';

export interface PrinterProfile {
  readonly id: string;
  readonly name: string;
  readonly language: PrinterLanguage;
  readonly encoderModel: EncoderPrinterModel;
  readonly paperWidthMm: 58 | 80;
  /** Characters per line in font A. */
  readonly columns: number;
  /** Printable dots per line (for barcode module widths and the preview). */
  readonly dots: number;
  /** A GB18030/GBK font is installed: Chinese text prints in Kanji mode (ESC/POS profiles only). */
  readonly chinese: boolean;
  readonly cut: 'full' | 'partial' | 'none';
  /** QR module size in dots (GS ( k function 167). */
  readonly qrModuleSize: number;
  /** Barcode height in dots (GS h). */
  readonly barcodeHeight: number;
}

export const PRINTER_PROFILES: Readonly<Record<string, PrinterProfile>> = {
  'epson-tm-t88': {
    id: 'epson-tm-t88',
    name: 'Epson TM-T88 (80 mm, 42 columns)',
    language: 'esc-pos',
    encoderModel: 'epson-tm-t88vi',
    paperWidthMm: 80,
    columns: 42,
    dots: 504,
    chinese: false,
    cut: 'partial',
    qrModuleSize: 6,
    barcodeHeight: 60,
  },
  'epson-tm-t20': {
    id: 'epson-tm-t20',
    name: 'Epson TM-T20 (80 mm, 48 columns)',
    language: 'esc-pos',
    encoderModel: 'epson-tm-t20iii',
    paperWidthMm: 80,
    columns: 48,
    dots: 576,
    chinese: false,
    cut: 'full',
    qrModuleSize: 6,
    barcodeHeight: 60,
  },
  'generic-80': {
    id: 'generic-80',
    name: 'ESC/POS printer (80 mm, 48 columns)',
    language: 'esc-pos',
    encoderModel: 'epson-tm-t20iii',
    paperWidthMm: 80,
    columns: 48,
    dots: 576,
    chinese: false,
    cut: 'full',
    qrModuleSize: 6,
    barcodeHeight: 60,
  },
  'generic-58': {
    id: 'generic-58',
    name: 'ESC/POS printer (58 mm, 32 columns)',
    language: 'esc-pos',
    encoderModel: 'pos-5890',
    paperWidthMm: 58,
    columns: 32,
    dots: 384,
    chinese: false,
    cut: 'full',
    qrModuleSize: 5,
    barcodeHeight: 50,
  },
  'xprinter-80-zh': {
    id: 'xprinter-80-zh',
    name: 'Xprinter XP-T80 with Chinese font (80 mm, 48 columns)',
    language: 'esc-pos',
    encoderModel: 'xprinter-xp-t80q',
    paperWidthMm: 80,
    columns: 48,
    dots: 576,
    chinese: true,
    cut: 'full',
    qrModuleSize: 6,
    barcodeHeight: 60,
  },
  // Star models: the encoder emits StarPRNT for these ids (its own model table says so). Neither has
  // the Chinese (FS &) path the renderer uses, so `chinese` stays false.
  'star-tsp100iv': {
    id: 'star-tsp100iv',
    name: 'Star TSP100IV, StarPRNT (80 mm, 48 columns)',
    language: 'star-prnt',
    encoderModel: 'star-tsp100iv',
    paperWidthMm: 80,
    columns: 48,
    dots: 576,
    chinese: false,
    cut: 'partial',
    qrModuleSize: 6,
    barcodeHeight: 60,
  },
  'star-mc-print2': {
    id: 'star-mc-print2',
    name: 'Star mC-Print2, StarPRNT (58 mm, 32 columns)',
    language: 'star-prnt',
    encoderModel: 'star-mc-print2',
    paperWidthMm: 58,
    columns: 32,
    dots: 384,
    chinese: false,
    cut: 'partial',
    qrModuleSize: 5,
    barcodeHeight: 50,
  },
};

export function printerProfile(id: string): PrinterProfile {
  const profile = PRINTER_PROFILES[id];
  if (profile === undefined) {
    throw new DeviceError(
      'invalid_config',
      `Unknown receipt printer model "${id}". Choose one of: ${Object.keys(PRINTER_PROFILES).join(', ')}.`,
      { model: id },
    );
  }
  return profile;
}
