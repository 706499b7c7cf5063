import { describe, expect, it } from 'vitest';
import type { Product } from './catalog.ts';
import { DomainError } from './errors.ts';
import { NO_CASH_ROUNDING } from './money.ts';
import type { Actor, ApprovalRecord, Permission, Role } from './permissions.ts';
import { buildPriceIndex, type PriceRow } from './prices.ts';
import type { SaleRecord } from './records.ts';
import {
  addCoupon,
  addLine,
  assertSaleRecordBalanced,
  attachCustomer,
  detachCustomer,
  looksLikeCardNumber,
  openSale,
  overridePrice,
  parkSale,
  percentText,
  priceSale,
  removeCoupon,
  resumeSale,
  setLineDiscount,
  setOrderDiscount,
  setQuantity,
  setWeight,
  voidLine,
  voidSale,
  type ActionContext,
  type Sale,
  type SaleEnvironment,
} from './sale.ts';
import type { TaxConfig } from './tax.ts';
import { addTender, cancelTender, complete, removeTender, startTender } from './tender.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures: EUR, VAT 20 % inclusive (per line, half-up) unless a test says otherwise.

const AT = Date.UTC(2026, 5, 1, 10);
const ISO = '2026-06-01T10:00:00.000Z';

function product(id: string, extra: Partial<Product> = {}): Product {
  return {
    id,
    sku: `SKU-${id}`,
    name: extra.name ?? id,
    barcodes: [],
    categoryId: 'general',
    taxClassId: 'std',
    unit: 'each',
    sellable: true,
    active: true,
    ...extra,
  };
}

const milk = product('milk', { name: 'Milk' });
const bread = product('bread', { name: 'Bread' });
const cheese = product('cheese', { name: 'Cheese', unit: 'kg' });
const wine = product('wine', { name: 'Wine', minimumAge: 18 });
const whisky = product('whisky', { name: 'Whisky', minimumAge: 21 });
const unpriced = product('unpriced', { name: 'Mystery' });

const PRICES: Readonly<Record<string, number>> = {
  milk: 120,
  bread: 250,
  cheese: 2490,
  wine: 899,
  whisky: 3500,
};

function priceRows(prices: Readonly<Record<string, number>>): PriceRow[] {
  return Object.entries(prices).map(([productId, unitPrice]) => ({
    id: `row-${productId}`,
    priceBookId: 'base',
    productId,
    unitPrice,
    version: 3,
    validFrom: null,
    validTo: null,
  }));
}

const VAT20: TaxConfig = {
  jurisdictionId: 'eu',
  pricesIncludeTax: true,
  rounding: 'per-line',
  roundingMode: 'half-up',
  rates: [
    {
      id: 'vat20',
      name: 'VAT 20 %',
      taxClassId: 'std',
      jurisdictionId: 'eu',
      rate: 200_000,
      validFrom: null,
      validTo: null,
    },
  ],
};

function environment(prices = PRICES, tax: TaxConfig = VAT20): SaleEnvironment {
  const priceIndex = buildPriceIndex(
    [
      {
        id: 'base',
        name: 'Base',
        currency: 'EUR',
        priority: 0,
        storeIds: [],
        customerGroupIds: [],
        validFrom: null,
        validTo: null,
      },
      {
        id: 'staff',
        name: 'Staff prices',
        currency: 'EUR',
        priority: 0,
        storeIds: [],
        customerGroupIds: ['staff'],
        validFrom: null,
        validTo: null,
      },
    ],
    [
      ...priceRows(prices),
      {
        id: 'staff-milk',
        priceBookId: 'staff',
        productId: 'milk',
        unitPrice: 100,
        version: 1,
        validFrom: null,
        validTo: null,
      },
    ],
    [],
  );
  return { priceIndex, promotions: [], tax, storeId: 'store-1', at: AT, cashRounding: NO_CASH_ROUNDING };
}

const env = environment();

const cashier: Actor = { staffId: 'cashier-1', role: 'cashier' };
const supervisor: Actor = { staffId: 'super-1', role: 'supervisor' };
const manager: Actor = { staffId: 'mgr-1', role: 'manager' };

function as(
  actor: Actor,
  approval?: { permission: Permission; by?: Actor; id?: string; lineId?: string },
): ActionContext {
  if (approval === undefined) return { actor, at: ISO };
  const by = approval.by ?? manager;
  const record: ApprovalRecord = {
    approvalId: approval.id ?? `ap-${approval.permission}`,
    permission: approval.permission,
    requestedBy: actor.staffId,
    approvedBy: by.staffId,
    approvedAt: ISO,
    ...(approval.lineId === undefined ? {} : { lineId: approval.lineId }),
  };
  return { actor, at: ISO, approval: { record, approverRole: by.role } };
}

