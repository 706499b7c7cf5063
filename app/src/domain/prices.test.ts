import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import {
  buildPriceIndex,
  findPrice,
  nextPriceChangeAt,
  nextPriceChangeAtAny,
  resolvePrice,
  storeOverrideBookId,
  validatePriceBook,
  validatePriceRow,
  validateStorePriceOverride,
  type PriceBook,
  type PriceContext,
  type PriceRow,
  type StorePriceOverride,
} from './prices.ts';

const T = Date.UTC(2026, 2, 1, 9, 0);
const H = 3_600_000;

function book(id: string, extra: Partial<PriceBook> = {}): PriceBook {
  return {
    id,
    name: id,
    currency: 'EUR',
    priority: 0,
    storeIds: [],
    customerGroupIds: [],
    validFrom: null,
    validTo: null,
    ...extra,
  };
}

function row(
  id: string,
  priceBookId: string,
  productId: string,
  unitPrice: number,
  extra: Partial<PriceRow> = {},
): PriceRow {
  return { id, priceBookId, productId, unitPrice, version: 1, validFrom: null, validTo: null, ...extra };
}

function override(
  id: string,
  storeId: string,
  productId: string,
  unitPrice: number,
  extra: Partial<StorePriceOverride> = {},
): StorePriceOverride {
  return { id, storeId, productId, unitPrice, version: 1, validFrom: null, validTo: null, ...extra };
}

function ctx(extra: Partial<PriceContext> = {}): PriceContext {
  return { at: T, storeId: 's1', customerGroupIds: [], ...extra };
}

