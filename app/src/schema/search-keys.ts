/**
 * Normalised lookup keys stored beside the fields they index. Dexie (the only free persistent RxDB
 * storage) has no full-text or multi-entry index and a non-indexed scan of 100k products took 3.8 s, so
 * every search a cashier types is an equality or a prefix range over one of these keys. The writer of a
 * document (the sync server for catalog rows, the till for a customer it creates) and the till building a
 * query must compute them with these same functions, or lookups silently miss.
 */
import { SEARCH_KEY_MAX_LENGTH } from './common.ts';

const MARKS = /\p{M}+/gu;
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;
const WHITESPACE = /\s+/gu;

/** Cut to at most `max` UTF-16 code units without splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * Case- and accent-insensitive key for prefix search: "Crème Brûlée 250g" → "creme brulee 250g".
 * Accents are dropped (NFKD, then marks removed); upper-then-lower case folds ß to ss and dotted İ to i;
 * any run of punctuation or spaces becomes one space. Bounded to `SEARCH_KEY_MAX_LENGTH`. What a cashier
 * types first gives a key that is a prefix of the full name's key, so a prefix range finds the name.
 */
export function searchKey(text: string): string {
  const folded = text.normalize('NFKD').replace(MARKS, '').toUpperCase().toLowerCase().normalize('NFKD');
  // Lower-casing writes a final sigma at the end of a word, which would make "οδος" no prefix of "οδοσ…".
  const key = folded.replace(MARKS, '').replace(/ς/gu, 'σ').replace(NOT_LETTER_OR_DIGIT, ' ').trim();
  return truncate(key, SEARCH_KEY_MAX_LENGTH).trimEnd();
}

/**
 * Bounds of an index range holding every key that starts with `prefix` (already a key). U+FFFF never
 * occurs in a key (it is neither a letter nor a digit), so it sorts after every continuation.
 */
export function prefixRange(prefix: string): { readonly $gte: string; readonly $lt: string } {
  return { $gte: prefix, $lt: `${prefix}\uffff` };
}

/** SKUs keep their punctuation ("AB-12/3") but not case or spaces. */
export function skuKey(sku: string): string {
  return truncate(sku.replace(WHITESPACE, '').toUpperCase(), SEARCH_KEY_MAX_LENGTH);
}

/** Digits only, keeping a leading "+" so international and national forms stay distinct. */
export function phoneKey(phone: string): string {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/[^0-9]/gu, '');
  if (digits === '') return '';
  return truncate(trimmed.startsWith('+') ? `+${digits}` : digits, 32);
}

export function emailKey(email: string): string {
  return truncate(email.trim().toLowerCase(), 254);
}

/** Loyalty and staff cards: the printed number as typed or read, without spaces, dashes or case. */
export function cardKey(card: string): string {
  return truncate(card.replace(/[\s-]+/gu, '').toUpperCase(), 64);
}

/**
 * A customer is searched by surname first ("smith j…"), the way a cashier asks; without a surname, by
 * the display name.
 */
export function customerNameKey(customer: {
  readonly displayName: string;
  readonly firstName?: string;
  readonly lastName?: string;
}): string {
  const { lastName, firstName, displayName } = customer;
  if (lastName !== undefined && lastName.trim() !== '') return searchKey(`${lastName} ${firstName ?? ''}`);
  return searchKey(displayName);
}
