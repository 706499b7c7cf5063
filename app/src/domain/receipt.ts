/**
 * The device-neutral receipt: what a receipt says, in order, without saying how it looks. The
 * ESC/POS encoder, the customer display, the on-screen preview and the e-mailed receipt all render
 * the same model, so they cannot disagree about a figure. Every figure comes from the immutable
 * record as it was written at the till; nothing is recomputed here except sums that the record's
 * invariants guarantee (tax rows add up to the tax total because the record's do).
 *
 * Money stays as minor units plus currency; formatting for a locale is the renderer's job
 * (`formatMinorPlain` gives the plain wire form when a printer has no locale support). Labels and
 * promotion texts are in the store's language (receipt-texts.ts; English for a language it lacks),
 * so every renderer prints them as they are; `role` and `type` fields still say what each one is.
 */
import { formatDecimal, formatMoney } from './money.ts';
import type { Minor } from './money.ts';
import type {
  ReturnRecord,
  SaleLineRecord,
  TaxSummaryRecord,
  TenderRecord,
  TenderType,
  SaleRecord,
  Unit,
} from './records.ts';
import { readPromotionDescription } from './promotions.ts';
import { printedPromotionText, receiptLanguage, receiptTexts, type ReceiptTexts } from './receipt-texts.ts';
import { percentText } from './sale.ts';

export * from './receipt-texts.ts';

export interface ReceiptMoney {
  readonly amount: Minor;
  readonly currency: string;
}

export interface ReceiptStoreInfo {
  readonly name: string;
  readonly addressLines: readonly string[];
  readonly taxId?: string;
  readonly phone?: string;
  readonly footerLines: readonly string[];
  /** BCP 47, for the renderer's number and date formatting. */
  readonly locale: string;
  /** IANA time zone of the store, e.g. "Europe/Paris": a receipt shows the store's wall-clock time. */
  readonly timeZone?: string;
  /** Base of the digital-receipt link printed as a QR code, e.g. "https://r.example.com/". */
  readonly receiptQrBaseUrl?: string;
}

export interface ReceiptOptions {
  /** A reprint: marked "COPY" so it cannot pass for a second original. */
  readonly copy: boolean;
  /** ISO 8601 time of the reprint. */
  readonly reprintedAt?: string;
  /** The cashier's display name; the record holds only the staff id. */
  readonly cashierName?: string;
}

export interface ReceiptDiscountRow {
  readonly description: string;
  /** Negative: taken off the line. */
  readonly amount: ReceiptMoney;
}

export interface ReceiptLine {
  readonly lineId: string;
  readonly name: string;
  readonly sku: string;
  /** Thousandths of `unit`. */
  readonly quantity: number;
  readonly unit: Unit;
  /** "2", "0.375 kg". */
  readonly quantityText: string;
  readonly unitPrice: ReceiptMoney;
  /** The price before a manual override, printed so the customer sees the change. */
  readonly overriddenFrom?: ReceiptMoney;
  /** quantity × unit price, before discounts. */
  readonly amount: ReceiptMoney;
  readonly discounts: readonly ReceiptDiscountRow[];
  /** Codes of the tax rows that apply to this line ("A", "B"), as printed beside it. */
  readonly taxCodes: readonly string[];
}

export interface ReceiptReturnLine {
  readonly returnLineId: string;
  readonly name: string;
  readonly sku: string;
  readonly quantity: number;
  readonly quantityText: string;
  /** Negative: refunded. */
  readonly amount: ReceiptMoney;
  readonly reason: string;
  readonly disposition: 'restock' | 'write_off';
  readonly taxCodes: readonly string[];
}

export interface ReceiptTaxRow {
  readonly code: string;
  readonly taxId: string;
  readonly name: string;
  /** Millionths. */
  readonly rate: number;
  /** "8.1 %". */
  readonly rateText: string;
  readonly base: ReceiptMoney;
  readonly amount: ReceiptMoney;
}