const byCashier = as(cashier);

function newSale(actor: Actor = cashier): Sale {
  return openSale({
    saleId: 'sale-1',
    storeId: 'store-1',
    deviceId: 'till-1',
    shiftId: 'shift-1',
    currency: 'EUR',
    openedAt: ISO,
    cashier: actor,
  });
}

function add(
  sale: Sale,
  p: Product,
  extra: { lineId?: string; quantity?: number; weight?: number } = {},
): Sale {
  return addLine(
    sale,
    env,
    {
      lineId: extra.lineId ?? `l${sale.lines.length + 1}`,
      product: p,
      ...(extra.quantity === undefined ? {} : { quantity: extra.quantity }),
      ...(extra.weight === undefined ? {} : { weight: extra.weight }),
    },
    byCashier,
  );
}

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

const codeOf = (fn: () => unknown): string => errorOf(fn).code;

/** [lineId, gross, discount, net, tax, total] */
function figures(sale: Sale, e: SaleEnvironment = env): (string | number)[][] {
  return priceSale(sale, e).lines.map((l) => [l.lineId, l.gross, l.discount, l.net, l.tax, l.total]);
}

// ---------------------------------------------------------------------------------------------

describe('lines', () => {
  it('prices a scanned line from the price book, recording the price row and version', () => {
    const sale = add(newSale(), milk, { quantity: 3000 });
    const priced = priceSale(sale, env);
    // 3 × 1.20 = 3.60; VAT 20 % inside: 3.60 × 20/120 = 0.60.
    expect(priced.lines[0]).toMatchObject({
      productId: 'milk',
      quantity: 3000,
      unitPrice: 120,
      priceSource: { priceBookId: 'base', priceId: 'row-milk', version: 3 },
      gross: 360,
      tax: 60,
      total: 360,
    });
    expect([priced.subtotal, priced.discount, priced.tax, priced.total]).toEqual([360, 0, 60, 360]);
  });

  it('merges a repeat scan of the same piece product into the last line', () => {
    let sale = add(newSale(), milk);
    sale = add(sale, milk);
    sale = add(sale, milk, { quantity: 2000 });
    expect(sale.lines.map((l) => [l.lineId, l.quantity])).toEqual([['l1', 4000]]);
  });

  it('does not merge into a line that is not the last, has a discount or an override, or when configured off', () => {
    let sale = add(add(add(newSale(), milk), bread), milk);
    expect(sale.lines.map((l) => l.lineId)).toEqual(['l1', 'l2', 'l3']);

    sale = setLineDiscount(sale, env, 'l3', { kind: 'percent', rate: 50_000 }, byCashier);
    sale = add(sale, milk);
    expect(sale.lines).toHaveLength(4);

    sale = overridePrice(sale, 'l4', 100, as(supervisor));
    sale = add(sale, milk);
    expect(sale.lines).toHaveLength(5);

    const noMerge = openSale({
      saleId: 's',
      storeId: 'store-1',
      deviceId: 'd',
      shiftId: 'sh',
      currency: 'EUR',
      openedAt: ISO,
      cashier,
      config: { mergeRepeatScans: false },
    });
    expect(add(add(noMerge, milk), milk).lines).toHaveLength(2);
  });

  it('sells weighed products by weight: 0.375 kg × 24.90 = 9.3375 → 9.34', () => {
    const sale = add(newSale(), cheese, { weight: 375 });
    expect(sale.lines[0]).toMatchObject({ unit: 'kg', quantity: 375 });
    expect(figures(sale)[0]).toEqual(['l1', 934, 0, 934, 156, 934]); // 9.34 × 20/120 = 1.5567 → 1.56
    const reweighed = setWeight(sale, env, 'l1', 500, byCashier);
    expect(figures(reweighed)[0]?.[1]).toBe(1245); // 0.5 × 24.90
  });

  it('takes the price embedded in a variable-measure barcode as one pack with no price-book source', () => {
    const sale = addLine(
      newSale(),
      env,
      { lineId: 'l1', product: cheese, embeddedPrice: 437, barcode: '2301234004377' },
      byCashier,
    );
    const line = priceSale(sale, env).lines[0];
    expect(line).toMatchObject({
      unit: 'each',
      quantity: 1000,
      unitPrice: 437,
      priceSource: null,
      gross: 437,
    });
    expect(line?.barcode).toBe('2301234004377');
  });

  it.each([
    ['a fraction of a piece', milk, { quantity: 1500 }],
    ['zero', milk, { quantity: 0 }],
    ['a negative quantity', milk, { quantity: -1000 }],
    ['more than the configured maximum', milk, { quantity: 1_000_000 }],
    ['a weighed product without a weight', cheese, {}],
    ['a piece product with a weight', milk, { weight: 500 }],
    ['a zero weight', cheese, { weight: 0 }],
  ] as const)('refuses %s (invalid_quantity)', (_what, p, extra) => {
    expect(codeOf(() => add(newSale(), p, extra))).toBe('invalid_quantity');
  });

  it.each([
    ['inactive', product('old', { active: false })],
    ['not sellable', product('deposit', { sellable: false })],
  ])('refuses an %s product (product_not_sellable)', (_what, p) => {
    expect(codeOf(() => add(newSale(), p))).toBe('product_not_sellable');
  });

  it('refuses an item with no price at the scan, naming it', () => {
    const error = errorOf(() => add(newSale(), unpriced));
    expect(error.code).toBe('no_price');
    expect(error.message).toContain('Mystery');
  });

  it('setQuantity replaces the quantity; a decrease is a partial void recorded for the Z report', () => {
    let sale = add(newSale(), milk, { quantity: 5000 });
    sale = setQuantity(sale, env, 'l1', 6000, byCashier);
    expect(sale.voidedLines).toEqual([]);
    sale = setQuantity(sale, env, 'l1', 2000, byCashier);
    expect(sale.lines[0]?.quantity).toBe(2000);
    expect(sale.voidedLines).toEqual([
      {
        lineId: 'l1',
        productId: 'milk',
        name: 'Milk',
        quantity: 4000,
        amount: 480,
        voidedBy: 'cashier-1',
        voidedAt: ISO,
      },
    ]);
    expect(codeOf(() => setQuantity(sale, env, 'l1', 2500, byCashier))).toBe('invalid_quantity');
    expect(codeOf(() => setQuantity(sale, env, 'nope', 1000, byCashier))).toBe('unknown_line');
  });

  it('voidLine removes the line and keeps it, with its value, in voidedLines', () => {
    let sale = add(add(newSale(), milk, { quantity: 2000 }), bread);
    sale = voidLine(sale, env, 'l1', byCashier);
    expect(sale.lines.map((l) => l.lineId)).toEqual(['l2']);
    expect(sale.voidedLines).toEqual([
      {
        lineId: 'l1',
        productId: 'milk',
        name: 'Milk',
        quantity: 2000,
        amount: 240,
        voidedBy: 'cashier-1',
        voidedAt: ISO,
      },
    ]);
    expect(priceSale(sale, env).total).toBe(250);
  });

  it('a voided line reaches the completed record', () => {
    let sale = add(add(newSale(), milk), bread);
    sale = voidLine(sale, env, 'l2', byCashier);
    sale = startTender(sale, env);
    sale = addTender(sale, env, { type: 'cash', tenderId: 't1', received: 500 });
    const { record } = complete(sale, env, { completedAt: ISO, receiptNumber: 'R-1' });
    expect(record.voidedLines.map((v) => [v.lineId, v.amount])).toEqual([['l2', 250]]);
    expect(record.lines.map((l) => l.lineId)).toEqual(['l1']);
    expect([record.total, record.change]).toEqual([120, 380]);
  });

  it('never mutates the sale it is given', () => {
    const before = add(newSale(), milk);
    const snapshot = JSON.stringify(before);
    add(before, bread);
    setQuantity(before, env, 'l1', 3000, byCashier);
    setLineDiscount(before, env, 'l1', { kind: 'amount', amount: 10 }, byCashier);
    voidLine(before, env, 'l1', byCashier);
    parkSale(before, { at: ISO });
    expect(JSON.stringify(before)).toBe(snapshot);
  });
});

