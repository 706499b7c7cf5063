/**
 * Price resolution: which unit price applies to a product, at a store, for a customer, at an instant.
 *
 * HQ publishes price books (assigned to stores and/or customer groups, with an effective window) and
 * rows in them, often weeks ahead; a store may carry its own overrides. The till resolves the
 * active price locally for the sale's instant, so a scheduled change takes effect on time even
 * while the till is offline (Odoo keeps the price a session opened with until a reload: odoo#30418).
 *
 * Resolution rule, in order:
 *  1. rank: a store override for this store > a customer-group book (one of the customer's groups;
 *     when it also lists stores, one of them) > a store-assigned book (lists this store) > a general
 *     book (no stores, no groups);
 *  2. within the same rank, the book with the highest `priority` (overrides have none);
 *  3. then the most recently started window (a row's window clipped to its book's window; an open
 *     start counts as the oldest), so a future-dated row replaces the open-ended one it supersedes
 *     without HQ having to close the old row;
 *  4. then the lowest price book id, then the lowest row id (plain code-unit order), so every till
 *     and the server agree.
 * A row or override is active when `validFrom ≤ at < validTo` (null = unbounded), and a book row
 * only while its book is also active.
 */
import { DomainError } from './errors.ts';
import { isCurrencyCode, type Minor } from './money.ts';
import type { PriceSource } from './records.ts';

export interface PriceBook {
  readonly id: string;
  readonly name: string;
  /** ISO 4217 code; every row of the book is in it. */
  readonly currency: string;
  /** Higher wins within the same rank. */
  readonly priority: number;
  /** Stores the book applies to; empty = all stores. */
  readonly storeIds: readonly string[];
  /** Customer groups the book applies to; empty = everyone. */
  readonly customerGroupIds: readonly string[];
  /** Epoch milliseconds, inclusive; null = since always. */
  readonly validFrom: number | null;
  /** Epoch milliseconds, exclusive; null = until further notice. */
  readonly validTo: number | null;
}

export interface PriceRow {
  readonly id: string;
  readonly priceBookId: string;
  readonly productId: string;
  /** Minor units of the book's currency. */
  readonly unitPrice: Minor;
  /** Bumped by HQ on every edit; recorded on the sale line. */
  readonly version: number;
  readonly validFrom: number | null;
  readonly validTo: number | null;
  /** When present, must equal the book's currency (a guard against mis-keyed imports). */
  readonly currency?: string;
}

/** A store's own price for a product; beats every book at that store. */
export interface StorePriceOverride {
  readonly id: string;
  readonly storeId: string;
  readonly productId: string;
  readonly unitPrice: Minor;
  readonly version: number;
  readonly validFrom: number | null;
  readonly validTo: number | null;
}

export interface PriceContext {
  /** The instant to price at (the sale's clock), epoch milliseconds. */
  readonly at: number;
  readonly storeId: string;
  /** The customer's groups; empty for an anonymous sale. */
  readonly customerGroupIds: readonly string[];
}

export interface ResolvedPrice {
  readonly unitPrice: Minor;
  readonly source: PriceSource;
}

/**
 * `PriceSource.priceBookId` of a price that came from a store override: the override has no book, and
 * the receipt and the server must still tell it apart from a book row.
 */
export function storeOverrideBookId(storeId: string): string {
  return `store-override:${storeId}`;
}

export interface PriceIndexOptions {
  /** The currency the till sells in; books in another currency are refused. */
  readonly currency?: string;
  /**
   * 'throw' (default) refuses the whole data set on the first malformed record; 'skip' leaves the
   * malformed records out and lists them in `PriceIndex.rejected`, so one bad row from HQ cannot
   * stop a store from selling everything else.
   */
  readonly onInvalid?: 'throw' | 'skip';
}

export interface PriceRejection {
  readonly kind: 'book' | 'row' | 'override';
  readonly id: string;
  readonly error: DomainError;
}

