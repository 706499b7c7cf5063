/**
 * Renders the device-neutral `ReceiptModel` (@pos/app) to ESC/POS bytes for one printer profile,
 * through @point-of-sale/receipt-printer-encoder. We lay lines out ourselves (label left, amount
 * right, word wrap at the profile's columns) so the same receipt reads the same on 32, 42 and 48
 * columns, and let the encoder do what it is good at: code pages, barcodes, QR codes, images, cut.
 *
 * Code pages: the encoder picks, per text run, a code page the model has (ESC t n in the model's
 * numbering). `codepageCandidatesFor` narrows that to the pages of the store's language, so a Polish
 * store prints "zł" from CP852 rather than '?' and a French one prints "€" from CP858.
 *
 * Chinese: printers with a Chinese font (profile `chinese`) print lines with CJK characters in Kanji
 * mode (FS & … FS .) as GB18030 two-byte text (see gb18030.ts); Latin lines still use the code pages.
 *
 * Words: the model's labels are already in the store's language (the domain writes them); the few
 * words the layout adds (tax heading, "Received", the COPY banner, "Reprinted" on a reprint from the
 * queue) come from the same table (receipt-texts.ts in @pos/app) in the model's locale, so a reprint
 * prints in the language of the original and an unknown language prints English.
 *
 * The renderer is pure: the same model and profile always give the same bytes (golden tests rely on
 * it). The end-of-job fence (GS r 1) is not part of the receipt; the printer driver appends it.
 */
import ReceiptPrinterEncoder, {
  type ReceiptPrinterEncoderOptions,
} from '@point-of-sale/receipt-printer-encoder';
import { fillText, formatMinorPlain, receiptInfoKey, receiptTexts } from '@pos/app';
import type {
  ReceiptBlock,
  ReceiptLine,
  ReceiptModel,
  ReceiptMoney,
  ReceiptReturnLine,
  ReceiptTexts,
} from '@pos/app';
import { encodeGb18030, hasWide, textWidth } from './gb18030.ts';
import type { PrinterProfile } from './profiles.ts';

type Codepages = NonNullable<ReceiptPrinterEncoderOptions['codepageCandidates']>;

export interface LogoImage {
  /** Multiple of 8. */
  readonly width: number;
  /** Multiple of 8. */
  readonly height: number;
  /** RGBA, 4 bytes per pixel. */
  readonly data: Uint8ClampedArray;
}

export interface RenderOptions {
  /** Printed centred at the top, dithered to black and white. */
  readonly logo?: LogoImage;
  /** Overrides the language's code pages (tests; stores with an unusual printer). */
  readonly codepages?: Codepages;
}

/** Code pages for a BCP 47 locale, best first; undefined leaves the choice to the encoder's defaults. */
export function codepageCandidatesFor(locale: string): Codepages | undefined {
  const language = locale.toLowerCase().split(/[-_]/)[0] ?? '';
  switch (language) {
    case 'pl':
    case 'cs':
    case 'sk':
    case 'hu':
    case 'sl':
    case 'hr':
    case 'ro':
      return ['cp852', 'cp858', 'cp437'];
    case 'ru':
    case 'uk':
    case 'be':
    case 'bg':
      return ['cp866', 'cp858', 'cp437'];
    case 'el':
      return ['cp737', 'cp858', 'cp437'];
    case 'tr':
      return ['cp857', 'cp858', 'cp437'];
    case 'de':
    case 'fr':
    case 'es':
    case 'it':
    case 'nl':
    case 'pt':
    case 'ca':
    case 'da':
    case 'sv':
    case 'fi':
    case 'nb':
    case 'nn':
    case 'no':
    case 'en':
      return ['cp437', 'cp858'];
    default:
      return undefined;
  }
}

/**
 * Marks a receipt as a copy the way buildReceipt does for a reprint: a COPY banner under the header
 * and above the footer, and a "Reprinted" row in the receipt's language. A model already marked is
 * returned as it is.
 */