export type ReceiptAmountRole =
  | 'subtotal'
  | 'discount'
  | 'tax'
  | 'total'
  | 'change'
  | 'cash_rounding'
  /** The total after cash rounding: what the customer paid in cash. */
  | 'cash_total'
  | 'refund_total';

export interface ReceiptTender {
  readonly tenderId: string;
  readonly type: TenderType;
  readonly label: string;
  readonly amount: ReceiptMoney;
  /** Cash handed over (cash tenders). */
  readonly received?: ReceiptMoney;
  readonly cardBrand?: string;
  readonly cardLast4?: string;
  /** The terminal reference (cards) or the masked account (gift card, store credit). */
  readonly reference?: string;
  readonly approvalCode?: string;
}

export type ReceiptBlock =
  | {
      readonly kind: 'header';
      readonly storeName: string;
      readonly addressLines: readonly string[];
      readonly phone?: string;
      readonly taxId?: string;
    }
  /** `text` is a marker, the same in every language: a renderer prints the word of the receipt's locale. */
  | { readonly kind: 'copy'; readonly text: 'COPY'; readonly reprintedAt?: string }
  | { readonly kind: 'title'; readonly text: string; readonly originalReceiptNumber?: string }
  | { readonly kind: 'lines'; readonly lines: readonly ReceiptLine[] }
  | { readonly kind: 'return_lines'; readonly lines: readonly ReceiptReturnLine[] }
  | {
      readonly kind: 'amount';
      readonly role: ReceiptAmountRole;
      readonly label: string;
      readonly amount: ReceiptMoney;
      /** Printed large (the total). */
      readonly emphasis: boolean;
    }
  | {
      readonly kind: 'taxes';
      /** Tax-inclusive prices: the rows say how much tax the total includes. */
      readonly inclusive: boolean;
      readonly rows: readonly ReceiptTaxRow[];
      readonly total: ReceiptMoney;
    }
  | { readonly kind: 'tenders'; readonly tenders: readonly ReceiptTender[] }
  | { readonly kind: 'info'; readonly rows: readonly { readonly label: string; readonly value: string }[] }
  | {
      readonly kind: 'code';
      /** Printed as a 1-D barcode (Code 128): what the return screen scans. */
      readonly barcode: { readonly symbology: 'code128'; readonly data: string };
      /** Printed as a QR code: the digital-receipt link, or the receipt number without one. */
      readonly qr: { readonly data: string };
    }
  | { readonly kind: 'footer'; readonly lines: readonly string[] };

export interface ReceiptModel {
  readonly kind: 'sale' | 'return';
  readonly receiptNumber: string;
  readonly currency: string;
  readonly locale: string;
  /** The store's IANA time zone; the times in the receipt (ISO 8601, UTC) are printed in it. */
  readonly timeZone?: string;
  readonly copy: boolean;
  readonly blocks: readonly ReceiptBlock[];
}

/** The plain decimal form of an amount ("12.34"), for printers and texts without locale formatting. */
export function formatMinorPlain(money: ReceiptMoney): string {
  return formatMoney(money.amount, money.currency);
}

/** "2" for pieces, "0.375 kg" for measured quantities. */
export function quantityText(quantity: number, unit: Unit): string {
  const text = formatDecimal(quantity, 3).replace(/\.?0+$/, '');
  return unit === 'each' ? text : `${text} ${unit}`;
}

/** Keeps the last four characters of an account number; a gift card number is as good as cash. */
function mask(reference: string): string {
  const visible = reference.slice(-4);
  return reference.length <= 4 ? visible : `••••${visible}`;
}

/** The digital-receipt link for `receiptNumber`, or undefined when the store has none. */
export function digitalReceiptUrl(store: ReceiptStoreInfo, receiptNumber: string): string | undefined {
  const base = store.receiptQrBaseUrl;
  if (base === undefined || base.trim() === '') return undefined;
  const joiner = base.endsWith('/') || base.endsWith('=') ? '' : '/';
  return `${base}${joiner}${encodeURIComponent(receiptNumber)}`;
}

