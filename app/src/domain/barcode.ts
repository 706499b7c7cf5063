/**
 * Barcodes: GTIN check digits, UPC-E, AIM symbology identifiers, GS1 element strings,
 * variable-measure (restricted circulation) codes, and `interpretScan`, the one entry point the
 * till calls for every scan.
 *
 * Lookup key. Every GTIN — GTIN-8, UPC-A (GTIN-12), EAN-13, GTIN-14, UPC-E after expansion, and
 * AI (01) of a GS1 element string — is keyed as the 14-digit GTIN, zero-padded on the left (the
 * form GS1 recommends for storing GTINs). "036000291452" (UPC-A), "0036000291452" (the same code
 * read as EAN-13), "]E0036000291452" and "(01)00036000291452" all find the product indexed as
 * "00036000291452". UPC-E is a symbol, not a number: it is keyed as the UPC-A it stands for.
 * Codes that are not GTINs (SKUs, PLUs, Code 128 text) are keyed by their text as scanned. Index
 * catalog barcodes with `normalizeBarcode` so both sides agree.
 *
 * Trust. A scan is refused rather than guessed at: a GTIN whose check digit fails, 9–11 digits
 * without a symbology identifier (a GTIN that lost digits), an EAN/UPC symbol of the wrong
 * length, or a GS1 element string with a truncated or malformed value. GS1 and AIM parsing is done by
 * `@point-of-sale/barcode-parser`, which validates nothing, so every value it returns is checked
 * here before use.
 */
import { Aim, GS1 } from '@point-of-sale/barcode-parser';
import type {
  AimResult,
  Gs1Element as ParsedGs1Element,
  Symbology as LibrarySymbology,
} from '@point-of-sale/barcode-parser';
import { DomainError } from './errors.ts';
import { currencyExponent, mulDiv, QUANTITY_SCALE, type RoundingMode } from './money.ts';

// ---------------------------------------------------------------------------------------------
// GTIN check digits

const GTIN_SHAPE = /^(?:\d{8}|\d{12,14})$/;
const ALL_DIGITS = /^\d+$/;
/** GS (0x1D): how scanners transmit FNC1, the separator after a variable-length GS1 element. */
const GS = '\u001d';

/**
 * The GS1 mod-10 check digit of `payload` (the digits before the check digit): weights 3, 1, 3 …
 * from the rightmost digit. The same for GTIN-8/12/13/14, SSCC and GLN.
 */