export function markAsCopy(model: ReceiptModel, reprintedAt?: string): ReceiptModel {
  if (model.copy) return model;
  const reprinted = receiptTexts(model.locale).info.reprinted;
  const banner: ReceiptBlock = {
    kind: 'copy',
    text: 'COPY',
    ...(reprintedAt === undefined ? {} : { reprintedAt }),
  };
  const blocks: ReceiptBlock[] = [];
  for (const block of model.blocks) {
    if (block.kind === 'footer') blocks.push({ kind: 'copy', text: 'COPY' });
    if (block.kind === 'info' && reprintedAt !== undefined) {
      blocks.push({ ...block, rows: [...block.rows, { label: reprinted, value: reprintedAt }] });
    } else {
      blocks.push(block);
    }
    if (block.kind === 'header') blocks.push(banner);
  }
  if (!model.blocks.some((b) => b.kind === 'footer')) blocks.push({ kind: 'copy', text: 'COPY' });
  return { ...model, copy: true, blocks };
}

/** ESC/POS bytes of `model` for `profile`: initialize, content, feed and cut. */
export function renderReceipt(
  model: ReceiptModel,
  profile: PrinterProfile,
  options: RenderOptions = {},
): Uint8Array {
  const codepages = options.codepages ?? codepageCandidatesFor(model.locale);
  const encoder = new ReceiptPrinterEncoder({
    printerModel: profile.encoderModel,
    columns: profile.columns,
    // LF alone: CR is ignored or doubles the feed depending on the model's auto-LF setting.
    newline: '\n',
    ...(codepages === undefined ? {} : { codepageCandidates: codepages }),
  });
  const out = new ReceiptWriter(
    encoder,
    profile,
    printedTime(model.locale, model.timeZone),
    receiptTexts(model.locale),
    (label) => TIME_ROWS.has(receiptInfoKey(label, model.locale) ?? ''),
  );
  encoder.initialize().codepage('auto');
  if (options.logo !== undefined) {
    encoder
      .align('center')
      .image(options.logo, options.logo.width, options.logo.height, 'threshold')
      .align('left');
  }
  for (const block of model.blocks) out.block(block);
  if (profile.cut !== 'none') encoder.cut(profile.cut);
  else encoder.newline(4);
  return encoder.encode();
}

/** The print queue's render function for receipts: a copy is marked with the time of the reprint. */
export function receiptJobRenderer(
  profile: PrinterProfile,
  options: RenderOptions = {},
): (model: ReceiptModel, marking: { readonly copy: boolean; readonly printedAt: string }) => Uint8Array {
  return (model, marking) =>
    renderReceipt(marking.copy ? markAsCopy(model, marking.printedAt) : model, profile, options);
}

/** The info rows whose value is a time (ISO 8601), by their key in receipt-texts.ts. */
const TIME_ROWS: ReadonlySet<string> = new Set(['date', 'reprinted']);

/**
 * Formats the receipt's ISO times for paper: digits only (every code page has them), in the store's
 * locale order and time zone, e.g. "06/12/2026 15:04" in fr-FR. A model without a time zone (a job
 * queued by an older till) prints UTC, saying so; a value that is not a time prints as it is.
 */
export function printedTime(locale: string, timeZone: string | undefined): (value: string) => string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: timeZone ?? 'UTC',
    });
  } catch {
    // An unknown locale or zone must not stop the receipt: the raw times are still correct.
    return (value) => value;
  }
  return (value) => {
    const at = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime())) return value;
    const text = format.format(at).replace(/\u202f|\u00a0/g, ' ');
    return timeZone === undefined ? `${text} UTC` : text;
  };
}

class ReceiptWriter {
  readonly #columns: number;

  constructor(
    private readonly encoder: ReceiptPrinterEncoder,
    private readonly profile: PrinterProfile,
    private readonly time: (value: string) => string,
    private readonly texts: ReceiptTexts,
    private readonly isTime: (label: string) => boolean,
  ) {
    this.#columns = profile.columns;
  }