describe('resolution rule', () => {
  // p1 has a price at every rank; p2 has no store override.
  const index = buildPriceIndex(
    [
      book('general'),
      book('north', { storeIds: ['s1'] }),
      book('members', { customerGroupIds: ['g1'] }),
      book('members-s1', { customerGroupIds: ['g2'], storeIds: ['s1'] }),
    ],
    [
      row('r1', 'general', 'p1', 1000),
      row('r2', 'north', 'p1', 900),
      row('r3', 'members', 'p1', 800),
      row('r4', 'general', 'p2', 1000),
      row('r5', 'north', 'p2', 900),
      row('r6', 'members', 'p2', 800),
      row('r7', 'members-s1', 'p2', 700),
    ],
    [override('o1', 's1', 'p1', 700, { version: 4 })],
  );

  it.each([
    ['store override beats every book', 'p1', 's1', ['g1'], 700, storeOverrideBookId('s1'), 'o1'],
    ['customer-group book at another store', 'p1', 's2', ['g1'], 800, 'members', 'r3'],
    ['general book for an anonymous customer elsewhere', 'p1', 's2', [], 1000, 'general', 'r1'],
    ['customer-group book beats the store book', 'p2', 's1', ['g1'], 800, 'members', 'r6'],
    ['store book beats the general book', 'p2', 's1', [], 900, 'north', 'r5'],
    ['general book at an unassigned store', 'p2', 's2', [], 1000, 'general', 'r4'],
    ['group book limited to a store applies there', 'p2', 's1', ['g2'], 700, 'members-s1', 'r7'],
    ['group book limited to a store does not apply elsewhere', 'p2', 's2', ['g2'], 1000, 'general', 'r4'],
  ])('%s', (_name, productId, storeId, groups, unitPrice, bookId, rowId) => {
    const resolved = resolvePrice(index, productId, ctx({ storeId, customerGroupIds: groups }));
    expect(resolved.unitPrice).toBe(unitPrice);
    expect(resolved.source.priceBookId).toBe(bookId);
    expect(resolved.source.priceId).toBe(rowId);
  });

  it('records the version of the row or override used', () => {
    expect(resolvePrice(index, 'p1', ctx()).source).toEqual({
      priceBookId: 'store-override:s1',
      priceId: 'o1',
      version: 4,
    });
  });

  it('within a rank, the higher book priority wins even over a later-started row', () => {
    const idx = buildPriceIndex(
      [book('low', { priority: 1 }), book('high', { priority: 5 })],
      [
        row('a', 'high', 'p', 500, { validFrom: T - 10 * H }),
        row('b', 'low', 'p', 400, { validFrom: T - H }),
      ],
      [],
    );
    expect(resolvePrice(idx, 'p', ctx()).unitPrice).toBe(500);
  });

  it('a future-dated row replaces the open-ended one once it starts', () => {
    const idx = buildPriceIndex(
      [book('general')],
      [row('old', 'general', 'p', 1000), row('new', 'general', 'p', 1200, { validFrom: T + H, version: 2 })],
      [],
    );
    expect(resolvePrice(idx, 'p', ctx({ at: T })).unitPrice).toBe(1000);
    expect(resolvePrice(idx, 'p', ctx({ at: T + H - 1 })).unitPrice).toBe(1000);
    expect(resolvePrice(idx, 'p', ctx({ at: T + H })).source).toEqual({
      priceBookId: 'general',
      priceId: 'new',
      version: 2,
    });
  });

  it('ties go to the lowest book id, then the lowest row id', () => {
    const idx = buildPriceIndex(
      [book('b'), book('a')],
      [row('r2', 'a', 'p', 300), row('r9', 'b', 'p', 100), row('r1', 'a', 'p', 200)],
      [],
    );
    expect(resolvePrice(idx, 'p', ctx()).source.priceId).toBe('r1');
  });

  it('a row is active from validFrom inclusive to validTo exclusive', () => {
    const idx = buildPriceIndex(
      [book('general')],
      [
        row('base', 'general', 'p', 1000),
        row('promo', 'general', 'p', 800, { validFrom: T, validTo: T + H }),
      ],
      [],
    );
    expect(resolvePrice(idx, 'p', ctx({ at: T - 1 })).unitPrice).toBe(1000);
    expect(resolvePrice(idx, 'p', ctx({ at: T })).unitPrice).toBe(800);
    expect(resolvePrice(idx, 'p', ctx({ at: T + H - 1 })).unitPrice).toBe(800);
    expect(resolvePrice(idx, 'p', ctx({ at: T + H })).unitPrice).toBe(1000);
  });

  it("a row is clipped to its book's window", () => {
    const idx = buildPriceIndex(
      [book('summer', { priority: 9, validFrom: T, validTo: T + 2 * H }), book('general')],
      [
        row('s', 'summer', 'p', 700, { validFrom: T + H }),
        row('outside', 'summer', 'q', 1, { validFrom: T + 5 * H }),
        row('g', 'general', 'p', 1000),
      ],
      [],
    );
    expect(resolvePrice(idx, 'p', ctx({ at: T })).unitPrice).toBe(1000);
    expect(resolvePrice(idx, 'p', ctx({ at: T + H })).unitPrice).toBe(700);
    expect(resolvePrice(idx, 'p', ctx({ at: T + 2 * H })).unitPrice).toBe(1000);
    expect(findPrice(idx, 'q', ctx({ at: T + 5 * H }))).toBeUndefined();
  });

  it('refuses with no_price when nothing applies', () => {
    const idx = buildPriceIndex([book('north', { storeIds: ['s1'] })], [row('r', 'north', 'p', 100)], []);
    expect(findPrice(idx, 'p', ctx({ storeId: 's2' }))).toBeUndefined();
    let error: unknown;
    try {
      resolvePrice(idx, 'p', ctx({ storeId: 's2' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('no_price');
    expect((error as DomainError).message).toBe('No price for p at this store right now.');
    expect(() => resolvePrice(idx, 'unknown', ctx())).toThrow(DomainError);
  });
});

describe('malformed data', () => {
  it.each<[string, () => void]>([
    ['a negative price', () => buildPriceIndex([book('b')], [row('r', 'b', 'p', -1)], [])],
    ['a fractional price', () => buildPriceIndex([book('b')], [row('r', 'b', 'p', 1.5)], [])],
    [
      'a row ending when it starts',
      () => buildPriceIndex([book('b')], [row('r', 'b', 'p', 1, { validFrom: T, validTo: T })], []),
    ],
    [
      'a row ending before it starts',
      () => buildPriceIndex([book('b')], [row('r', 'b', 'p', 1, { validFrom: T, validTo: T - 1 })], []),
    ],
    [
      'a book ending before it starts',
      () => buildPriceIndex([book('b', { validFrom: T, validTo: T - H })], [], []),
    ],
    [
      'a row in another currency than its book',
      () => buildPriceIndex([book('b')], [row('r', 'b', 'p', 1, { currency: 'USD' })], []),
    ],
    [
      'a book in another currency than the till',
      () => buildPriceIndex([book('b', { currency: 'USD' })], [], [], { currency: 'EUR' }),
    ],
    ['an unknown currency', () => buildPriceIndex([book('b', { currency: 'XYZ' })], [], [])],
    ['a row of an unknown book', () => buildPriceIndex([book('b')], [row('r', 'nope', 'p', 1)], [])],
    ['the same book twice', () => buildPriceIndex([book('b'), book('b')], [], [])],
    ['a negative store price', () => buildPriceIndex([], [], [override('o', 's1', 'p', -5)])],
    [
      'a store price ending before it starts',
      () => buildPriceIndex([], [], [override('o', 's1', 'p', 5, { validFrom: T, validTo: T })]),
    ],
    ['a negative version', () => buildPriceIndex([book('b')], [row('r', 'b', 'p', 1, { version: -1 })], [])],
  ])('refuses %s', (_name, build) => {
    expect(build).toThrow(expect.objectContaining({ code: 'invalid_price_book' }) as Error);
  });

  it('validators refuse one record at a time', () => {
    expect(() => {
      validatePriceBook(book('b', { currency: 'USD' }), 'EUR');
    }).toThrow(/is in USD but this store sells in EUR/);
    expect(() => {
      validatePriceRow(row('r', 'b', 'p', -3), book('b'));
    }).toThrow(/negative price/);
    expect(() => {
      validateStorePriceOverride(override('o', 's1', 'p', 100));
    }).not.toThrow();
  });

  it("with onInvalid 'skip' leaves the bad records out and prices the rest", () => {
    const idx = buildPriceIndex(
      [book('good'), book('bad', { currency: 'USD' })],
      [row('r1', 'good', 'p', 100), row('r2', 'good', 'q', -1), row('r3', 'bad', 'q', 50)],
      [override('o1', 's1', 'q', -2)],
      { currency: 'EUR', onInvalid: 'skip' },
    );
    expect(idx.rejected.map((r) => `${r.kind}:${r.id}`)).toEqual([
      'book:bad',
      'row:r2',
      'row:r3',
      'override:o1',
    ]);
    expect(idx.rejected.every((r) => r.error.code === 'invalid_price_book')).toBe(true);
    expect(resolvePrice(idx, 'p', ctx()).unitPrice).toBe(100);
    expect(findPrice(idx, 'q', ctx())).toBeUndefined();
  });
});

describe('nextPriceChangeAt', () => {
  it.each<[string, PriceBook[], PriceRow[], StorePriceOverride[], number | null]>([
    [
      'a scheduled row',
      [book('g')],
      [row('a', 'g', 'p', 100), row('b', 'g', 'p', 120, { validFrom: T + 24 * H })],
      [],
      T + 24 * H,
    ],
    [
      'the end of a store price',
      [book('g')],
      [row('a', 'g', 'p', 100)],
      [override('o', 's1', 'p', 90, { validTo: T + 2 * H })],
      T + 2 * H,
    ],
    ['nothing scheduled', [book('g')], [row('a', 'g', 'p', 100)], [], null],
    ['a price appearing', [book('g')], [row('a', 'g', 'p', 100, { validFrom: T + H })], [], T + H],
    ['a price running out', [book('g')], [row('a', 'g', 'p', 100, { validTo: T + 5 * H })], [], T + 5 * H],
    [
      'skips a change hidden under a store price',
      [book('g')],
      [row('a', 'g', 'p', 100), row('b', 'g', 'p', 120, { validFrom: T + H })],
      [override('o', 's1', 'p', 90, { validTo: T + 10 * H })],
      T + 10 * H,
    ],
    [
      "ignores another store's price",
      [book('g')],
      [row('a', 'g', 'p', 100)],
      [override('o', 's2', 'p', 90, { validFrom: T + H })],
      null,
    ],
    [
      'ignores a boundary in the past',
      [book('g')],
      [row('a', 'g', 'p', 100, { validFrom: T - H }), row('b', 'g', 'p', 90, { validFrom: T + 3 * H })],
      [],
      T + 3 * H,
    ],
    [
      'counts a book window',
      [book('g'), book('sale', { priority: 2, validFrom: T + 4 * H, validTo: T + 6 * H })],
      [row('a', 'g', 'p', 100), row('b', 'sale', 'p', 50)],
      [],
      T + 4 * H,
    ],
  ])('%s', (_name, books, rows, overrides, expected) => {
    expect(nextPriceChangeAt(buildPriceIndex(books, rows, overrides), 'p', ctx())).toBe(expected);
  });

  it('finds the earliest change across the catalog for this store and customer', () => {
    const idx = buildPriceIndex(
      [book('g'), book('vip', { customerGroupIds: ['vip'] })],
      [
        row('a', 'g', 'p', 100),
        row('a2', 'g', 'p', 110, { validFrom: T + 9 * H }),
        row('b', 'g', 'q', 200),
        row('v', 'vip', 'q', 150, { validFrom: T + 2 * H }),
        row('c', 'g', 'r', 300, { validTo: T - H }),
      ],
      [
        override('o', 's2', 'q', 10, { validFrom: T + H }),
        override('o2', 's1', 'p', 90, { validTo: T + 9 * H }),
      ],
    );
    // o (another store) at T+1h and the vip row at T+2h do not apply; at T+9h p's override ends and its new row starts.
    expect(nextPriceChangeAtAny(idx, ctx())).toBe(T + 9 * H);
    expect(nextPriceChangeAtAny(idx, ctx({ customerGroupIds: ['vip'] }))).toBe(T + 2 * H);
    expect(nextPriceChangeAtAny(idx, ctx({ at: T + 9 * H }))).toBeNull();
  });
});

// ---- properties against a plain reference implementation ----

const stores = ['s1', 's2'];
const groups = ['g1', 'g2'];
const products = ['p1', 'p2', 'p3'];

const windowArb = fc
  .tuple(
    fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
    fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }),
  )
  .map(([from, length]) => ({
    validFrom: from === null ? null : T + from * H,
    validTo: length === null ? null : T + ((from ?? 0) + length) * H,
  }));

const dataArb = fc
  .record({
    books: fc.array(
      fc.record({
        priority: fc.integer({ min: 0, max: 2 }),
        storeIds: fc.subarray(stores),
        customerGroupIds: fc.subarray(groups),
        window: windowArb,
      }),
      { minLength: 1, maxLength: 4 },
    ),
    rows: fc.array(
      fc.record({
        book: fc.nat(),
        productId: fc.constantFrom(...products),
        unitPrice: fc.integer({ min: 0, max: 999 }),
        window: windowArb,
      }),
      { maxLength: 12 },
    ),
    overrides: fc.array(
      fc.record({
        storeId: fc.constantFrom(...stores),
        productId: fc.constantFrom(...products),
        unitPrice: fc.integer({ min: 0, max: 999 }),
        window: windowArb,
      }),
      { maxLength: 3 },
    ),
  })
  .map(({ books, rows, overrides }) => {
    const builtBooks = books.map(({ window, ...b }, i) => book(`b${i}`, { ...b, ...window }));
    return {
      books: builtBooks,
      rows: rows.map((r, i) =>
        row(
          `r${String(i).padStart(2, '0')}`,
          `b${r.book % builtBooks.length}`,
          r.productId,
          r.unitPrice,
          r.window,
        ),
      ),
      overrides: overrides.map((o, i) => override(`o${i}`, o.storeId, o.productId, o.unitPrice, o.window)),
    };
  });

const ctxArb = fc.record({
  at: fc.integer({ min: -2, max: 32 }).map((h) => T + h * H),
  storeId: fc.constantFrom(...stores),
  customerGroupIds: fc.subarray(groups),
});

/** The rule of prices.ts written out plainly: filter everything, then sort. */
function reference(
  data: { books: PriceBook[]; rows: PriceRow[]; overrides: StorePriceOverride[] },
  productId: string,
  c: PriceContext,
): string | undefined {
  const active = (from: number | null, to: number | null): boolean =>
    (from === null || from <= c.at) && (to === null || c.at < to);
  const candidates: { rank: number; priority: number; start: number; bookId: string; id: string }[] = [];
  for (const o of data.overrides) {
    if (o.productId === productId && o.storeId === c.storeId && active(o.validFrom, o.validTo)) {
      candidates.push({ rank: 0, priority: 0, start: o.validFrom ?? -Infinity, bookId: '', id: o.id });
    }
  }
  for (const r of data.rows) {
    const b = data.books.find((x) => x.id === r.priceBookId);
    if (b === undefined || r.productId !== productId) continue;
    if (!active(r.validFrom, r.validTo) || !active(b.validFrom, b.validTo)) continue;
    if (b.storeIds.length > 0 && !b.storeIds.includes(c.storeId)) continue;
    if (b.customerGroupIds.length > 0 && !b.customerGroupIds.some((g) => c.customerGroupIds.includes(g)))
      continue;
    const rank = b.customerGroupIds.length > 0 ? 1 : b.storeIds.length > 0 ? 2 : 3;
    const start = Math.max(r.validFrom ?? -Infinity, b.validFrom ?? -Infinity);
    candidates.push({ rank, priority: b.priority, start, bookId: b.id, id: r.id });
  }
  candidates.sort(
    (x, y) =>
      x.rank - y.rank ||
      y.priority - x.priority ||
      (y.start === x.start ? 0 : y.start > x.start ? 1 : -1) ||
      (x.bookId < y.bookId ? -1 : x.bookId > y.bookId ? 1 : 0) ||
      (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
  );
  return candidates[0]?.id;
}

describe('properties', () => {
  it('resolves exactly like the plain reference rule', () => {
    fc.assert(
      fc.property(dataArb, ctxArb, (data, c) => {
        const idx = buildPriceIndex(data.books, data.rows, data.overrides);
        for (const p of products) expect(findPrice(idx, p, c)?.source.priceId).toBe(reference(data, p, c));
      }),
    );
  });

  it('the price holds until nextPriceChangeAt and differs there', () => {
    fc.assert(
      fc.property(dataArb, ctxArb, fc.integer({ min: 1, max: 3599_999 }), (data, c, offset) => {
        const idx = buildPriceIndex(data.books, data.rows, data.overrides);
        for (const p of products) {
          const now = findPrice(idx, p, c);
          const next = nextPriceChangeAt(idx, p, c);
          const probe = next === null ? c.at + 40 * H : Math.min(next - 1, c.at + offset);
          expect(findPrice(idx, p, { ...c, at: probe })).toEqual(now);
          if (next === null) continue;
          expect(next).toBeGreaterThan(c.at);
          expect(findPrice(idx, p, { ...c, at: next - 1 })).toEqual(now);
          expect(findPrice(idx, p, { ...c, at: next })).not.toEqual(now);
        }
        const any = nextPriceChangeAtAny(idx, c);
        const each = products.map((p) => nextPriceChangeAt(idx, p, c)).filter((t): t is number => t !== null);
        expect(any).toBe(each.length === 0 ? null : Math.min(...each));
      }),
    );
  });
});
