/**
 * Money, decimals and rounding. Amounts are integers in the currency's minor unit (ISO 4217
 * exponent: JPY 0, USD 2, KWD 3). Quantities and rates are integers at a fixed scale. Nothing here
 * uses floating point for a value that reaches a receipt: products that could leave the safe
 * integer range are computed in BigInt and refused if the result does not fit.
 */
import { DomainError } from './errors.ts';

/** An amount in minor units of a currency (cents for USD, yen for JPY). Always a safe integer. */
export type Minor = number;

/** Quantities are thousandths of the unit: 1 each = 1000, 0.375 kg = 375. */
export const QUANTITY_SCALE = 1000;
/** Rates (tax, percent discounts) are millionths: 8.875 % = 88_750, 20 % = 200_000. */
export const RATE_SCALE = 1_000_000;

export type RoundingMode =
  /** to nearest; halves away from zero (commercial rounding) */
  | 'half-up'
  /** to nearest; halves toward zero */
  | 'half-down'
  /** to nearest; halves to the even neighbour (banker's rounding) */
  | 'half-even'
  /** away from zero */
  | 'up'
  /** toward zero (truncate) */
  | 'down'
  /** toward +∞ */
  | 'ceiling'
  /** toward −∞ */
  | 'floor';

export const ROUNDING_MODES: readonly RoundingMode[] = [
  'half-up',
  'half-down',
  'half-even',
  'up',
  'down',
  'ceiling',
  'floor',
];

// ISO 4217 currencies whose minor unit is not 2. Every other code in ACTIVE_CODES has exponent 2.
const EXPONENT_0 = [
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'UYI',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
];
const EXPONENT_3 = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];
const EXPONENT_4 = ['CLF', 'UYW'];
const EXPONENT_2 = [
  'AED',
  'AFN',
  'ALL',
  'AMD',
  'ANG',
  'AOA',
  'ARS',
  'AUD',
  'AWG',
  'AZN',
  'BAM',
  'BBD',
  'BDT',
  'BGN',
  'BMD',
  'BND',
  'BOB',
  'BRL',
  'BSD',
  'BTN',
  'BWP',
  'BYN',
  'BZD',
  'CAD',
  'CDF',
  'CHF',
  'CNY',
  'COP',
  'CRC',
  'CUP',
  'CVE',
  'CZK',
  'DKK',
  'DOP',
  'DZD',
  'EGP',
  'ERN',
  'ETB',
  'EUR',
  'FJD',
  'FKP',
  'GBP',
  'GEL',
  'GHS',
  'GIP',
  'GMD',
  'GTQ',
  'GYD',
  'HKD',
  'HNL',
  'HTG',
  'HUF',
  'IDR',
  'ILS',
  'INR',
  'IRR',
  'JMD',
  'KES',
  'KGS',
  'KHR',
  'KPW',
  'KYD',
  'KZT',
  'LAK',
  'LBP',
  'LKR',
  'LRD',
  'LSL',
  'MAD',
  'MDL',
  'MGA',
  'MKD',
  'MMK',
  'MNT',
  'MOP',
  'MRU',
  'MUR',
  'MVR',
  'MWK',
  'MXN',
  'MYR',
  'MZN',
  'NAD',
  'NGN',
  'NIO',
  'NOK',
  'NPR',
  'NZD',
  'PAB',
  'PEN',
  'PGK',
  'PHP',
  'PKR',
  'PLN',
  'QAR',
  'RON',
  'RSD',
  'RUB',
  'SAR',
  'SBD',
  'SCR',
  'SDG',
  'SEK',
  'SGD',
  'SHP',
  'SLE',
  'SOS',
  'SRD',
  'SSP',
  'STN',
  'SVC',
  'SYP',
  'SZL',
  'THB',
  'TJS',
  'TMT',
  'TOP',
  'TRY',
  'TTD',
  'TWD',
  'TZS',
  'UAH',
  'USD',
  'UYU',
  'UZS',
  'VES',
  'WST',
  'XCD',
  'YER',
  'ZAR',
  'ZMW',
  'ZWG',
];

const EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...EXPONENT_0.map((code) => [code, 0] as const),
  ...EXPONENT_2.map((code) => [code, 2] as const),
  ...EXPONENT_3.map((code) => [code, 3] as const),
  ...EXPONENT_4.map((code) => [code, 4] as const),
]);

/** The ISO 4217 minor-unit exponent of `code`; refuses codes it does not know. */
export function currencyExponent(code: string): number {
  const exponent = EXPONENTS.get(code);
  if (exponent === undefined) {
    throw new DomainError('unknown_currency', `"${code}" is not a currency this till knows (ISO 4217).`, {
      currency: code,
    });
  }
  return exponent;
}

export function isCurrencyCode(code: string): boolean {
  return EXPONENTS.has(code);
}

function assertSafe(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new DomainError('amount_out_of_range', `${what} is not a whole number within range.`, {
      value: String(value),
    });
  }
}

/**
 * The integer nearest to numerator / denominator under `mode`. Exact for all bigint inputs.
 */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator % denominator; // same sign as numerator
  if (remainder === 0n) return quotient;
  const negative = numerator < 0n;
  const awayFromZero = negative ? quotient - 1n : quotient + 1n;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  switch (mode) {
    case 'down':
      return quotient;
    case 'up':
      return awayFromZero;
    case 'ceiling':
      return negative ? quotient : awayFromZero;
    case 'floor':
      return negative ? awayFromZero : quotient;
    case 'half-up':
      return twice >= denominator ? awayFromZero : quotient;
    case 'half-down':
      return twice > denominator ? awayFromZero : quotient;
    case 'half-even': {
      if (twice !== denominator) return twice > denominator ? awayFromZero : quotient;
      return quotient % 2n === 0n ? quotient : awayFromZero;
    }
  }
}

/**
 * round(a × b ÷ c) under `mode`, for integers. Uses plain numbers when the product is exactly
 * representable (the common, hot case) and BigInt otherwise.
 */
export function mulDiv(a: number, b: number, c: number, mode: RoundingMode): number {
  assertSafe(a, 'An amount');
  assertSafe(b, 'A factor');
  assertSafe(c, 'A divisor');
  const product = a * b;
  if (Number.isSafeInteger(product) && c > 0) return roundQuotient(product, c, mode);
  const result = Number(divideRounded(BigInt(a) * BigInt(b), BigInt(c), mode));
  assertSafe(result, 'The result');
  return result;
}

/**
 * round(n ÷ d) for a safe integer n and a positive safe integer d, in plain numbers: this is the
 * hot path of every price extension, tax and allocation, and BigInt here cost most of a re-price.
 * The float quotient can land one off near an integer boundary (n/d rounds to k when the exact
 * value is k ± tiny), so the exact integer remainder decides, never the float.
 */
function roundQuotient(n: number, d: number, mode: RoundingMode): number {
  let t = Math.trunc(n / d);
  let r = n - t * d; // exact: |t·d| ≤ |n| + d
  if (n >= 0) {
    if (r < 0) {
      t -= 1;
      r += d;
    } else if (r >= d) {
      t += 1;
      r -= d;
    }
  } else if (r > 0) {
    t += 1;
    r -= d;
  } else if (r <= -d) {
    t -= 1;
    r += d;
  }
  if (r === 0) return t === 0 ? 0 : t; // normalise −0
  const negative = n < 0;
  const away = negative ? t - 1 : t + 1;
  const toward = t === 0 ? 0 : t;
  const twice = Math.abs(r) * 2; // doubling is exact in binary floating point
  switch (mode) {
    case 'down':
      return toward;
    case 'up':
      return away;
    case 'ceiling':
      return negative ? toward : away;
    case 'floor':
      return negative ? away : toward;
    case 'half-up':
      return twice >= d ? away : toward;
    case 'half-down':
      return twice > d ? away : toward;
    case 'half-even':
      if (twice !== d) return twice > d ? away : toward;
      return t % 2 === 0 ? toward : away;
  }
}