  block(block: ReceiptBlock): void {
    switch (block.kind) {
      case 'header':
        this.#header(block.storeName, [
          ...block.addressLines,
          ...(block.phone === undefined ? [] : [block.phone]),
          ...(block.taxId === undefined ? [] : [block.taxId]),
        ]);
        return;
      case 'copy':
        // The model's text is a language-neutral marker; the banner says it in the receipt's language.
        this.#copyBanner(this.texts.copy);
        return;
      case 'title':
        this.encoder.bold(true);
        this.#text(block.text, 'center');
        this.encoder.bold(false);
        if (block.originalReceiptNumber !== undefined)
          this.#pair(this.texts.info.originalReceipt, block.originalReceiptNumber);
        this.#rule();
        return;
      case 'lines':
        for (const line of block.lines) this.#saleLine(line);
        this.#rule();
        return;
      case 'return_lines':
        for (const line of block.lines) this.#returnLine(line);
        this.#rule();
        return;
      case 'amount':
        if (block.emphasis) {
          this.encoder.bold(true).size(1, 2);
          this.#pair(block.label, `${block.amount.currency} ${money(block.amount)}`);
          this.encoder.size(1, 1).bold(false);
        } else {
          this.#pair(block.label, money(block.amount));
        }
        return;
      case 'taxes':
        this.#rule();
        this.#text(block.inclusive ? this.texts.taxes.included : this.texts.taxes.added, 'left');
        for (const row of block.rows) {
          const named = row.name.replace(/\s/g, '').includes(row.rateText.replace(/\s/g, ''));
          this.#text(named ? `${row.code} ${row.name}` : `${row.code} ${row.name} ${row.rateText}`, 'left');
          this.#pair(`  ${fillText(this.texts.taxes.base, { amount: money(row.base) })}`, money(row.amount));
        }
        this.#pair(this.texts.taxes.total, money(block.total));
        this.#rule();
        return;
      case 'tenders':
        for (const tender of block.tenders) {
          this.#pair(tender.label, money(tender.amount));
          const { received, reference, approval } = this.texts.tender;
          if (tender.received !== undefined) this.#pair(`  ${received}`, money(tender.received));
          if (tender.reference !== undefined)
            this.#text(`  ${fillText(reference, { reference: tender.reference })}`, 'left');
          if (tender.approvalCode !== undefined)
            this.#text(`  ${fillText(approval, { code: tender.approvalCode })}`, 'left');
        }
        return;
      case 'info':
        this.#rule();
        for (const row of block.rows)
          this.#pair(row.label, this.isTime(row.label) ? this.time(row.value) : row.value);
        return;
      case 'code':
        this.encoder.newline();
        this.#barcode(block.barcode.data);
        this.encoder.newline();
        this.encoder
          .align('center')
          .qrcode(block.qr.data, { model: 2, size: this.profile.qrModuleSize, errorlevel: 'm' })
          .align('left');
        this.encoder.newline();
        return;
      case 'footer':
        for (const line of block.lines) this.#text(line, 'center');
        return;
    }
  }

  #header(name: string, lines: readonly string[]): void {
    // Double size when the name fits on one line at half the columns; double height otherwise.
    const wide = textWidth(name) * 2 <= this.#columns;
    this.encoder.bold(true).size(wide ? 2 : 1, 2);
    this.#text(name, 'center', wide ? 2 : 1);
    this.encoder.size(1, 1).bold(false);
    for (const line of lines) this.#text(line, 'center');
    this.encoder.newline();
  }

  #copyBanner(text: string): void {
    const word = ` ${text} `;
    if (this.profile.chinese && hasWide(word)) {
      // Kanji text goes out raw, which the encoder cannot centre: pad it ourselves (double width), with
      // the spaces outside the inverted run as the encoder does.
      const pad = ' '.repeat(Math.max(0, Math.floor((Math.floor(this.#columns / 2) - textWidth(word)) / 2)));
      this.encoder.bold(true).size(2, 2).text(pad).invert(true);
      this.encoder
        .raw([0x1c, 0x26, ...encodeGb18030(word), 0x1c, 0x2e])
        .invert(false)
        .newline();
      this.encoder.size(1, 1).bold(false);
      return;
    }
    // The encoder centres with unstyled spaces, so only the word itself prints white on black.
    this.encoder.bold(true).size(2, 2).align('center').invert(true).text(word).invert(false).newline();
    this.encoder.align('left').size(1, 1).bold(false);
  }

  #saleLine(line: ReceiptLine): void {
    this.#text(line.name, 'left');
    const codes = line.taxCodes.length === 0 ? '' : ` ${line.taxCodes.join('')}`;
    this.#pair(`  ${line.quantityText} x ${money(line.unitPrice)}`, `${money(line.amount)}${codes}`);
    if (line.overriddenFrom !== undefined)
      this.#text(`  ${fillText(this.texts.line.overridden, { amount: money(line.overriddenFrom) })}`, 'left');
    for (const discount of line.discounts) this.#pair(`  ${discount.description}`, money(discount.amount));
  }

  #returnLine(line: ReceiptReturnLine): void {
    this.#text(line.name, 'left');
    const codes = line.taxCodes.length === 0 ? '' : ` ${line.taxCodes.join('')}`;
    this.#pair(`  ${line.quantityText} x`, `${money(line.amount)}${codes}`);
    this.#text(`  ${line.reason}`, 'left');
  }

  #barcode(data: string): void {
    // CODE128 code set B: 11 modules per character plus start, check and stop (and 2 for the stop bar).
    // The encoder's width option 1–3 means GS w 2–4 dots per module; a number too long for 2 dots per
    // module still prints at 2 (narrower bars do not scan reliably) and may be clipped on 58 mm paper.
    const modules = (data.length + 3) * 11 + 2;
    const dotsPerModule = Math.max(2, Math.min(4, Math.floor(this.profile.dots / modules)));
    this.encoder
      .align('center')
      .barcode(data, 'code128', { height: this.profile.barcodeHeight, width: dotsPerModule - 1, text: false })
      .align('left');
  }

  #rule(): void {
    this.encoder.line('-'.repeat(this.#columns));
  }

  /** Label left, value right; when both do not fit, the value goes right-aligned on the next line. */
  #pair(label: string, value: string): void {
    const room = this.#columns - textWidth(value);
    if (value === '') {
      this.#text(label, 'left');
      return;
    }
    if (textWidth(label) + 1 <= room) {
      this.#emit(label + ' '.repeat(room - textWidth(label)) + value);
      return;
    }
    this.#text(label, 'left');
    this.#emit(' '.repeat(Math.max(0, room)) + value);
  }

  /** Word-wrapped text; `scale` is the character width multiplier in effect. */
  #text(text: string, align: 'left' | 'center', scale = 1): void {
    const columns = Math.floor(this.#columns / scale);
    for (const line of wrap(text, columns)) {
      const pad = align === 'center' ? Math.floor((columns - textWidth(line)) / 2) : 0;
      this.#emit(' '.repeat(pad) + line);
    }
  }

  #emit(line: string): void {
    if (this.profile.chinese && hasWide(line)) {
      this.encoder.raw([0x1c, 0x26, ...encodeGb18030(line), 0x1c, 0x2e]).newline();
      return;
    }
    // The dash between a promotion and its campaign's name is in no single-byte code page: a hyphen
    // reads the same where the printer would print '?'.
    this.encoder.line(line.replace(/\u2014/g, '-'));
  }
}