const RANK_OVERRIDE = 0;
const RANK_GROUP = 1;
const RANK_STORE = 2;
const RANK_GENERAL = 3;

interface BookInfo {
  readonly book: PriceBook;
  readonly rank: number;
  /** null = all stores */
  readonly stores: ReadonlySet<string> | null;
  /** null = everyone */
  readonly groups: ReadonlySet<string> | null;
}

/** Rows and overrides are indexed as they are, not wrapped: a million rows cost no extra objects. */
type PriceRecord = PriceRow | StorePriceOverride;

export interface PriceIndex {
  readonly currency: string | null;
  /** Records left out under `onInvalid: 'skip'`. */
  readonly rejected: readonly PriceRejection[];
  /** Accepted books by id. */
  readonly books: ReadonlyMap<string, BookInfo>;
  /** productId → rows and overrides in resolution order (a lone one is stored bare). */
  readonly byProduct: ReadonlyMap<string, PriceRecord | readonly PriceRecord[]>;
}

function invalid(message: string, params: Readonly<Record<string, string | number | boolean>>): DomainError {
  return new DomainError('invalid_price_book', message, params);
}

function checkWindow(
  what: string,
  id: string,
  validFrom: number | null,
  validTo: number | null,
): DomainError | null {
  if (validFrom !== null && !Number.isSafeInteger(validFrom)) {
    return invalid(`${what} ${id} has an invalid start time.`, { id });
  }
  if (validTo !== null && !Number.isSafeInteger(validTo)) {
    return invalid(`${what} ${id} has an invalid end time.`, { id });
  }
  if (validFrom !== null && validTo !== null && validTo <= validFrom) {
    return invalid(`${what} ${id} ends before it starts.`, { id, validFrom, validTo });
  }
  return null;
}

function checkPrice(what: string, id: string, unitPrice: number, version: number): DomainError | null {
  if (!Number.isSafeInteger(unitPrice)) {
    return invalid(`${what} ${id} has a price that is not a whole amount.`, { id });
  }
  if (unitPrice < 0) {
    return invalid(`${what} ${id} has a negative price.`, { id, unitPrice });
  }
  if (!Number.isSafeInteger(version) || version < 0) {
    return invalid(`${what} ${id} has an invalid version.`, { id });
  }
  return null;
}

function bookProblem(book: PriceBook, currency: string | undefined): DomainError | null {
  if (book.id === '') return invalid('A price book has no id.', {});
  if (!isCurrencyCode(book.currency)) {
    return invalid(`Price book ${book.id} has an unknown currency "${book.currency}".`, {
      id: book.id,
      currency: book.currency,
    });
  }
  if (currency !== undefined && book.currency !== currency) {
    return invalid(`Price book ${book.id} is in ${book.currency} but this store sells in ${currency}.`, {
      id: book.id,
      currency: book.currency,
      expected: currency,
    });
  }
  if (!Number.isSafeInteger(book.priority)) {
    return invalid(`Price book ${book.id} has an invalid priority.`, { id: book.id });
  }
  return checkWindow('Price book', book.id, book.validFrom, book.validTo);
}

function rowProblem(row: PriceRow, book: PriceBook | undefined): DomainError | null {
  if (row.id === '' || row.productId === '') return invalid('A price row has no id or product.', {});
  if (book === undefined) {
    return invalid(`Price row ${row.id} refers to an unknown price book ${row.priceBookId}.`, {
      id: row.id,
      priceBookId: row.priceBookId,
    });
  }
  if (row.currency !== undefined && row.currency !== book.currency) {
    return invalid(
      `Price row ${row.id} is in ${row.currency} but its book ${book.id} is in ${book.currency}.`,
      {
        id: row.id,
        currency: row.currency,
        expected: book.currency,
      },
    );
  }
  return (
    checkPrice('Price row', row.id, row.unitPrice, row.version) ??
    checkWindow('Price row', row.id, row.validFrom, row.validTo)
  );
}