describe('age-restricted products', () => {
  it('refuses without a confirmation', () => {
    const error = errorOf(() => add(newSale(), wine));
    expect(error.code).toBe('age_restricted');
    expect(error.params).toMatchObject({ minimumAge: 18 });
  });

  it('sells after the cashier confirms, and does not ask again for the same or a lower age', () => {
    let sale = addLine(newSale(), env, { lineId: 'l1', product: whisky, ageConfirmed: true }, byCashier);
    sale = add(sale, wine);
    expect(sale.lines).toHaveLength(2);
    expect(sale.ageVerified).toBe(21);
  });

  it('a confirmation for 18 does not cover 21', () => {
    const sale = addLine(newSale(), env, { lineId: 'l1', product: wine, ageConfirmed: true }, byCashier);
    expect(codeOf(() => add(sale, whisky))).toBe('age_restricted');
  });

  it('sells with age.override: a manager directly, a cashier with an approval that is recorded', () => {
    expect(addLine(newSale(manager), env, { lineId: 'l1', product: wine }, as(manager)).approvals).toEqual(
      [],
    );
    const sale = addLine(
      newSale(),
      env,
      { lineId: 'l1', product: wine },
      as(cashier, { permission: 'age.override' }),
    );
    expect(sale.approvals.map((a) => [a.permission, a.approvedBy])).toEqual([['age.override', 'mgr-1']]);
  });
});