function taxCodeFor(index: number): string {
  // A … Z, then AA, AB …: more rates than letters never happens in practice but must not collide.
  let n = index;
  let code = '';
  do {
    code = String.fromCharCode(65 + (n % 26)) + code;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return code;
}

function taxBlock(
  taxes: readonly TaxSummaryRecord[],
  tax: Minor,
  currency: string,
  inclusive: boolean,
): { block: ReceiptBlock; codes: ReadonlyMap<string, string> } {
  const money = (amount: Minor): ReceiptMoney => ({ amount, currency });
  const codes = new Map<string, string>();
  const rows: ReceiptTaxRow[] = [];
  for (const t of taxes) {
    const existing = rows.findIndex((r) => r.taxId === t.taxId);
    if (existing >= 0) {
      // The record lists each tax id once; merge defensively so the rows still add up.
      const row = rows[existing];
      if (row !== undefined) {
        rows[existing] = {
          ...row,
          base: money(row.base.amount + t.base),
          amount: money(row.amount.amount + t.amount),
        };
      }
      continue;
    }
    const code = taxCodeFor(rows.length);
    codes.set(t.taxId, code);
    rows.push({
      code,
      taxId: t.taxId,
      name: t.name,
      rate: t.rate,
      rateText: percentText(t.rate),
      base: money(t.base),
      amount: money(t.amount),
    });
  }
  const sum = rows.reduce((s, r) => s + r.amount.amount, 0);
  if (sum !== tax) throw new RangeError(`tax rows sum to ${sum}, not the tax total ${tax}`);
  return { block: { kind: 'taxes', inclusive, rows, total: money(tax) }, codes };
}

function headerBlocks(store: ReceiptStoreInfo, options: ReceiptOptions): ReceiptBlock[] {
  const blocks: ReceiptBlock[] = [
    {
      kind: 'header',
      storeName: store.name,
      addressLines: store.addressLines,
      ...(store.phone === undefined ? {} : { phone: store.phone }),
      ...(store.taxId === undefined ? {} : { taxId: store.taxId }),
    },
  ];
  if (options.copy) {
    blocks.push({
      kind: 'copy',
      text: 'COPY',
      ...(options.reprintedAt === undefined ? {} : { reprintedAt: options.reprintedAt }),
    });
  }
  return blocks;
}

function tailBlocks(
  texts: ReceiptTexts,
  store: ReceiptStoreInfo,
  options: ReceiptOptions,
  receiptNumber: string,
  info: readonly { readonly label: string; readonly value: string }[],
): ReceiptBlock[] {
  const rows = [...info];
  if (options.copy && options.reprintedAt !== undefined)
    rows.push({ label: texts.info.reprinted, value: options.reprintedAt });
  const blocks: ReceiptBlock[] = [
    { kind: 'info', rows },
    {
      kind: 'code',
      barcode: { symbology: 'code128', data: receiptNumber },
      qr: { data: digitalReceiptUrl(store, receiptNumber) ?? receiptNumber },
    },
  ];
  if (options.copy) blocks.push({ kind: 'copy', text: 'COPY' });
  if (store.footerLines.length > 0) blocks.push({ kind: 'footer', lines: store.footerLines });
  return blocks;
}

function tenderRow(t: TenderRecord, currency: string, texts: ReceiptTexts): ReceiptTender {
  const money = (amount: Minor): ReceiptMoney => ({ amount, currency });
  const brand = t.cardBrand;
  const last4 =
    t.type === 'card' && t.cardLast4 !== undefined && /^\d{4}$/.test(t.cardLast4) ? t.cardLast4 : undefined;
  const label =
    t.type === 'card'
      ? [brand ?? texts.tenders.card, last4 === undefined ? '' : `•••• ${last4}`]
          .filter((s) => s !== '')
          .join(' ')
      : texts.tenders[t.type];
  let reference: string | undefined;
  if (t.reference !== undefined) reference = t.type === 'card' ? t.reference : mask(t.reference);
  return {
    tenderId: t.tenderId,
    type: t.type,
    label,
    amount: money(t.amount),
    ...(t.type === 'cash' && t.received !== undefined ? { received: money(t.received) } : {}),
    ...(t.type === 'card' && brand !== undefined ? { cardBrand: brand } : {}),
    ...(last4 === undefined ? {} : { cardLast4: last4 }),
    ...(reference === undefined ? {} : { reference }),
    ...(t.type === 'card' && t.approvalCode !== undefined ? { approvalCode: t.approvalCode } : {}),
  };
}

function saleLine(
  line: SaleLineRecord,
  currency: string,
  codes: ReadonlyMap<string, string>,
  locale: string,
): ReceiptLine {
  const money = (amount: Minor): ReceiptMoney => ({ amount, currency });
  return {
    lineId: line.lineId,
    name: line.name,
    sku: line.sku,
    quantity: line.quantity,
    unit: line.unit,
    quantityText: quantityText(line.quantity, line.unit),
    unitPrice: money(line.unitPrice),
    ...(line.overriddenFrom === undefined ? {} : { overriddenFrom: money(line.overriddenFrom) }),
    amount: money(line.gross),
    discounts: line.discounts.map((d) => ({
      description: d.source === 'manual' ? d.description : discountText(d.description, locale, currency),
      amount: money(-d.amount),
    })),
    taxCodes: taxCodesOf(line.taxes, codes),
  };
}

/**
 * A promotion's text in the store's language. The record holds the English text the domain wrote
 * (its schema is shared with the server); English stores print it as it is, others print the offer it
 * describes in their language, or the text itself when it is not one the domain wrote.
 */
function discountText(description: string, locale: string, currency: string): string {
  if (receiptLanguage(locale) === 'en') return description;
  const described = readPromotionDescription(description, currency);
  return described === undefined ? description : printedPromotionText(described, locale, currency);
}

function taxCodesOf(
  taxes: readonly { readonly taxId: string }[],
  codes: ReadonlyMap<string, string>,
): string[] {
  const out: string[] = [];
  for (const t of taxes) {
    const code = codes.get(t.taxId);
    if (code !== undefined && !out.includes(code)) out.push(code);
  }
  return out;
}

/** The receipt of a completed sale. */
export function buildReceipt(
  record: SaleRecord,
  store: ReceiptStoreInfo,
  options: ReceiptOptions,
): ReceiptModel {
  const { currency } = record;
  const money = (amount: Minor): ReceiptMoney => ({ amount, currency });
  const amount = (role: ReceiptAmountRole, label: string, value: Minor, emphasis = false): ReceiptBlock => ({
    kind: 'amount',
    role,
    label,
    amount: money(value),
    emphasis,
  });
  const texts = receiptTexts(store.locale);
  const taxes = taxBlock(record.taxes, record.tax, currency, record.pricesIncludeTax);
  const blocks: ReceiptBlock[] = headerBlocks(store, options);
  blocks.push({
    kind: 'lines',
    lines: record.lines.map((l) => saleLine(l, currency, taxes.codes, store.locale)),
  });
  blocks.push(amount('subtotal', texts.amounts.subtotal, record.subtotal));
  if (record.discount !== 0) blocks.push(amount('discount', texts.amounts.discount, -record.discount));
  if (!record.pricesIncludeTax) blocks.push(amount('tax', texts.amounts.tax, record.tax));
  blocks.push(amount('total', texts.amounts.total, record.total, true));
  if (record.cashRounding !== 0) {
    blocks.push(amount('cash_rounding', texts.amounts.cash_rounding, record.cashRounding));
    blocks.push(amount('cash_total', texts.amounts.cash_total, record.total + record.cashRounding, true));
  }
  if (taxes.block.kind === 'taxes' && taxes.block.rows.length > 0) blocks.push(taxes.block);
  blocks.push({ kind: 'tenders', tenders: record.tenders.map((t) => tenderRow(t, currency, texts)) });
  if (record.change !== 0) blocks.push(amount('change', texts.amounts.change, record.change, true));
  blocks.push(
    ...tailBlocks(texts, store, options, record.receiptNumber, [
      { label: texts.info.receipt, value: record.receiptNumber },
      { label: texts.info.date, value: record.completedAt },
      { label: texts.info.cashier, value: options.cashierName ?? record.cashierId },
      { label: texts.info.till, value: record.deviceId },
    ]),
  );
  return {
    kind: 'sale',
    receiptNumber: record.receiptNumber,
    currency,
    locale: store.locale,
    ...(store.timeZone === undefined ? {} : { timeZone: store.timeZone }),
    copy: options.copy,
    blocks,
  };
}

/**
 * The receipt of a return: what was taken back, the tax refunded, and how the refund was paid out.
 * Amounts refunded are negative so a renderer prints them as such.
 */
export function buildReturnReceipt(
  record: ReturnRecord,
  store: ReceiptStoreInfo,
  options: ReceiptOptions,
): ReceiptModel {
  const { currency } = record;
  const money = (amount: Minor): ReceiptMoney => ({ amount, currency });
  // Whether prices included tax is not on the return record; its lines tell (total = net then;
  // with no tax at all the distinction prints nothing).
  const inclusive = record.lines.every((l) => l.total === l.net);
  const texts = receiptTexts(store.locale);
  const taxes = taxBlock(record.taxes, record.tax, currency, inclusive);
  const blocks: ReceiptBlock[] = headerBlocks(store, options);
  blocks.push({
    kind: 'title',
    text: record.noReceipt ? texts.title.returnWithoutReceipt : texts.title.return,
    ...(record.originalReceiptNumber === undefined
      ? {}
      : { originalReceiptNumber: record.originalReceiptNumber }),
  });
  blocks.push({
    kind: 'return_lines',
    lines: record.lines.map((l): ReceiptReturnLine => ({
      returnLineId: l.returnLineId,
      name: l.name,
      sku: l.sku,
      quantity: l.quantity,
      quantityText: quantityText(l.quantity, 'each'),
      amount: money(-l.total),
      reason: l.reason,
      disposition: l.disposition,
      taxCodes: taxCodesOf(l.taxes, taxes.codes),
    })),
  });
  blocks.push({
    kind: 'amount',
    role: 'refund_total',
    label: texts.amounts.refund_total,
    amount: money(-record.total),
    emphasis: true,
  });
  if (record.cashRounding !== 0) {
    blocks.push({
      kind: 'amount',
      role: 'cash_rounding',
      label: texts.amounts.cash_rounding,
      amount: money(-record.cashRounding),
      emphasis: false,
    });
  }
  if (taxes.block.kind === 'taxes' && taxes.block.rows.length > 0) blocks.push(taxes.block);
  blocks.push({ kind: 'tenders', tenders: record.refunds.map((t) => tenderRow(t, currency, texts)) });
  blocks.push(
    ...tailBlocks(texts, store, options, record.receiptNumber, [
      { label: texts.info.return, value: record.receiptNumber },
      ...(record.originalReceiptNumber === undefined
        ? []
        : [{ label: texts.info.originalReceipt, value: record.originalReceiptNumber }]),
      { label: texts.info.date, value: record.createdAt },
      { label: texts.info.cashier, value: options.cashierName ?? record.cashierId },
      { label: texts.info.till, value: record.deviceId },
    ]),
  );
  return {
    kind: 'return',
    receiptNumber: record.receiptNumber,
    currency,
    locale: store.locale,
    ...(store.timeZone === undefined ? {} : { timeZone: store.timeZone }),
    copy: options.copy,
    blocks,
  };
}