/** Rounds an integer amount to a multiple of `increment` under `mode`. */
export function roundToIncrement(amount: number, increment: number, mode: RoundingMode): number {
  if (!Number.isSafeInteger(increment) || increment <= 0) {
    throw new RangeError(`rounding increment must be a positive integer, got ${increment}`);
  }
  return mulDiv(mulDiv(amount, 1, increment, mode), increment, 1, 'down');
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

export interface ParseDecimalOptions {
  readonly allowNegative?: boolean;
  /** What the text is, for the error message ("price", "quantity", …). */
  readonly what?: string;
}

/**
 * Parses a plain decimal string ("12.5", "-0.05") into an integer scaled by 10^scale. Refuses
 * exponents, thousands separators, blank text and more fraction digits than `scale`: input is
 * never silently rounded.
 */
export function parseDecimal(text: string, scale: number, options: ParseDecimalOptions = {}): number {
  const what = options.what ?? 'number';
  const match = DECIMAL.exec(text.trim());
  if (match === null) {
    throw new DomainError(
      'invalid_decimal',
      `"${text}" is not a valid ${what}. Use digits and a dot, e.g. 12.50.`,
      {
        text,
        what,
      },
    );
  }
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > scale) {
    throw new DomainError(
      'invalid_decimal',
      `"${text}" has too many decimal places for a ${what} (at most ${scale}).`,
      { text, what, scale },
    );
  }
  if (sign !== undefined && options.allowNegative !== true) {
    throw new DomainError('invalid_decimal', `A ${what} cannot be negative ("${text}").`, { text, what });
  }
  const digits = BigInt(whole + fraction.padEnd(scale, '0'));
  const value = Number(sign === undefined ? digits : -digits);
  if (!Number.isSafeInteger(value)) {
    throw new DomainError('amount_out_of_range', `"${text}" is too large for a ${what}.`, { text, what });
  }
  return value === 0 ? 0 : value;
}

/** Formats an integer scaled by 10^scale as a plain decimal string ("1234", 2 → "12.34"). */
export function formatDecimal(value: number, scale: number): string {
  assertSafe(value, 'A value');
  const negative = value < 0;
  const digits = String(Math.abs(value)).padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/** "12.34" in USD → 1234; "1200" in JPY → 1200. */
export function parseMoney(text: string, currency: string, options: ParseDecimalOptions = {}): Minor {
  return parseDecimal(text, currencyExponent(currency), { what: 'amount', ...options });
}

/** 1234 in USD → "12.34". Locale formatting belongs to the UI (Intl); this is the wire form. */
export function formatMoney(amount: Minor, currency: string): string {
  return formatDecimal(amount, currencyExponent(currency));
}

/** "1.25" → 1250 thousandths. Quantities must be positive. */
export function parseQuantity(text: string): number {
  const value = parseDecimal(text, 3, { what: 'quantity' });
  if (value === 0) {
    throw new DomainError('invalid_quantity', 'A quantity must be more than zero.', { text });
  }
  return value;
}

/** "8.875" (percent) → 88_750 millionths. Refuses more than 4 decimal places of a percent. */
export function parsePercent(text: string): number {
  const value = parseDecimal(text.replace(/%$/, ''), 4, { what: 'percentage' }); // 4 places of a percent = millionths
  if (value > RATE_SCALE) {
    throw new DomainError('invalid_rate', `${text} is more than 100 %.`, { text });
  }
  return value;
}

/** unit price × quantity (thousandths), rounded once. */
export function extendPrice(unitPrice: Minor, quantityMilli: number, mode: RoundingMode = 'half-up'): Minor {
  return mulDiv(unitPrice, quantityMilli, QUANTITY_SCALE, mode);
}

/** amount × rate (millionths), rounded once. */
export function applyRate(amount: Minor, rate: number, mode: RoundingMode): Minor {
  return mulDiv(amount, rate, RATE_SCALE, mode);
}

/**
 * Splits `total` into parts proportional to `weights` by the largest-remainder method: the parts
 * always sum exactly to `total`. Ties in remainder go to the earlier weight, so the split is
 * deterministic. All-zero weights split evenly. Weights must be non-negative safe integers.
 */
export function allocate(total: Minor, weights: readonly number[]): Minor[] {
  assertSafe(total, 'The amount to allocate');
  if (weights.length === 0) {
    if (total === 0) return [];
    throw new RangeError('cannot allocate a non-zero amount over no parts');
  }
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0)
      throw new RangeError(`allocation weight must be a non-negative integer, got ${w}`);
  }
  const effective = weights.every((w) => w === 0) ? weights.map(() => 1) : weights;
  const magnitude = Math.abs(total);
  let weightSum = 0;
  for (const w of effective) weightSum += w;
  // Plain numbers while every product magnitude × weight is exact; BigInt beyond.
  if (Number.isSafeInteger(weightSum) && Number.isSafeInteger(magnitude * weightSum)) {
    const parts = effective.map((w) => roundQuotient(magnitude * w, weightSum, 'down'));
    const remainders = effective.map((w, index) => ({ index, rem: (magnitude * w) % weightSum }));
    let left = magnitude - parts.reduce((sum, part) => sum + part, 0);
    remainders.sort((x, y) => (x.rem === y.rem ? x.index - y.index : y.rem - x.rem));
    for (const { index } of remainders) {
      if (left === 0) break;
      parts[index] = (parts[index] ?? 0) + 1;
      left -= 1;
    }
    return parts.map((part) => (total < 0 && part !== 0 ? -part : part));
  }
  return allocateBig(total, effective);
}