describe('permissions and approvals', () => {
  const base = add(add(newSale(), milk, { quantity: 10_000 }), bread); // milk 12.00, bread 2.50

  it('price override: supervisor directly; cashier refused, then allowed with approval (recorded)', () => {
    expect(overridePrice(base, 'l1', 99, as(supervisor)).approvals).toEqual([]);
    expect(codeOf(() => overridePrice(base, 'l1', 99, byCashier))).toBe('permission_denied');
    const sale = overridePrice(base, 'l1', 99, as(cashier, { permission: 'price.override', by: supervisor }));
    expect(sale.approvals).toHaveLength(1);
    expect(sale.approvals[0]).toMatchObject({
      permission: 'price.override',
      approvedBy: 'super-1',
      requestedBy: 'cashier-1',
    });
    const line = priceSale(sale, env).lines[0];
    expect(line).toMatchObject({
      unitPrice: 99,
      overriddenFrom: 120,
      gross: 990,
      priceSource: { priceId: 'row-milk' },
    });
  });

  it('a price keyed in at the scan lets an item with no price be sold (price.override)', () => {
    const input = { lineId: 'x', product: unpriced, priceOverride: 500 };
    expect(codeOf(() => addLine(newSale(), env, input, byCashier))).toBe('permission_denied');
    const sale = addLine(newSale(), env, input, as(cashier, { permission: 'price.override', lineId: 'x' }));
    expect(priceSale(sale, env).lines[0]).toMatchObject({ unitPrice: 500, priceSource: null, gross: 500 });
    expect(priceSale(sale, env).lines[0]?.overriddenFrom).toBeUndefined();
    expect(sale.approvals.map((a) => a.lineId)).toEqual(['x']);
  });

  it.each<[string, ActionContext, string]>([
    ['for another permission', as(cashier, { permission: 'line.void' }), 'approval_invalid'],
    [
      'by the requester themself',
      as(cashier, { permission: 'price.override', by: cashier }),
      'approval_invalid',
    ],
    [
      'by a role without the right',
      as(cashier, { permission: 'price.override', by: { staffId: 'c2', role: 'cashier' } }),
      'approval_invalid',
    ],
    ['for another line', as(cashier, { permission: 'price.override', lineId: 'l2' }), 'approval_invalid'],
  ])('refuses an approval %s', (_what, ctx, code) => {
    expect(codeOf(() => overridePrice(base, 'l1', 99, ctx))).toBe(code);
  });

  it('refuses an approval requested by someone else, and a reused approval', () => {
    const ctx = as(cashier, { permission: 'price.override' });
    const foreign: ActionContext = { ...ctx, actor: { staffId: 'cashier-2', role: 'cashier' } };
    expect(codeOf(() => overridePrice(base, 'l1', 99, foreign))).toBe('approval_invalid');
    const once = overridePrice(base, 'l1', 99, ctx);
    expect(codeOf(() => overridePrice(once, 'l2', 199, ctx))).toBe('approval_invalid');
  });

  it.each<[string, Role, number, boolean]>([
    ['cashier 10 % (limit 10 %)', 'cashier', 100_000, true],
    ['cashier 10.01 %', 'cashier', 100_100, false],
    ['supervisor 25 % (limit 25 %)', 'supervisor', 250_000, true],
    ['supervisor 30 %', 'supervisor', 300_000, false],
    ['manager 100 %', 'manager', 1_000_000, true],
  ])('line discount %s within the role limit: %s', (_what, role, rate, allowed) => {
    const actor: Actor = { staffId: `${role}-x`, role };
    const run = (): Sale => setLineDiscount(base, env, 'l1', { kind: 'percent', rate }, as(actor));
    if (allowed) expect(run().approvals).toEqual([]);
    else expect(codeOf(run)).toBe('permission_denied');
  });

  it('an amount discount is measured against the line: 1.20 of 12.00 is 10 % (ok), 1.21 is not', () => {
    expect(setLineDiscount(base, env, 'l1', { kind: 'amount', amount: 120 }, byCashier).approvals).toEqual(
      [],
    );
    expect(codeOf(() => setLineDiscount(base, env, 'l1', { kind: 'amount', amount: 121 }, byCashier))).toBe(
      'permission_denied',
    );
    const approved = setLineDiscount(
      base,
      env,
      'l1',
      { kind: 'amount', amount: 600 },
      as(cashier, { permission: 'discount.beyond_limit' }),
    );
    expect(approved.approvals.map((a) => a.permission)).toEqual(['discount.beyond_limit']);
    expect(figures(approved)[0]).toEqual(['l1', 1200, 600, 600, 100, 600]);
  });

  it.each([
    ['more than the line', { kind: 'amount', amount: 1201 }],
    ['negative', { kind: 'amount', amount: -1 }],
    ['a negative rate', { kind: 'percent', rate: -1 }],
    ['over 100 %', { kind: 'percent', rate: 1_000_001 }],
  ] as const)('refuses a discount %s (invalid_discount)', (_what, discount) => {
    expect(codeOf(() => setLineDiscount(base, env, 'l1', discount, as(manager)))).toBe('invalid_discount');
  });

  it('lowering the quantity of a line with an amount discount re-checks it', () => {
    // 1.20 off 12.00 is 10 %; at 5 pieces (6.00) it would be 20 %: beyond the cashier's limit.
    const sale = setLineDiscount(base, env, 'l1', { kind: 'amount', amount: 120 }, byCashier);
    expect(codeOf(() => setQuantity(sale, env, 'l1', 5000, byCashier))).toBe('permission_denied');
    // At 1 piece (1.20) the discount takes the whole line: only a manager may.
    expect(setQuantity(sale, env, 'l1', 1000, as(manager)).lines[0]?.quantity).toBe(1000);
  });

  it('voiding a sale needs sale.void: the cashier needs an approval', () => {
    expect(codeOf(() => voidSale(base, byCashier))).toBe('permission_denied');
    const voided = voidSale(base, as(cashier, { permission: 'sale.void', by: supervisor }));
    expect(voided.state).toBe('voided');
    expect(voided.approvals.map((a) => a.permission)).toEqual(['sale.void']);
  });

  it('voiding a line needs line.void (a custom role without it needs an approval)', () => {
    const strict = openSale({
      saleId: 's',
      storeId: 'store-1',
      deviceId: 'd',
      shiftId: 'sh',
      currency: 'EUR',
      openedAt: ISO,
      cashier,
      config: {
        rolePolicies: {
          cashier: { permissions: new Set<Permission>(['sale.ring']), maxManualDiscountRate: 0 },
          supervisor: {
            permissions: new Set<Permission>(['sale.ring', 'line.void']),
            maxManualDiscountRate: 0,
          },
          manager: { permissions: new Set<Permission>(['sale.ring', 'line.void']), maxManualDiscountRate: 0 },
          hq: { permissions: new Set<Permission>([]), maxManualDiscountRate: 0 },
        },
      },
    });
    const sale = add(strict, milk);
    expect(codeOf(() => voidLine(sale, env, 'l1', byCashier))).toBe('permission_denied');
    const voided = voidLine(
      sale,
      env,
      'l1',
      as(cashier, { permission: 'line.void', by: supervisor, lineId: 'l1' }),
    );
    expect(voided.lines).toEqual([]);
    expect(voided.approvals[0]?.lineId).toBe('l1');
  });

  it('refuses to open a sale for a role that may not ring', () => {
    expect(
      codeOf(() =>
        openSale({
          saleId: 's',
          storeId: 'st',
          deviceId: 'd',
          shiftId: 'sh',
          currency: 'EUR',
          openedAt: ISO,
          cashier,
          config: {
            rolePolicies: {
              cashier: { permissions: new Set<Permission>([]), maxManualDiscountRate: 0 },
              supervisor: { permissions: new Set<Permission>([]), maxManualDiscountRate: 0 },
              manager: { permissions: new Set<Permission>([]), maxManualDiscountRate: 0 },
              hq: { permissions: new Set<Permission>([]), maxManualDiscountRate: 0 },
            },
          },
        }),
      ),
    ).toBe('permission_denied');
  });
});