function money(value: ReceiptMoney): string {
  return formatMinorPlain(value);
}

/**
 * Splits at spaces to fit `columns`; a word longer than a line is cut. Leading spaces are an indent
 * kept on every line (as long as it leaves room for text).
 */
export function wrap(text: string, columns: number): string[] {
  if (columns < 1) throw new RangeError(`columns must be at least 1: ${columns}`);
  const indent = /^ */.exec(text)?.[0] ?? '';
  if (indent.length > 0 && indent.length < columns && indent.length < text.length) {
    return wrapWords(text.slice(indent.length), columns - indent.length).map((line) => indent + line);
  }
  return wrapWords(text, columns);
}

function wrapWords(text: string, columns: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (textWidth(candidate) <= columns) {
      current = candidate;
      continue;
    }
    if (current !== '') lines.push(current);
    current = word;
    while (textWidth(current) > columns) {
      const [head, rest] = splitAtWidth(current, columns);
      lines.push(head);
      current = rest;
    }
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  return lines;
}

function splitAtWidth(text: string, columns: number): [string, string] {
  let width = 0;
  let index = 0;
  for (const char of text) {
    const w = textWidth(char);
    // At least one character per line, or a wide character on a 1-column line would never fit.
    if (width + w > columns && index > 0) break;
    width += w;
    index += char.length;
  }
  return [text.slice(0, index), text.slice(index)];
}