function allocateBig(total: Minor, effective: readonly number[]): Minor[] {
  const sign = total < 0 ? -1n : 1n;
  const magnitude = BigInt(Math.abs(total));
  const weightSum = effective.reduce((sum, w) => sum + BigInt(w), 0n);
  const floors = effective.map((w) => (magnitude * BigInt(w)) / weightSum);
  const remainders = effective.map((w, index) => ({ index, rem: (magnitude * BigInt(w)) % weightSum }));
  let left = magnitude - floors.reduce((sum, f) => sum + f, 0n);
  remainders.sort((x, y) => (x.rem === y.rem ? x.index - y.index : x.rem > y.rem ? -1 : 1));
  for (const { index } of remainders) {
    if (left === 0n) break;
    floors[index] = (floors[index] ?? 0n) + 1n;
    left -= 1n;
  }
  return floors.map((f) => {
    const value = Number(f * sign);
    return value === 0 ? 0 : value;
  });
}

/** How a market rounds the amount due when it is paid in cash (the card amount is never rounded). */
export interface CashRoundingRule {
  /** Smallest coin, in minor units: CHF 5 (0.05), SEK 100 (1 krona). 1 = no rounding. */
  readonly increment: Minor;
  readonly mode: RoundingMode;
}

export const NO_CASH_ROUNDING: CashRoundingRule = { increment: 1, mode: 'half-up' };

/**
 * Defaults per currency for markets that round cash; a store's configuration may override them.
 * Sources: Swiss 5-rappen rounding, Swedish/Norwegian whole-krona cash, Danish 50-øre, Canadian,
 * Australian and New Zealand penny withdrawal.
 */
export const DEFAULT_CASH_ROUNDING: Readonly<Record<string, CashRoundingRule>> = {
  CHF: { increment: 5, mode: 'half-up' },
  SEK: { increment: 100, mode: 'half-up' },
  NOK: { increment: 100, mode: 'half-up' },
  DKK: { increment: 50, mode: 'half-up' },
  CAD: { increment: 5, mode: 'half-up' },
  AUD: { increment: 5, mode: 'half-up' },
  NZD: { increment: 10, mode: 'half-even' },
};

export function cashRoundingFor(currency: string): CashRoundingRule {
  currencyExponent(currency);
  return DEFAULT_CASH_ROUNDING[currency] ?? NO_CASH_ROUNDING;
}

/** The amount to collect in cash for `due`, and the rounding difference (collected − due). */
export function roundCash(
  due: Minor,
  rule: CashRoundingRule,
): { readonly amount: Minor; readonly adjustment: Minor } {
  const amount = roundToIncrement(due, rule.increment, rule.mode);
  return { amount, adjustment: amount - due };
}