describe('discounts', () => {
  it('a percent line discount rounds half-up on the line: 15 % of 2.50 = 0.375 → 0.38', () => {
    const sale = setLineDiscount(
      add(newSale(), bread),
      env,
      'l1',
      { kind: 'percent', rate: 150_000 },
      as(supervisor),
    );
    // net 2.12; VAT 2.12 × 20/120 = 0.3533 → 0.35
    expect(figures(sale)).toEqual([['l1', 250, 38, 212, 35, 212]]);
    expect(priceSale(sale, env).lines[0]?.discounts).toEqual([
      { source: 'manual', scope: 'line', description: 'Discount 15 %', amount: 38 },
    ]);
  });

  it('an order discount is allocated over lines in proportion to what is left on each', () => {
    // milk 3 × 1.20 = 3.60, bread 2.50 with 0.50 off → 2.00; base 5.60; 1.00 off splits 0.6429 : 0.3571 → 0.64 : 0.36.
    let sale = add(add(newSale(), milk, { quantity: 3000 }), bread);
    sale = setLineDiscount(sale, env, 'l2', { kind: 'amount', amount: 50 }, as(supervisor));
    sale = setOrderDiscount(
      sale,
      env,
      { kind: 'amount', amount: 100, reason: 'Loyal customer' },
      as(supervisor),
    );
    const priced = priceSale(sale, env);
    expect(priced.lines.map((l) => l.discounts.map((d) => [d.scope, d.description, d.amount]))).toEqual([
      [['order', 'Loyal customer', 64]],
      [
        ['line', 'Discount', 50],
        ['order', 'Loyal customer', 36],
      ],
    ]);
    // milk net 2.96 (VAT 0.4933 → 0.49), bread net 1.64 (VAT 0.2733 → 0.27)
    expect(figures(sale)).toEqual([
      ['l1', 360, 64, 296, 49, 296],
      ['l2', 250, 86, 164, 27, 164],
    ]);
    expect([priced.subtotal, priced.discount, priced.tax, priced.total]).toEqual([610, 150, 76, 460]);
  });

  it('a percent order discount: 10 % of 6.10 = 0.61, split 3.60 : 2.50 → 0.36 : 0.25', () => {
    let sale = add(add(newSale(), milk, { quantity: 3000 }), bread);
    sale = setOrderDiscount(sale, env, { kind: 'percent', rate: 100_000 }, byCashier);
    expect(priceSale(sale, env).lines.map((l) => l.discount)).toEqual([36, 25]);
    expect(priceSale(sale, env).lines[0]?.discounts[0]?.description).toBe('Order discount 10 %');
  });

  it('an order discount beyond the role limit needs discount.beyond_limit; more than the sale is refused', () => {
    const sale = add(newSale(), bread);
    expect(codeOf(() => setOrderDiscount(sale, env, { kind: 'amount', amount: 26 }, byCashier))).toBe(
      'permission_denied',
    );
    expect(codeOf(() => setOrderDiscount(sale, env, { kind: 'amount', amount: 251 }, as(manager)))).toBe(
      'invalid_discount',
    );
    expect(setOrderDiscount(sale, env, null, byCashier).orderDiscount).toBeUndefined();
  });

  it('removing a discount needs no permission', () => {
    let sale = setLineDiscount(
      add(newSale(), bread),
      env,
      'l1',
      { kind: 'percent', rate: 50_000 },
      byCashier,
    );
    sale = setLineDiscount(sale, env, 'l1', null, as({ staffId: 'x', role: 'cashier' }));
    expect(sale.lines[0]?.manualDiscount).toBeUndefined();
  });
});

