/**
 * Money, quantities and dates for people, through Intl in the store's locale. Amounts are the
 * domain's integer minor units; the currency's exponent comes from the domain (money.ts), never from
 * Intl's guess, so JPY shows no decimals and BHD three whatever the browser thinks.
 */
import { QUANTITY_SCALE, currencyExponent, type Minor } from '@pos/app';

const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: Minor, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    const digits = currencyExponent(currency);
    format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    moneyFormats.set(key, format);
  }
  return format.format(amount / 10 ** currencyExponent(currency));
}

// Building an Intl formatter costs far more than using one (a cart re-renders every line's quantity
// on each scan): one per locale (and zone), kept.
const quantityFormats = new Map<string, Intl.NumberFormat>();
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** Thousandths (QUANTITY_SCALE) as a plain number: 1500 → "1.5", 2000 → "2". */
export function formatQuantity(quantity: number, locale: string): string {
  let format = quantityFormats.get(locale);
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
    quantityFormats.set(locale, format);
  }
  return format.format(quantity / QUANTITY_SCALE);
}

export function formatDateTime(iso: string, locale: string, timeZone?: string): string {
  const key = `${locale}|${timeZone ?? ''}`;
  let format = dateTimeFormats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      ...(timeZone === undefined ? {} : { timeZone }),
    });
    dateTimeFormats.set(key, format);
  }
  return format.format(new Date(iso));
}