function overrideProblem(override: StorePriceOverride): DomainError | null {
  if (override.id === '' || override.productId === '' || override.storeId === '') {
    return invalid('A store price override has no id, product or store.', {});
  }
  return (
    checkPrice('Store price', override.id, override.unitPrice, override.version) ??
    checkWindow('Store price', override.id, override.validFrom, override.validTo)
  );
}

/** Refuses ('invalid_price_book') a malformed book; `currency` is the till's selling currency. */
export function validatePriceBook(book: PriceBook, currency?: string): void {
  const error = bookProblem(book, currency);
  if (error !== null) throw error;
}

/** Refuses ('invalid_price_book') a malformed row, or one whose book is unknown or in another currency. */
export function validatePriceRow(row: PriceRow, book: PriceBook | undefined): void {
  const error = rowProblem(row, book);
  if (error !== null) throw error;
}

/** Refuses ('invalid_price_book') a malformed store override. */
export function validateStorePriceOverride(override: StorePriceOverride): void {
  const error = overrideProblem(override);
  if (error !== null) throw error;
}

function bookRank(book: PriceBook): number {
  if (book.customerGroupIds.length > 0) return RANK_GROUP;
  if (book.storeIds.length > 0) return RANK_STORE;
  return RANK_GENERAL;
}

function isOverride(record: PriceRecord): record is StorePriceOverride {
  return 'storeId' in record;
}

function bookOf(books: ReadonlyMap<string, BookInfo>, record: PriceRecord): BookInfo | undefined {
  return isOverride(record) ? undefined : books.get(record.priceBookId);
}

/** Start of the effective window (a row's clipped to its book's); −∞ when open. */
function startOf(record: PriceRecord, book: BookInfo | undefined): number {
  const own = record.validFrom ?? -Infinity;
  const outer = book?.book.validFrom ?? -Infinity;
  return own > outer ? own : outer;
}