describe('customers and coupons', () => {
  it('customer groups select price books; detaching goes back to the base price', () => {
    let sale = add(newSale(), milk);
    sale = attachCustomer(sale, { customerId: 'c-1', groupIds: ['staff'] });
    expect(priceSale(sale, env).lines[0]).toMatchObject({
      unitPrice: 100,
      priceSource: { priceBookId: 'staff' },
    });
    sale = detachCustomer(sale);
    expect(priceSale(sale, env).lines[0]?.unitPrice).toBe(120);
    expect(sale.customer).toBeUndefined();
  });

  it('coupons are trimmed, deduplicated and removable; an empty code is refused', () => {
    let sale = addCoupon(newSale(), ' SAVE5 ');
    sale = addCoupon(sale, 'SAVE5');
    expect(sale.couponCodes).toEqual(['SAVE5']);
    expect(removeCoupon(sale, 'SAVE5').couponCodes).toEqual([]);
    expect(codeOf(() => addCoupon(sale, '  '))).toBe('unknown_coupon');
  });

  it('a customer tax exemption takes the included VAT off (shown as a discount)', () => {
    let sale = add(newSale(), bread);
    sale = attachCustomer(sale, {
      customerId: 'dip',
      groupIds: [],
      taxExemption: { reason: 'Diplomatic card' },
    });
    const priced = priceSale(sale, env);
    // 2.50 holds 2.50 × 20/120 = 0.4167 → 0.42 of VAT: the customer pays 2.08 and no tax.
    expect(figures(sale)).toEqual([['l1', 250, 42, 208, 0, 208]]);
    expect(priced.lines[0]?.discounts[0]?.description).toBe('Tax exemption (Diplomatic card)');
  });
});