export function computeCheckDigit(payload: string): number {
  if (!ALL_DIGITS.test(payload)) throw new RangeError(`check digit payload must be digits, got "${payload}"`);
  let sum = 0;
  let weight = 3;
  for (let i = payload.length - 1; i >= 0; i--) {
    sum += (payload.charCodeAt(i) - 48) * weight;
    weight = 4 - weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** True for an 8-, 12-, 13- or 14-digit string whose last digit is its check digit. */
export function isValidGtin(code: string): boolean {
  return GTIN_SHAPE.test(code) && computeCheckDigit(code.slice(0, -1)) === Number(code.slice(-1));
}

/**
 * Refuses anything that is not a GTIN-8, -12, -13 or -14 with a correct check digit
 * ('invalid_barcode', 'bad_check_digit'); returns `code` unchanged.
 */
export function validateGtin(code: string): string {
  if (!GTIN_SHAPE.test(code)) {
    throw invalidBarcode(code, `The barcode ${quote(code)} is not a GTIN (8, 12, 13 or 14 digits).`);
  }
  assertCheckDigit(code, code);
  return code;
}

/** The 14-digit lookup key of a GTIN-8, -12, -13 or -14, after validating it. */
export function normalizeGtin(code: string): string {
  return validateGtin(code).padStart(14, '0');
}

function assertCheckDigit(digits: string, shown: string): void {
  const expected = computeCheckDigit(digits.slice(0, -1));
  if (expected !== Number(digits.slice(-1))) {
    throw new DomainError(
      'bad_check_digit',
      `The barcode ${shown} does not check out (last digit should be ${expected}). Scan again or key the item.`,
      { barcode: shown, expected },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// UPC-E

/**
 * The 12-digit UPC-A an 8-digit UPC-E (number system 0 or 1, six digits, check digit) stands
 * for. The check digit is carried over, not checked: validate the result with `validateGtin`.
 * Non-canonical UPC-E symbols (e.g. last digit 3 with a third digit of 0–2) expand by the same
 * rule; they and their canonical twin name the same UPC-A, so both find the product.
 */
export function expandUpcE(upce: string): string {
  if (!/^[01]\d{7}$/.test(upce)) {
    throw invalidBarcode(
      upce,
      `The barcode ${quote(upce)} is not a UPC-E code (8 digits starting with 0 or 1).`,
    );
  }
  const d = upce.slice(1, 7);
  const last = d.charAt(5);
  let body: string;
  switch (last) {
    case '0':
    case '1':
    case '2':
      // manufacturer d1 d2 last 0 0, item 0 0 d3 d4 d5
      body = d.slice(0, 2) + last + '0000' + d.slice(2, 5);
      break;
    case '3':
      // manufacturer d1 d2 d3 0 0, item 0 0 0 d4 d5
      body = d.slice(0, 3) + '00000' + d.slice(3, 5);
      break;
    case '4':
      // manufacturer d1 d2 d3 d4 0, item 0 0 0 0 d5
      body = d.slice(0, 4) + '00000' + d.charAt(4);
      break;
    default:
      // manufacturer d1 … d5, item 0 0 0 0 last (5–9)
      body = d.slice(0, 5) + '0000' + last;
  }
  return upce.charAt(0) + body + upce.charAt(7);
}

/**
 * The canonical 8-digit UPC-E of a 12-digit UPC-A, or `undefined` when the UPC-A has no UPC-E
 * form (number system other than 0/1, or too few zeros in the right places). The check digit is
 * carried over unchanged.
 */
export function compressUpcA(upca: string): string | undefined {
  if (!/^[01]\d{11}$/.test(upca)) return undefined;
  const ns = upca.charAt(0);
  const maker = upca.slice(1, 6);
  const item = upca.slice(6, 11);
  const check = upca.charAt(11);
  const third = maker.charAt(2);
  if (maker.endsWith('00') && third >= '0' && third <= '2' && item.startsWith('00')) {
    return ns + maker.slice(0, 2) + item.slice(2) + third + check;
  }
  if (maker.endsWith('00') && item.startsWith('000'))
    return ns + maker.slice(0, 3) + item.slice(3) + '3' + check;
  if (maker.endsWith('0') && item.startsWith('0000'))
    return ns + maker.slice(0, 4) + item.charAt(4) + '4' + check;
  if (item.startsWith('0000') && item.charAt(4) >= '5') return ns + maker + item.charAt(4) + check;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Price / measure verifier digit (GS1 General Specifications §7.9, 4- and 5-digit fields)

// The four weighting "products" of the price check: each maps a digit to a digit.
const twoMinus = (d: number): number => (((2 * d) % 10) - Math.floor((2 * d) / 10) + 10) % 10;
const three = (d: number): number => (3 * d) % 10;
const fivePlus = (d: number): number => (((5 * d) % 10) + Math.floor((5 * d) / 10)) % 10;
const fiveMinus = (d: number): number => (((5 * d) % 10) - Math.floor((5 * d) / 10) + 10) % 10;

/**
 * The verifier digit GS1 defines for a 4- or 5-digit price or measure field inside a
 * variable-measure code (e.g. "2875" → 9, "14685" → 6).
 */
export function computePriceVerifierDigit(value: string): number {
  if (!/^\d{4,5}$/.test(value)) throw new RangeError(`a price verifier covers 4 or 5 digits, got "${value}"`);
  const d = Array.from(value, Number) as [number, number, number, number, number?];
  if (d[4] === undefined) return ((twoMinus(d[0]) + twoMinus(d[1]) + three(d[2]) + fiveMinus(d[3])) * 3) % 10;
  const sum = fivePlus(d[0]) + twoMinus(d[1]) + fiveMinus(d[2]) + fivePlus(d[3]) + twoMinus(d[4]);
  // The check digit is the digit whose 5- product makes the sum a multiple of ten.
  const target = (10 - (sum % 10)) % 10;
  let digit = 0;
  while (fiveMinus(digit) !== target) digit++;
  return digit;
}

// ---------------------------------------------------------------------------------------------
// Variable-measure templates

export type VariableMeasureKind = 'price' | 'weight' | 'count';

/** Digits `start` … `start + length - 1`, counted from 0 in the 13-digit form of the code. */
export interface DigitSpan {
  readonly start: number;
  readonly length: number;
}

/**
 * Layout of an in-store (restricted circulation) EAN-13 whose digits carry a price, weight or
 * count. Positions count from 0 in the 13-digit form; a UPC-A "2 IIIII V PPPP C" is the 13-digit
 * "02IIIIIVPPPPC". Digit 12 is always the GTIN check digit.
 */
export interface VariableMeasureTemplate {
  readonly id: string;
  /** Leading digits that select this template: 02, 04, 20–29 or 40–49, optionally longer. */
  readonly prefix: string;
  /** The item reference: with the prefix, what identifies the base product. */
  readonly item: DigitSpan;
  /** The embedded value. */
  readonly value: DigitSpan;
  /**
   * price: in the till's currency, → minor units; weight: of the product's unit (kg in GS1
   * layouts), → thousandths (grams); count: whole items, → thousandths of "each".
   */
  readonly kind: VariableMeasureKind;
  /** Decimal places of the embedded value (price ≤ the currency's exponent, weight ≤ 3, count 0). */
  readonly decimals: number;
  /** Position of the GS1 price/measure verifier digit, when the layout has one (4- or 5-digit values). */
  readonly verifierDigitAt?: number;
}

export interface VariableMeasure {
  readonly templateId: string;
  /**
   * Lookup key of the base product: the code with every digit other than prefix and item
   * reference set to 0 and the check digit recomputed, as a 14-digit GTIN. Index the product
   * under that code ("2012345000001" for item 12345 of prefix 20).
   */
  readonly itemKey: string;
  readonly kind: VariableMeasureKind;
  /** price: minor units; weight and count: thousandths of the unit (QUANTITY_SCALE). */
  readonly value: number;
}

const span = (start: number, length: number): DigitSpan => ({ start, length });

function template(
  id: string,
  prefix: string,
  kind: VariableMeasureKind,
  decimals: number,
  item: DigitSpan,
  value: DigitSpan,
  verifierDigitAt?: number,
): VariableMeasureTemplate {
  return verifierDigitAt === undefined
    ? { id, prefix, kind, decimals, item, value }
    : { id, prefix, kind, decimals, item, value, verifierDigitAt };
}

export type VariableMeasurePreset = 'nordic' | 'germany' | 'united-kingdom' | 'upc-random-weight';

/**
 * Published layouts to start from. Which prefix means what is set per country by the GS1 Member
 * Organisation (and, for 04/40–49, by the company): check yours before switching one on, and copy
 * and edit a template (`{ ...t, prefix: '24' }`) where the store's scales differ.
 */
export const VARIABLE_MEASURE_PRESETS: Readonly<
  Record<VariableMeasurePreset, readonly VariableMeasureTemplate[]>
> = {
  /** GS1 Sweden (Norway alike): 20/21/22 price with 2/1/0 decimals, 23/24/25 weight in kg with 3/2/1. */
  nordic: [
    template('nordic-20-price', '20', 'price', 2, span(2, 6), span(8, 4)),
    template('nordic-21-price', '21', 'price', 1, span(2, 6), span(8, 4)),
    template('nordic-22-price', '22', 'price', 0, span(2, 6), span(8, 4)),
    template('nordic-23-weight', '23', 'weight', 3, span(2, 6), span(8, 4)),
    template('nordic-24-weight', '24', 'weight', 2, span(2, 6), span(8, 4)),
    template('nordic-25-weight', '25', 'weight', 1, span(2, 6), span(8, 4)),
  ],
  /** GS1 Germany: 4-digit item, verifier digit, 5-digit value; 22/23 price, 25/26 count, 28/29 weight (kg). */
  germany: [
    template('de-22-price', '22', 'price', 2, span(2, 4), span(7, 5), 6),
    template('de-23-price', '23', 'price', 2, span(2, 4), span(7, 5), 6),
    template('de-25-count', '25', 'count', 0, span(2, 4), span(7, 5), 6),
    template('de-26-count', '26', 'count', 0, span(2, 4), span(7, 5), 6),
    template('de-28-weight', '28', 'weight', 3, span(2, 4), span(7, 5), 6),
    template('de-29-weight', '29', 'weight', 3, span(2, 4), span(7, 5), 6),
  ],
  /** GS1 UK: 20, 5-digit item, price verifier digit, 4-digit price. */
  'united-kingdom': [template('uk-20-price', '20', 'price', 2, span(2, 5), span(8, 4), 7)],
  /** UPC-A number system 2 (EAN-13 prefix 02): 5-digit item, price verifier digit, 4-digit price. */
  'upc-random-weight': [template('upc-2-price', '02', 'price', 2, span(2, 5), span(8, 4), 7)],
};

// ---------------------------------------------------------------------------------------------
// Configuration

export interface ScanConfig {
  /** ISO 4217 code of the till's currency; required when a template embeds a price. */
  readonly currency?: string;
  /** Variable-measure layouts in use in the store; none by default. */
  readonly variableMeasure?: readonly VariableMeasureTemplate[];
  /**
   * Read digits "01" + a valid GTIN-14 (+ more AIs) as a GS1 element string even without an AIM
   * identifier or GS. Off by default: a gift or loyalty card number can start with 01. Meant for
   * keyboard-wedge scanners that cannot send AIM identifiers; falls back to an internal code when
   * the text does not parse as GS1.
   */
  readonly gs1WithoutAim?: boolean;
  /**
   * A printable character a keyboard-wedge scanner sends in place of GS/FNC1 (which cannot be
   * typed), e.g. "~". Read as GS inside GS1 data only.
   */
  readonly gsSubstitute?: string;
}

interface CompiledTemplate {
  readonly template: VariableMeasureTemplate;
  /** Multiplier from the embedded integer to minor units or thousandths. */
  readonly factor: number;
}

interface CompiledConfig {
  readonly config: ScanConfig;
  /** Longest prefix first, so a 3-digit prefix wins over a 2-digit one it starts with. */
  readonly templates: readonly CompiledTemplate[];
}

const RCN_PREFIX = /^(?:0[24]|[24]\d)\d{0,4}$/;
const AI82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$/;

function configError(message: string, params: Readonly<Record<string, string | number>> = {}): DomainError {
  return new DomainError('invalid_barcode_config', message, params);
}

function compileTemplate(t: VariableMeasureTemplate, currency: string | undefined): CompiledTemplate {
  const fail = (reason: string): DomainError =>
    configError(`Barcode template "${t.id}": ${reason} Correct the store's barcode settings.`, {
      template: t.id,
    });
  if (t.id.trim() === '')
    throw configError('A barcode template has no id. Correct the store’s barcode settings.');
  if (!RCN_PREFIX.test(t.prefix)) {
    throw fail(`prefix "${t.prefix}" is not an in-store prefix (02, 04, 20–29 or 40–49, up to 6 digits).`);
  }
  // Every position 0–11 may belong to one field only; 12 is the GTIN check digit.
  const owner: (string | undefined)[] = new Array<string | undefined>(12).fill(undefined);
  const claim = (from: number, length: number, what: string): void => {
    if (
      !Number.isInteger(from) ||
      !Number.isInteger(length) ||
      from < 0 ||
      length < 1 ||
      from + length > 12
    ) {
      throw fail(`the ${what} must lie within digits 1–12.`);
    }
    for (let i = from; i < from + length; i++) {
      const other = owner[i];
      if (other !== undefined) throw fail(`the ${what} overlaps the ${other} at digit ${i + 1}.`);
      owner[i] = what;
    }
  };
  claim(0, t.prefix.length, 'prefix');
  claim(t.item.start, t.item.length, 'item reference');
  claim(t.value.start, t.value.length, 'value');
  if (t.value.length > 9) throw fail('the value may have at most 9 digits.');
  if (t.verifierDigitAt !== undefined) {
    claim(t.verifierDigitAt, 1, 'verifier digit');
    if (t.value.length !== 4 && t.value.length !== 5) {
      throw fail('a verifier digit needs a 4- or 5-digit value.');
    }
  }
  if (!Number.isInteger(t.decimals) || t.decimals < 0) throw fail('decimals must be a whole number ≥ 0.');
  switch (t.kind) {
    case 'price': {
      if (currency === undefined)
        throw fail('a price template needs the till currency in the configuration.');
      const exponent = currencyExponent(currency);
      if (t.decimals > exponent) throw fail(`${currency} prices have at most ${exponent} decimals.`);
      return { template: t, factor: 10 ** (exponent - t.decimals) };
    }
    case 'weight':
      if (t.decimals > 3) throw fail('a weight has at most 3 decimals (thousandths).');
      return { template: t, factor: 10 ** (3 - t.decimals) };
    case 'count':
      if (t.decimals !== 0) throw fail('a count has no decimals.');
      return { template: t, factor: QUANTITY_SCALE };
  }
}

function compileConfig(config: ScanConfig): CompiledConfig {
  const sub = config.gsSubstitute;
  if (
    sub !== undefined &&
    (sub.length !== 1 || AI82.test(sub) || isControl(sub.charCodeAt(0)) || sub === ' ')
  ) {
    throw configError(
      `"${sub}" cannot stand in for GS: use one printable character that GS1 data never contains, e.g. "~".`,
      { gsSubstitute: sub },
    );
  }
  const templates = (config.variableMeasure ?? []).map((t) => compileTemplate(t, config.currency));
  const ids = new Set<string>();
  const prefixes = new Map<string, string>();
  for (const { template: t } of templates) {
    if (ids.has(t.id)) throw configError(`Two barcode templates are named "${t.id}".`, { template: t.id });
    ids.add(t.id);
    const clash = prefixes.get(t.prefix);
    if (clash !== undefined) {
      throw configError(`Barcode templates "${clash}" and "${t.id}" both use prefix ${t.prefix}.`, {
        template: t.id,
      });
    }
    prefixes.set(t.prefix, t.id);
  }
  templates.sort((a, b) => b.template.prefix.length - a.template.prefix.length);
  return { config, templates };
}

const compiledConfigs = new WeakMap<ScanConfig, CompiledConfig>();

// Configurations are long-lived readonly objects: validate each once, not on every scan.
function compiled(config: ScanConfig): CompiledConfig {
  let result = compiledConfigs.get(config);
  if (result === undefined) {
    result = compileConfig(config);
    compiledConfigs.set(config, result);
  }
  return result;
}

/** Refuses a configuration the till could not scan with ('invalid_barcode_config'). */
export function validateScanConfig(config: ScanConfig): void {
  compiled(config);
}

function decodeWith(code13: string, compiledTemplate: CompiledTemplate, shown: string): VariableMeasure {
  const { template: t, factor } = compiledTemplate;
  const valueDigits = code13.slice(t.value.start, t.value.start + t.value.length);
  if (t.verifierDigitAt !== undefined) {
    const expected = computePriceVerifierDigit(valueDigits);
    if (Number(code13.charAt(t.verifierDigitAt)) !== expected) {
      throw new DomainError(
        'bad_check_digit',
        `The ${t.kind} in barcode ${shown} does not check out (digit ${t.verifierDigitAt + 1} should be ${expected}). Scan again or key the item.`,
        { barcode: shown, expected, position: t.verifierDigitAt + 1 },
      );
    }
  }
  const base = Array.from({ length: 12 }, (_, i) =>
    i < t.prefix.length || (i >= t.item.start && i < t.item.start + t.item.length) ? code13.charAt(i) : '0',
  ).join('');
  return {
    templateId: t.id,
    itemKey: `0${base}${computeCheckDigit(base)}`,
    kind: t.kind,
    value: Number(valueDigits) * factor,
  };
}

function findTemplate(gtin14: string, config: CompiledConfig): CompiledTemplate | undefined {
  if (!gtin14.startsWith('0')) return undefined;
  const code13 = gtin14.slice(1);
  return config.templates.find((c) => code13.startsWith(c.template.prefix));
}

/**
 * Decodes an EAN-13 / UPC-A / GTIN-14 with `template`. Refuses a bad GTIN check digit, a bad
 * verifier digit ('bad_check_digit') and a code the template does not apply to.
 */
export function decodeVariableMeasure(
  code: string,
  variableMeasureTemplate: VariableMeasureTemplate,
  currency?: string,
): VariableMeasure {
  const gtin14 = normalizeGtin(code);
  const config = compiled(
    currency === undefined
      ? { variableMeasure: [variableMeasureTemplate] }
      : { variableMeasure: [variableMeasureTemplate], currency },
  );
  const match = findTemplate(gtin14, config);
  if (match === undefined) {
    throw invalidBarcode(
      code,
      `The barcode ${code} does not start with ${variableMeasureTemplate.prefix}, so it has no embedded ${variableMeasureTemplate.kind}.`,
    );
  }
  return decodeWith(gtin14.slice(1), match, code);
}

// ---------------------------------------------------------------------------------------------
// GS1 element strings

export interface Gs1Element {
  readonly ai: string;
  readonly value: string;
  /** The library's short name for the AI ("GTIN", "BATCH/LOT" …), for display. */
  readonly label?: string;
}

/** An integer with an implied decimal point: { value: 1250, decimals: 3 } is 1.250. */
export interface ScaledDecimal {
  readonly value: number;
  readonly decimals: number;
}

/** A GS1 YYMMDD date. `day` 0 means "end of the month" (allowed for expiry dates). */
export interface Gs1Date {
  readonly twoDigitYear: number;
  readonly month: number;
  readonly day: number;
}

export interface Gs1Data {
  /** Every element in scan order, AI 01 included. */
  readonly elements: readonly Gs1Element[];
  /** AI 01, checked. */
  readonly gtin?: string;
  /** AI 10 batch/lot. */
  readonly batch?: string;
  /** AI 17 expiry ("use by"); resolve the century with `gs1DateToIso`. */
  readonly expiry?: Gs1Date;
  /** AI 21 serial number. */
  readonly serial?: string;
  /** AI 310n net weight in kg with n decimals. */
  readonly netWeightKg?: ScaledDecimal;
  /** AI 392n amount payable in the local currency with n decimals. */
  readonly price?: ScaledDecimal;
}

// Value lengths GS1 predefines by the AI's first two digits (the value alone, without the AI).
const PREDEFINED_VALUE_LENGTH: ReadonlyMap<string, number> = new Map([
  ['00', 18],
  ['01', 14],
  ['02', 14],
  ['03', 14],
  ['04', 16],
  ...['11', '12', '13', '14', '15', '16', '17', '18', '19'].map((ai) => [ai, 6] as const),
  ['20', 2],
  ...['31', '32', '33', '34', '35', '36'].map((ai) => [ai, 6] as const),
  ['41', 13],
]);

const isLeapTwoDigitYear = (yy: number): boolean => yy % 4 === 0;

function daysInMonth(month: number, leap: boolean): number {
  if (month === 2) return leap ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function readGs1Date(value: string): Gs1Date | undefined {
  if (!/^\d{6}$/.test(value)) return undefined;
  const twoDigitYear = Number(value.slice(0, 2));
  const month = Number(value.slice(2, 4));
  const day = Number(value.slice(4, 6));
  // A two-digit year divisible by 4 is a leap year throughout 1901–2099.
  if (month < 1 || month > 12 || day > daysInMonth(month, isLeapTwoDigitYear(twoDigitYear))) return undefined;
  return { twoDigitYear, month, day };
}

/**
 * The ISO date (YYYY-MM-DD) of a GS1 date, choosing the century by the GS1 rule: a year more than
 * 50 years ahead of `referenceYear` is in the previous century, one 50 or more years behind it in
 * the next. Day 0 becomes the last day of the month.
 */
export function gs1DateToIso(date: Gs1Date, referenceYear: number): string {
  const current = referenceYear % 100;
  const difference = date.twoDigitYear - current;
  const century = referenceYear - current + (difference >= 51 ? -100 : difference <= -50 ? 100 : 0);
  const year = century + date.twoDigitYear;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = date.day === 0 ? daysInMonth(date.month, leap) : date.day;
  return `${String(year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `amount` at `decimals` places: 1.250 (3) at 2 → 125 with any mode; at 1 → 12 or 13 by `mode`. */
export function rescale(amount: ScaledDecimal, decimals: number, mode: RoundingMode): number {
  return decimals >= amount.decimals
    ? mulDiv(amount.value, 10 ** (decimals - amount.decimals), 1, mode)
    : mulDiv(amount.value, 1, 10 ** (amount.decimals - decimals), mode);
}

function readGs1(elements: readonly ParsedGs1Element[], shown: string): Gs1Data {
  const bad = (reason: string): DomainError =>
    invalidBarcode(
      shown,
      `The GS1 barcode ${quote(shown)} cannot be read: ${reason} Scan again or key the item.`,
    );
  const seen = new Map<string, string>();
  const read: Gs1Element[] = [];
  let data: {
    gtin?: string;
    batch?: string;
    expiry?: Gs1Date;
    serial?: string;
    netWeightKg?: ScaledDecimal;
    price?: ScaledDecimal;
  } = {};
  for (const element of elements) {
    const { ai, value, label } = element;
    if (ai === undefined)
      throw bad(`"${value.slice(0, 20)}" does not start with a known application identifier.`);
    const before = seen.get(ai);
    if (before !== undefined && before !== value) throw bad(`(${ai}) appears twice with different values.`);
    seen.set(ai, value);
    const length = PREDEFINED_VALUE_LENGTH.get(ai.slice(0, 2));
    if (length !== undefined && value.length !== length) {
      throw bad(`(${ai}) "${value}" should have ${length} characters, it has ${value.length}.`);
    }
    read.push(label === undefined ? { ai, value } : { ai, value, label });
    if (ai === '01') {
      if (!ALL_DIGITS.test(value)) throw bad(`(01) "${value}" is not a GTIN.`);
      assertCheckDigit(value, value);
      data = { ...data, gtin: value };
    } else if (ai === '10' || ai === '21') {
      if (value.length > 20 || !AI82.test(value))
        throw bad(`(${ai}) "${value}" is not a valid batch or serial.`);
      data = ai === '10' ? { ...data, batch: value } : { ...data, serial: value };
    } else if (ai === '17') {
      const expiry = readGs1Date(value);
      if (expiry === undefined) throw bad(`(17) "${value}" is not a valid date (YYMMDD).`);
      data = { ...data, expiry };
    } else if (/^310[0-5]$/.test(ai)) {
      if (!ALL_DIGITS.test(value)) throw bad(`(${ai}) "${value}" is not a weight.`);
      data = { ...data, netWeightKg: { value: Number(value), decimals: Number(ai.charAt(3)) } };
    } else if (/^392\d$/.test(ai)) {
      if (!/^\d{1,15}$/.test(value)) throw bad(`(${ai}) "${value}" is not an amount.`);
      data = { ...data, price: { value: Number(value), decimals: Number(ai.charAt(3)) } };
    }
  }
  if (read.length === 0) throw bad('it holds no data.');
  return { elements: read, ...data };
}

// ---------------------------------------------------------------------------------------------
// Scan interpretation

/**
 * How the code was printed. Taken from the AIM identifier when the scanner sends one; otherwise
 * inferred from the digits (then `aim` is absent on the result), or 'unknown'.
 */
export type Symbology =
  | 'ean13'
  | 'ean8'
  | 'upca'
  | 'upce'
  | 'itf'
  | 'gs1-128'
  | 'gs1-databar'
  | 'gs1-datamatrix'
  | 'gs1-qr'
  | 'code128'
  | 'code39'
  | 'code93'
  | 'codabar'
  | 'qr-code'
  | 'data-matrix'
  | 'pdf417'
  | 'aztec'
  | 'other'
  | 'unknown';

interface ScanBase {
  /** The scan with the scanner's suffix (CR/LF) and surrounding blanks removed. */
  readonly raw: string;
  readonly symbology: Symbology;
  /** The AIM symbology identifier (e.g. "]E0"), when the scanner sent one. */
  readonly aim?: string;
}

/** A product GTIN; `lookupKey` is the 14-digit GTIN. */
export interface GtinScan extends ScanBase {
  readonly type: 'gtin';
  readonly gtin: string;
  readonly lookupKey: string;
  /**
   * A second reading of an 8-digit code scanned without AIM identifier that checks out both as
   * UPC-E (the primary reading) and as EAN-8: look it up when the first key finds nothing.
   */
  readonly alternateKey?: string;
  /** The 2- or 5-digit EAN/UPC add-on (issue number, book price) when the scanner sent one. */
  readonly addOn?: string;
}

/** An in-store code with an embedded price, weight or count; `lookupKey` is `measure.itemKey`. */
export interface VariableMeasureScan extends ScanBase {
  readonly type: 'variable-measure';
  /** The scanned code as a 14-digit GTIN. */
  readonly gtin: string;
  readonly lookupKey: string;
  readonly measure: VariableMeasure;
}

/** A GS1 element string; `lookupKey` is its GTIN (AI 01), absent when it carries none (e.g. SSCC). */
export interface Gs1Scan extends ScanBase {
  readonly type: 'gs1';
  readonly gtin?: string;
  readonly lookupKey?: string;
  readonly gs1: Gs1Data;
}

/** A code that is not a GTIN (SKU, PLU, Code 128 text, gift card, receipt …), keyed as read. */
export interface InternalScan extends ScanBase {
  readonly type: 'internal';
  readonly code: string;
  readonly lookupKey: string;
}

export type ScanResult = GtinScan | VariableMeasureScan | Gs1Scan | InternalScan;

const MAX_SCAN_LENGTH = 1024;
const NO_CONFIG: ScanConfig = {};

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

// Shows what was scanned in a message without echoing control characters into the UI.
function quote(text: string): string {
  const shown = Array.from(text, (ch) => (ch === GS ? '<GS>' : isControl(ch.charCodeAt(0)) ? '?' : ch)).join(
    '',
  );
  return `"${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}"`;
}

function invalidBarcode(barcode: string, message: string): DomainError {
  return new DomainError('invalid_barcode', message, { barcode });
}

function unreadable(barcode: string, why: string): DomainError {
  return invalidBarcode(barcode, `The barcode ${quote(barcode)} ${why}. Scan again or key the item.`);
}

interface Context {
  readonly raw: string;
  readonly aim: string | undefined;
  readonly config: CompiledConfig;
}

function base(context: Context, symbology: Symbology): ScanBase {
  return context.aim === undefined
    ? { raw: context.raw, symbology }
    : { raw: context.raw, symbology, aim: context.aim };
}

/**
 * Reads one scan. `raw` is what the scanner sent: optional AIM identifier, data, optional CR/LF
 * suffix. Refuses garbage and incomplete codes ('invalid_barcode') and codes whose check digit or
 * price verifier fails ('bad_check_digit'); never guesses another product.
 */
export function interpretScan(raw: string, config: ScanConfig = NO_CONFIG): ScanResult {
  const text = raw.trim();
  const context: Context = { raw: text, aim: undefined, config: compiled(config) };
  if (text === '') {
    throw invalidBarcode('', 'Nothing was read from the scanner. Scan again or key the item.');
  }
  if (text.length > MAX_SCAN_LENGTH) throw unreadable(text, 'is too long to be a product code');
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isControl(code) && code !== 0x1d) throw unreadable(text, 'contains characters a barcode cannot hold');
  }
  if (text.startsWith(']')) {
    const data = text.slice(3).trim();
    if (data === '') throw unreadable(text, 'holds no data');
    return interpretAim({ ...context, aim: text.slice(0, 3) }, data);
  }
  return interpretUnlabelled(context, text, 'unknown');
}

/** The lookup key `interpretScan` gives `code`; refuses GS1 data without a GTIN. Index catalog barcodes with it. */
export function normalizeBarcode(code: string, config: ScanConfig = NO_CONFIG): string {
  const result = interpretScan(code, config);
  if (result.lookupKey === undefined) {
    throw invalidBarcode(
      result.raw,
      `The barcode ${quote(result.raw)} carries no product number (GTIN). Scan the product's own barcode.`,
    );
  }
  return result.lookupKey;
}

type EanUpc = 'ean13' | 'upca' | 'upce' | 'ean8';

function isEanUpc(symbology: AimResult['symbology']): symbology is EanUpc {
  return symbology === 'ean13' || symbology === 'upca' || symbology === 'upce' || symbology === 'ean8';
}

// ]E3 sends main code and add-on as one run of digits; its length says how to split it.
const WITH_ADD_ON: ReadonlyMap<number, readonly [EanUpc, number]> = new Map([
  [10, ['upce', 8]],
  [13, ['upce', 8]],
  [14, ['upca', 12]],
  [15, ['ean13', 13]],
  [17, ['upca', 12]],
  [18, ['ean13', 13]],
]);

function interpretAim(context: Context, data: string): ScanResult {
  const aim = context.aim ?? '';
  const info = Aim.decode(aim, data);
  const letter = aim.charAt(1);
  const modifier = aim.charAt(2);

  if (letter === 'E') {
    if (!ALL_DIGITS.test(data)) throw unreadable(context.raw, 'is not an EAN/UPC code (digits only)');
    if (modifier === '1' || modifier === '2') {
      throw unreadable(context.raw, 'is only the small add-on code; scan the main barcode');
    }
    if (modifier === '3') {
      const split = WITH_ADD_ON.get(data.length);
      if (split === undefined) throw unreadable(context.raw, 'is incomplete');
      const [kind, mainLength] = split;
      return fromEanUpc(context, kind, data.slice(0, mainLength), data.slice(mainLength));
    }
    if (modifier === '4') {
      if (data.length !== 8) throw unreadable(context.raw, 'is incomplete (EAN-8 has 8 digits)');
      return fromEanUpc(context, 'ean8', data);
    }
    const kind = eanUpcByLength(data.length);
    if (kind === undefined) throw unreadable(context.raw, `is incomplete (${data.length} digits)`);
    return fromEanUpc(context, kind, data);
  }
  if (isEanUpc(info.symbology)) {
    // Vendor identifiers (]X…) that name an EAN/UPC symbology; the digits must fit it.
    const kind =
      info.symbology === 'ean8' ? (data.length === 8 ? 'ean8' : undefined) : eanUpcByLength(data.length);
    if (kind === undefined || !ALL_DIGITS.test(data)) throw unreadable(context.raw, 'is incomplete');
    return fromEanUpc(context, kind, data);
  }
  const symbology = mapSymbology(info);
  if (info.fnc1 === 1 || symbology === 'gs1-databar') return fromGs1(context, data, symbology);
  if (info.symbology === null) return interpretUnlabelled(context, data, 'unknown');
  return fromOtherSymbology(context, data, symbology);
}

function eanUpcByLength(length: number): EanUpc | undefined {
  if (length === 13) return 'ean13';
  if (length === 12) return 'upca';
  if (length === 8) return 'upce';
  return undefined;
}

// The library's names for the symbologies a store meets; the rest report as 'other'.
const SYMBOLOGY_NAMES: Readonly<Partial<Record<LibrarySymbology, Symbology>>> = {
  ean13: 'ean13',
  ean8: 'ean8',
  upca: 'upca',
  upce: 'upce',
  'gs1-128': 'gs1-128',
  code128: 'code128',
  code39: 'code39',
  code93: 'code93',
  codabar: 'codabar',
  pdf417: 'pdf417',
  'gs1-databar-omni': 'gs1-databar',
  'gs1-databar-limited': 'gs1-databar',
  'gs1-databar-expanded': 'gs1-databar',
  'data-matrix': 'data-matrix',
  'qr-code': 'qr-code',
  'qr-code-micro': 'qr-code',
  'aztec-code': 'aztec',
  'interleaved-2-of-5': 'itf',
  itf: 'itf',
};

function mapSymbology(info: AimResult): Symbology {
  if (info.symbology === null) return 'unknown';
  const name = SYMBOLOGY_NAMES[info.symbology] ?? 'other';
  if (info.fnc1 !== 1) return name;
  if (name === 'data-matrix') return 'gs1-datamatrix';
  if (name === 'qr-code') return 'gs1-qr';
  return name;
}

/** EAN/UPC digits of the length their symbology requires → 14-digit GTIN, check digit verified. */
function fromEanUpc(context: Context, kind: EanUpc, digits: string, addOn?: string): ScanResult {
  if (kind === 'upce') {
    if (!/^[01]/.test(digits)) throw unreadable(context.raw, 'is not a UPC-E code (number system 0 or 1)');
    const upca = expandUpcE(digits);
    assertCheckDigit(upca, digits);
    return fromGtin(context, kind, `00${upca}`, addOn === undefined ? {} : { addOn });
  }
  assertCheckDigit(digits, digits);
  return fromGtin(context, kind, digits.padStart(14, '0'), addOn === undefined ? {} : { addOn });
}

function fromGtin(
  context: Context,
  symbology: Symbology,
  gtin14: string,
  extra: { readonly alternateKey?: string; readonly addOn?: string },
): GtinScan | VariableMeasureScan {
  const match = findTemplate(gtin14, context.config);
  if (match !== undefined) {
    const measure = decodeWith(gtin14.slice(1), match, context.raw);
    return {
      ...base(context, symbology),
      type: 'variable-measure',
      gtin: gtin14,
      lookupKey: measure.itemKey,
      measure,
    };
  }
  return { ...base(context, symbology), type: 'gtin', gtin: gtin14, lookupKey: gtin14, ...extra };
}

// Some scanners send the leading FNC1 as GS, and a trailing GS is harmless: drop both.
function trimSeparators(data: string): string {
  let start = 0;
  let end = data.length;
  while (start < end && data.charAt(start) === GS) start++;
  while (end > start && data.charAt(end - 1) === GS) end--;
  return data.slice(start, end);
}

function fromGs1(
  context: Context,
  data: string,
  symbology: Symbology,
  expectedAis?: readonly string[],
): Gs1Scan {
  const substitute = context.config.config.gsSubstitute;
  const value = trimSeparators(substitute === undefined ? data : data.replaceAll(substitute, GS));
  if (value === '') throw unreadable(context.raw, 'holds no data');
  const parsed = GS1.parse({ value, fnc1: 1 });
  const gs1 = readGs1(parsed?.elements ?? [], context.raw);
  if (expectedAis !== undefined && gs1.elements.map((e) => e.ai).join() !== expectedAis.join()) {
    throw unreadable(context.raw, 'has application identifiers this till does not know');
  }
  return gs1.gtin === undefined
    ? { ...base(context, symbology), type: 'gs1', gs1 }
    : { ...base(context, symbology), type: 'gs1', gtin: gs1.gtin, lookupKey: gs1.gtin, gs1 };
}

const DIGITAL_LINK_GTIN = /^https?:\/\/[^/?#]+(?:\/[^/?#]*)*\/01\/\d{8,14}(?:[/?#]|$)/i;

/** A GS1 Digital Link URI (QR code) with a GTIN, or `undefined` when `data` is not one. */
function fromDigitalLink(context: Context, data: string, symbology: Symbology): Gs1Scan | undefined {
  // Only a URI whose path carries a GTIN (/01/…) names a product. Any other URL — our own
  // digital-receipt links, which returns scan, among them — is a plain code; handing it to the
  // library would misread path segments as application identifiers and refuse the scan.
  if (!DIGITAL_LINK_GTIN.test(data) || !GS1.DigitalLink.is(data)) return undefined;
  let parsed: readonly ParsedGs1Element[];
  try {
    parsed = GS1.DigitalLink.parse(data);
  } catch (error) {
    if (error instanceof TypeError) return undefined; // not a URL after all
    throw error;
  }
  const gs1 = readGs1(parsed, context.raw);
  return gs1.gtin === undefined
    ? undefined
    : { ...base(context, symbology), type: 'gs1', gtin: gs1.gtin, lookupKey: gs1.gtin, gs1 };
}

function internal(context: Context, code: string, symbology: Symbology): InternalScan {
  if (code.includes(GS)) throw unreadable(context.raw, 'contains a GS1 separator but is not GS1 data');
  return { ...base(context, symbology), type: 'internal', code, lookupKey: code };
}

/** Code 128, Code 39, ITF, QR … that are not flagged as GS1. */
function fromOtherSymbology(context: Context, data: string, symbology: Symbology): ScanResult {
  if (GTIN_SHAPE.test(data)) {
    // ITF with 14 digits is ITF-14, a GTIN carrier: its check digit must hold.
    if (symbology === 'itf' && data.length === 14)
      return fromGtin(context, symbology, normalizeGtin(data), {});
    // A GTIN printed in Code 128 & co.: keyed like the EAN it copies, so it finds the product.
    if (isValidGtin(data)) return fromGtin(context, symbology, data.padStart(14, '0'), {});
  }
  return fromDigitalLink(context, data, symbology) ?? internal(context, data, symbology);
}

const HRI_GS1 = /^(?:\(\d{2,4}\)[^()]+)+$/;
const HRI_ELEMENT = /\((\d{2,4})\)([^()]+)/g;

/** No AIM identifier (keyboard entry, or a scanner not set to send one): judge by the text. */
function interpretUnlabelled(context: Context, data: string, symbology: Symbology): ScanResult {
  if (data.includes(GS)) return fromGs1(context, data, symbology);
  if (HRI_GS1.test(data)) {
    // "(01)09506000134352(17)261231" as printed under a GS1-128 or DataBar symbol.
    const pairs = Array.from(data.matchAll(HRI_ELEMENT), (m) => [m[1] ?? '', m[2] ?? ''] as const);
    const elementString = pairs.map(([ai, value]) => ai + value).join(GS);
    return fromGs1(
      context,
      elementString,
      symbology,
      pairs.map(([ai]) => ai),
    );
  }
  if (context.config.config.gs1WithoutAim === true && /^01\d{14}/.test(data)) {
    const gs1 = attemptGs1(context, data, symbology);
    if (gs1 !== undefined) return gs1;
  }
  if (ALL_DIGITS.test(data)) {
    switch (data.length) {
      case 8:
        return fromEightDigits(context, data);
      case 12:
        return fromEanUpc(context, 'upca', data);
      case 13:
        return fromEanUpc(context, 'ean13', data);
      case 14:
        return fromGtin(context, symbology, normalizeGtin(data), {});
      case 9:
      case 10:
      case 11:
        throw unreadable(context.raw, `is incomplete (${data.length} digits)`);
      default:
        return internal(context, data, symbology);
    }
  }
  return fromDigitalLink(context, data, symbology) ?? internal(context, data, symbology);
}

function attemptGs1(context: Context, data: string, symbology: Symbology): Gs1Scan | undefined {
  try {
    return fromGs1(context, data, symbology);
  } catch (error) {
    if (error instanceof DomainError) return undefined;
    throw error;
  }
}

/** 8 digits without AIM identifier: UPC-E when it checks out as one (number system 0/1), else EAN-8. */
function fromEightDigits(context: Context, data: string): ScanResult {
  const upca = /^[01]/.test(data) ? expandUpcE(data) : undefined;
  const asUpcE = upca !== undefined && isValidGtin(upca) ? `00${upca}` : undefined;
  const asEan8 = isValidGtin(data) ? data.padStart(14, '0') : undefined;
  if (asUpcE !== undefined) {
    return fromGtin(context, 'upce', asUpcE, asEan8 === undefined ? {} : { alternateKey: asEan8 });
  }
  if (asEan8 !== undefined) return fromGtin(context, 'ean8', asEan8, {});
  // Neither reading checks out: name the digit of the reading a cashier is likelier to hold.
  if (upca !== undefined) assertCheckDigit(upca, data);
  assertCheckDigit(data, data);
  throw new RangeError('unreachable: an invalid 8-digit code passed its check');
}