/** End of the effective window, exclusive; +∞ when open. */
function endOf(record: PriceRecord, book: BookInfo | undefined): number {
  const own = record.validTo ?? Infinity;
  const outer = book?.book.validTo ?? Infinity;
  return own < outer ? own : outer;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Resolution order; the first applicable, active record in this order wins. */
function resolutionOrder(books: ReadonlyMap<string, BookInfo>): (a: PriceRecord, b: PriceRecord) => number {
  return (a, b) => {
    const bookA = bookOf(books, a);
    const bookB = bookOf(books, b);
    const rank = (bookA?.rank ?? RANK_OVERRIDE) - (bookB?.rank ?? RANK_OVERRIDE);
    if (rank !== 0) return rank;
    const priority = (bookB?.book.priority ?? 0) - (bookA?.book.priority ?? 0);
    if (priority !== 0) return priority;
    const startA = startOf(a, bookA);
    const startB = startOf(b, bookB);
    if (startA !== startB) return startA > startB ? -1 : 1;
    return compareText(bookA?.book.id ?? '', bookB?.book.id ?? '') || compareText(a.id, b.id);
  };
}

/**
 * Precomputes, per product, the rows and overrides in resolution order, so resolving is a short
 * scan. Refuses malformed data ('invalid_price_book'); see `PriceIndexOptions.onInvalid`.
 */
export function buildPriceIndex(
  books: readonly PriceBook[],
  rows: readonly PriceRow[],
  overrides: readonly StorePriceOverride[],
  options: PriceIndexOptions = {},
): PriceIndex {
  const skip = options.onInvalid === 'skip';
  const rejected: PriceRejection[] = [];
  const reject = (kind: PriceRejection['kind'], id: string, error: DomainError): void => {
    if (!skip) throw error;
    rejected.push({ kind, id, error });
  };

  const bookInfos = new Map<string, BookInfo>();
  const refusedBooks = new Map<string, DomainError>();
  for (const book of books) {
    const error =
      bookProblem(book, options.currency) ??
      (bookInfos.has(book.id) || refusedBooks.has(book.id)
        ? invalid(`Price book ${book.id} appears twice.`, { id: book.id })
        : null);
    if (error !== null) {
      refusedBooks.set(book.id, error);
      reject('book', book.id, error);
      continue;
    }
    bookInfos.set(book.id, {
      book,
      rank: bookRank(book),
      stores: book.storeIds.length > 0 ? new Set(book.storeIds) : null,
      groups: book.customerGroupIds.length > 0 ? new Set(book.customerGroupIds) : null,
    });
  }

  const byProduct = new Map<string, PriceRecord | PriceRecord[]>();
  const add = (record: PriceRecord): void => {
    const existing = byProduct.get(record.productId);
    if (existing === undefined) byProduct.set(record.productId, record);
    else if (Array.isArray(existing)) existing.push(record);
    else byProduct.set(record.productId, [existing, record]);
  };

  for (const row of rows) {
    const info = bookInfos.get(row.priceBookId);
    if (info === undefined && refusedBooks.has(row.priceBookId)) {
      reject(
        'row',
        row.id,
        invalid(`Price row ${row.id} belongs to price book ${row.priceBookId}, which was refused.`, {
          id: row.id,
          priceBookId: row.priceBookId,
        }),
      );
      continue;
    }
    const error = rowProblem(row, info?.book);
    if (error !== null || info === undefined) {
      reject('row', row.id, error ?? invalid(`Price row ${row.id} is invalid.`, { id: row.id }));
      continue;
    }
    // A row wholly outside its book's window is never active.
    if (endOf(row, info) > startOf(row, info)) add(row);
  }

  for (const override of overrides) {
    const error = overrideProblem(override);
    if (error !== null) {
      reject('override', override.id, error);
      continue;
    }
    add(override);
  }

  const order = resolutionOrder(bookInfos);
  for (const value of byProduct.values()) {
    if (Array.isArray(value)) value.sort(order);
  }
  return { currency: options.currency ?? null, rejected, books: bookInfos, byProduct };
}

function applies(record: PriceRecord, book: BookInfo | undefined, ctx: PriceContext): boolean {
  if (isOverride(record)) return record.storeId === ctx.storeId;
  if (book === undefined) return false;
  if (book.stores !== null && !book.stores.has(ctx.storeId)) return false;
  if (book.groups === null) return true;
  for (const group of ctx.customerGroupIds) if (book.groups.has(group)) return true;
  return false;
}

function isRecordList(value: PriceRecord | readonly PriceRecord[]): value is readonly PriceRecord[] {
  return Array.isArray(value);
}

function listOf(value: PriceRecord | readonly PriceRecord[]): readonly PriceRecord[] {
  return isRecordList(value) ? value : [value];
}

function recordsOf(index: PriceIndex, productId: string): readonly PriceRecord[] {
  const value = index.byProduct.get(productId);
  return value === undefined ? [] : listOf(value);
}

function pick(
  index: PriceIndex,
  records: readonly PriceRecord[],
  ctx: PriceContext,
  at: number,
): PriceRecord | undefined {
  for (const record of records) {
    const book = bookOf(index.books, record);
    if (startOf(record, book) <= at && at < endOf(record, book) && applies(record, book, ctx)) return record;
  }
  return undefined;
}

function toResolved(record: PriceRecord): ResolvedPrice {
  const priceBookId = isOverride(record) ? storeOverrideBookId(record.storeId) : record.priceBookId;
  return {
    unitPrice: record.unitPrice,
    source: { priceBookId, priceId: record.id, version: record.version },
  };
}

/** The price that applies, or undefined when none does. */
export function findPrice(
  index: PriceIndex,
  productId: string,
  ctx: PriceContext,
): ResolvedPrice | undefined {
  const record = pick(index, recordsOf(index, productId), ctx, ctx.at);
  return record === undefined ? undefined : toResolved(record);
}

/** The price that applies; throws 'no_price' when none does. */
export function resolvePrice(index: PriceIndex, productId: string, ctx: PriceContext): ResolvedPrice {
  const resolved = findPrice(index, productId, ctx);
  if (resolved === undefined) {
    throw new DomainError('no_price', `No price for ${productId} at this store right now.`, {
      productId,
      storeId: ctx.storeId,
      at: ctx.at,
    });
  }
  return resolved;
}

/**
 * The first instant after `ctx.at` at which `resolvePrice` for this product gives a different result
 * (another amount, another row or version, or no price / a price appearing), or null when nothing
 * scheduled changes it. The till arms a timer for it, so scheduled prices switch on time offline.
 */
export function nextPriceChangeAt(index: PriceIndex, productId: string, ctx: PriceContext): number | null {
  const records = recordsOf(index, productId);
  const boundaries: number[] = [];
  for (const record of records) {
    const book = bookOf(index.books, record);
    if (!applies(record, book, ctx)) continue;
    const start = startOf(record, book);
    const end = endOf(record, book);
    if (start > ctx.at && start !== Infinity) boundaries.push(start);
    if (end > ctx.at && end !== Infinity) boundaries.push(end);
  }
  if (boundaries.length === 0) return null;
  boundaries.sort((a, b) => a - b);
  const now = pick(index, records, ctx, ctx.at);
  // The winner only changes at a boundary of an applicable record; between two it is constant.
  for (const t of boundaries) {
    if (pick(index, records, ctx, t) !== now) return t;
  }
  return null;
}

interface BoundaryList {
  readonly times: Float64Array;
  readonly records: readonly PriceRecord[];
}

const boundaryCache = new WeakMap<PriceIndex, BoundaryList>();

/** Every finite window edge of the index, ascending; built on first use (most rows are open-ended). */
function boundariesOf(index: PriceIndex): BoundaryList {
  const cached = boundaryCache.get(index);
  if (cached !== undefined) return cached;
  const entries: { t: number; record: PriceRecord }[] = [];
  for (const value of index.byProduct.values()) {
    for (const record of listOf(value)) {
      const book = bookOf(index.books, record);
      const start = startOf(record, book);
      const end = endOf(record, book);
      if (Number.isFinite(start)) entries.push({ t: start, record });
      if (Number.isFinite(end)) entries.push({ t: end, record });
    }
  }
  entries.sort((a, b) => a.t - b.t);
  const list: BoundaryList = {
    times: Float64Array.from(entries, (e) => e.t),
    records: entries.map((e) => e.record),
  };
  boundaryCache.set(index, list);
  return list;
}

/**
 * The first instant after `ctx.at` at which the resolved price of any product changes for this store
 * and customer, or null. Scans window edges in time order from a binary search, so it costs the
 * number of edges passed over, not the catalog size (the edge list is built once per index).
 */
export function nextPriceChangeAtAny(index: PriceIndex, ctx: PriceContext): number | null {
  const { times, records } = boundariesOf(index);
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] ?? Infinity) <= ctx.at) lo = mid + 1;
    else hi = mid;
  }
  const current = new Map<string, PriceRecord | undefined>();
  for (let i = lo; i < times.length; i++) {
    const t = times[i] ?? Infinity;
    const record = records[i];
    if (record === undefined || !applies(record, bookOf(index.books, record), ctx)) continue;
    const list = recordsOf(index, record.productId);
    let now = current.get(record.productId);
    if (now === undefined && !current.has(record.productId)) {
      now = pick(index, list, ctx, ctx.at);
      current.set(record.productId, now);
    }
    // Edges are visited in time order, so an earlier edge of this product changed nothing.
    if (pick(index, list, ctx, t) !== now) return t;
  }
  return null;
}