describe('park and resume', () => {
  it('parks an open sale with lines and resumes it with its lines, customer and approvals', () => {
    let sale = add(newSale(), milk);
    sale = attachCustomer(sale, { customerId: 'c-1', groupIds: [] });
    sale = overridePrice(sale, 'l1', 99, as(cashier, { permission: 'price.override' }));
    const parked = parkSale(sale, { at: ISO });
    expect(parked.state).toBe('parked');
    expect(parked.parkedAt).toBe(ISO);
    const resumed = resumeSale(parked);
    expect(resumed.state).toBe('open');
    expect(resumed.parkedAt).toBeUndefined();
    expect(resumed.lines).toEqual(sale.lines);
    expect(resumed.approvals).toEqual(sale.approvals);
    expect(resumed.customer?.customerId).toBe('c-1');
  });

  it('refuses to park an empty sale', () => {
    expect(codeOf(() => parkSale(newSale(), { at: ISO }))).toBe('empty_sale');
  });
});

describe('illegal transitions', () => {
  const open = add(newSale(), milk);
  const parked = parkSale(open, { at: ISO });
  const tendering = startTender(open, env);
  const paid = addTender(tendering, env, { type: 'cash', tenderId: 't1', received: 200 });
  const completed = complete(paid, env, { completedAt: ISO, receiptNumber: 'R-1' }).sale;
  const voided = voidSale(open, as(manager));
  const states: Readonly<Record<string, Sale>> = { open, parked, tendering, completed, voided };

  const actions: Readonly<Record<string, (s: Sale) => unknown>> = {
    addLine: (s) => addLine(s, env, { lineId: 'new', product: bread }, byCashier),
    setQuantity: (s) => setQuantity(s, env, 'l1', 2000, byCashier),
    setWeight: (s) => setWeight(s, env, 'l1', 2000, byCashier),
    voidLine: (s) => voidLine(s, env, 'l1', byCashier),
    overridePrice: (s) => overridePrice(s, 'l1', 1, as(manager)),
    setLineDiscount: (s) => setLineDiscount(s, env, 'l1', { kind: 'percent', rate: 1 }, byCashier),
    setOrderDiscount: (s) => setOrderDiscount(s, env, { kind: 'percent', rate: 1 }, byCashier),
    attachCustomer: (s) => attachCustomer(s, { customerId: 'c', groupIds: [] }),
    detachCustomer: (s) => detachCustomer(s),
    addCoupon: (s) => addCoupon(s, 'X'),
    removeCoupon: (s) => removeCoupon(s, 'X'),
    parkSale: (s) => parkSale(s, { at: ISO }),
    resumeSale: (s) => resumeSale(s),
    voidSale: (s) => voidSale(s, as(manager)),
    startTender: (s) => startTender(s, env),
    cancelTender: (s) => cancelTender(s),
    addTender: (s) => addTender(s, env, { type: 'cash', tenderId: 'tx', received: 100 }),
    removeTender: (s) => removeTender(s, 't1'),
    complete: (s) => complete(s, env, { completedAt: ISO, receiptNumber: 'R-2' }),
  };

  const allowed: Readonly<Record<string, readonly string[]>> = {
    open: [
      'addLine',
      'setQuantity',
      'voidLine',
      'overridePrice',
      'setLineDiscount',
      'setOrderDiscount',
      'attachCustomer',
      'detachCustomer',
      'addCoupon',
      'removeCoupon',
      'parkSale',
      'voidSale',
      'startTender',
    ],
    parked: ['resumeSale', 'voidSale'],
    tendering: ['voidSale', 'cancelTender', 'addTender'],
    completed: [],
    voided: [],
  };

  // Allowed in the state but refused for another reason here; covered in tender.test.ts.
  const elsewhere: Readonly<Record<string, readonly string[]>> = { tendering: ['complete', 'removeTender'] };

  const cases = Object.entries(states).flatMap(([state, sale]) =>
    Object.entries(actions)
      .filter(([name]) => !(allowed[state] ?? []).includes(name) && !(elsewhere[state] ?? []).includes(name))
      .map(([name, run]) => [state, name, sale, run] as const),
  );

  it.each(cases)('%s: %s is refused with invalid_state', (_state, _name, sale, run) => {
    const error = errorOf(() => run(sale));
    // setWeight on a piece line in an open sale is a quantity error, not a state error.
    if (_state === 'open' && _name === 'setWeight') expect(error.code).toBe('invalid_quantity');
    else expect(error.code).toBe('invalid_state');
    expect(error.message).toMatch(/^Cannot |sold by the piece/);
  });

  it('the refusal says what state the sale is in', () => {
    expect(errorOf(() => actions.addLine!(tendering)).message).toBe(
      'Cannot add an item: the sale is being paid (go back to the sale first).',
    );
    expect(errorOf(() => actions.addLine!(completed)).message).toContain('already completed');
  });

  it.each(Object.entries(allowed).flatMap(([state, names]) => names.map((n) => [state, n] as const)))(
    '%s: %s is allowed',
    (state, name) => {
      const sale = states[state]!;
      const run = actions[name]!;
      expect(() => run(sale)).not.toThrow();
    },
  );
});

describe('card numbers', () => {
  it.each([
    ['4111111111111111', true],
    ['4111 1111 1111 1111', true],
    ['4111-1111-1111-1111', true],
    ['ref 5500005555555559 ok', true],
    ['%B4111111111111111^DOE/J^2512', true],
    [';4111111111111111=2512101?', true],
    ['4111111111111112', false], // fails Luhn
    ['TXN-123456', false],
    ['123456789012', false], // 12 digits: too short
    ['4242', false],
    ['VISA', false],
  ])('%s looks like a card number: %s', (text, expected) => {
    expect(looksLikeCardNumber(text)).toBe(expected);
  });
});

describe('assertSaleRecordBalanced', () => {
  let sale = add(add(newSale(), milk, { quantity: 3000 }), bread);
  sale = startTender(sale, env);
  sale = addTender(sale, env, { type: 'cash', tenderId: 't1', received: 1000 });
  const good = complete(sale, env, { completedAt: ISO, receiptNumber: 'R-1' }).record;

  it('accepts a completed record', () => {
    expect(() => {
      assertSaleRecordBalanced(good);
    }).not.toThrow();
    expect([good.total, good.change]).toEqual([610, 390]);
  });

  const line0 = good.lines[0]!;
  it.each<[string, SaleRecord, RegExp]>([
    ['total', { ...good, total: good.total + 1 }, /Σ lines.total/],
    ['tax', { ...good, tax: good.tax + 1 }, /Σ lines.tax/],
    ['subtotal', { ...good, subtotal: 1 }, /subtotal/],
    ['change', { ...good, change: 0 }, /change/],
    ['tenders', { ...good, tenders: [{ ...good.tenders[0]!, amount: 600 }] }, /Σ tenders/],
    ['tax summary', { ...good, taxes: [] }, /Σ taxes.amount/],
    ['line net', { ...good, lines: [{ ...line0, net: line0.net + 1 }, ...good.lines.slice(1)] }, /net/],
    [
      'line gross',
      {
        ...good,
        lines: [
          { ...line0, gross: line0.gross + 1, net: line0.net + 1, total: line0.total + 1 },
          ...good.lines.slice(1),
        ],
        subtotal: good.subtotal + 1,
        total: good.total + 1,
      },
      /gross/,
    ],
    [
      'rounding without cash',
      {
        ...good,
        cashRounding: 1,
        tenders: [{ tenderId: 'c', type: 'card', amount: good.total + 1, reference: 'T' }],
        change: 0,
      },
      /without a cash tender/,
    ],
    [
      'card number',
      {
        ...good,
        tenders: [{ tenderId: 'c', type: 'card', amount: good.total, reference: '4111111111111111' }],
        change: 0,
      },
      /card data/,
    ],
    [
      'card last 4',
      {
        ...good,
        tenders: [{ tenderId: 'c', type: 'card', amount: good.total, reference: 'T', cardLast4: '42' }],
        change: 0,
      },
      /four digits/,
    ],
  ])('names a broken %s invariant', (_what, record, message) => {
    expect(() => {
      assertSaleRecordBalanced(record);
    }).toThrow(RangeError);
    expect(() => {
      assertSaleRecordBalanced(record);
    }).toThrow(message);
  });
});

describe('assertSaleRecordBalanced and gift cards', () => {
  it('accepts a gift-card number that happens to be a Luhn-valid digit run', () => {
    let sale = add(newSale(), bread);
    sale = startTender(sale, env);
    sale = addTender(sale, env, {
      type: 'gift_card',
      tenderId: 'g',
      amount: 250,
      reference: '4111111111111111',
      availableBalance: 1000,
    });
    const { record } = complete(sale, env, { completedAt: ISO, receiptNumber: 'R-2' });
    expect(record.tenders[0]?.reference).toBe('4111111111111111');
  });

  it('refuses a payment-card swipe read into the gift-card field', () => {
    const sale = startTender(add(newSale(), bread), env);
    const input = {
      type: 'gift_card',
      tenderId: 'g',
      amount: 250,
      reference: '%B4111111111111111^DOE/J^2512',
      availableBalance: 1000,
    } as const;
    expect(codeOf(() => addTender(sale, env, input))).toBe('invalid_tender');
  });
});

describe('percentText', () => {
  it.each([
    [200_000, '20 %'],
    [81_000, '8.1 %'],
    [62_500, '6.25 %'],
    [0, '0 %'],
    [1_000_000, '100 %'],
  ])('%i → %s', (rate, text) => {
    expect(percentText(rate)).toBe(text);
  });
});
