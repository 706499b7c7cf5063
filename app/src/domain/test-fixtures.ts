/**
 * Hand-built sale records for tests and benchmarks, and checks of the record invariants of
 * records.ts. Fixture figures are worked out by hand in the comments beside them; `buildSale`
 * only adds up what the spec states (it prices nothing and computes no tax), so a fixture is as
 * trustworthy as its comment. `randomSale` and `generateShiftEvents` make seeded, plausible sales
 * and shifts for properties and benchmarks. Test support only: nothing in the app imports this.
 */
import { cashRoundingFor, extendPrice, mulDiv, RATE_SCALE, roundCash, type Minor } from './money.ts';
import { planReturn } from './returns.ts';
import type { ShiftEvent } from './shift.ts';
import type {
  AppliedDiscount,
  ReturnRecord,
  SaleLineRecord,
  SaleRecord,
  TaxSummaryRecord,
  TenderRecord,
  TenderType,
  Unit,
  VoidedLineRecord,
} from './records.ts';

export interface LineSpec {
  readonly lineId: string;
  readonly productId?: string;
  readonly name?: string;
  readonly categoryId?: string;
  readonly unit?: Unit;
  /** Thousandths. */
  readonly quantity: number;
  readonly unitPrice: Minor;
  readonly discounts?: readonly AppliedDiscount[];
  /** Tax amounts as charged; the base is the line's net without tax. */
  readonly taxes: readonly { readonly taxId: string; readonly rate: number; readonly amount: Minor }[];
}

export interface TenderSpec {
  readonly type: TenderType;
  readonly amount: Minor;
  readonly received?: Minor;
  readonly reference?: string;
  readonly cardBrand?: string;
  readonly cardLast4?: string;
}

export interface SaleSpec {
  readonly saleId: string;
  readonly receiptNumber?: string;
  readonly currency?: string;
  readonly pricesIncludeTax: boolean;
  readonly completedAt?: string;
  readonly cashierId?: string;
  readonly shiftId?: string;
  readonly storeId?: string;
  readonly deviceId?: string;
  readonly customerId?: string;
  readonly lines: readonly LineSpec[];
  readonly voidedLines?: readonly VoidedLineRecord[];
  readonly tenders: readonly TenderSpec[];
}

/** Tax names for the ids fixtures use; anything else is named after its id. */
const TAX_NAMES: Readonly<Record<string, string>> = {
  'vat-20': 'VAT 20%',
  'vat-10': 'VAT 10%',
  'vat-5.5': 'VAT 5.5%',
  'vat-8.1': 'MWST 8.1%',
  'vat-0': 'VAT 0%',
  'us-state': 'State tax 6%',
  'us-county': 'County tax 2.5%',
};

function buildLine(spec: LineSpec, pricesIncludeTax: boolean): SaleLineRecord {
  const gross = extendPrice(spec.unitPrice, spec.quantity, 'half-up');
  const discounts = spec.discounts ?? [];
  const discount = discounts.reduce((sum, d) => sum + d.amount, 0);
  const net = gross - discount;
  const tax = spec.taxes.reduce((sum, t) => sum + t.amount, 0);
  const base = pricesIncludeTax ? net - tax : net;
  const productId = spec.productId ?? `p-${spec.lineId}`;
  return {
    lineId: spec.lineId,
    productId,
    sku: `sku-${productId}`,
    name: spec.name ?? productId,
    categoryId: spec.categoryId ?? 'general',
    taxClassId: 'standard',
    unit: spec.unit ?? 'each',
    quantity: spec.quantity,
    unitPrice: spec.unitPrice,
    priceSource: { priceBookId: 'pb-1', priceId: `price-${productId}`, version: 1 },
    gross,
    discounts,
    discount,
    net,
    taxes: spec.taxes.map((t) => ({
      taxId: t.taxId,
      name: TAX_NAMES[t.taxId] ?? t.taxId,
      rate: t.rate,
      base,
      amount: t.amount,
    })),
    tax,
    total: pricesIncludeTax ? net : net + tax,
  };
}

/** Assembles a SaleRecord from a spec; sums, tax summary, cash rounding and change are derived. */
export function buildSale(spec: SaleSpec): SaleRecord {
  const lines = spec.lines.map((l) => buildLine(l, spec.pricesIncludeTax));
  const taxes = new Map<string, { taxId: string; name: string; rate: number; base: Minor; amount: Minor }>();
  for (const line of lines) {
    for (const t of line.taxes) {
      const summary = taxes.get(t.taxId);
      if (summary === undefined) taxes.set(t.taxId, { ...t });
      else {
        summary.base += t.base;
        summary.amount += t.amount;
      }
    }
  }
  const total = lines.reduce((sum, l) => sum + l.total, 0);
  const tenders: TenderRecord[] = spec.tenders.map((t, i) => ({
    tenderId: `${spec.saleId}-t${i + 1}`,
    type: t.type,
    amount: t.amount,
    ...(t.received === undefined ? {} : { received: t.received }),
    ...(t.reference === undefined ? {} : { reference: t.reference }),
    ...(t.cardBrand === undefined ? {} : { cardBrand: t.cardBrand }),
    ...(t.cardLast4 === undefined ? {} : { cardLast4: t.cardLast4 }),
  }));
  const completedAt = spec.completedAt ?? '2024-03-01T10:00:00.000Z';
  return {
    saleId: spec.saleId,
    receiptNumber: spec.receiptNumber ?? `R-${spec.saleId}`,
    storeId: spec.storeId ?? 'store-1',
    deviceId: spec.deviceId ?? 'till-1',
    shiftId: spec.shiftId ?? 'shift-1',
    cashierId: spec.cashierId ?? 'cashier-1',
    ...(spec.customerId === undefined ? {} : { customerId: spec.customerId }),
    currency: spec.currency ?? 'EUR',
    pricesIncludeTax: spec.pricesIncludeTax,
    openedAt: completedAt,
    completedAt,
    lines,
    voidedLines: spec.voidedLines ?? [],
    couponCodes: [],
    subtotal: lines.reduce((sum, l) => sum + l.gross, 0),
    discount: lines.reduce((sum, l) => sum + l.discount, 0),
    tax: lines.reduce((sum, l) => sum + l.tax, 0),
    total,
    cashRounding: tenders.reduce((sum, t) => sum + t.amount, 0) - total,
    taxes: [...taxes.values()] satisfies TaxSummaryRecord[],
    tenders,
    change: tenders.reduce(
      (sum, t) => sum + (t.type === 'cash' ? (t.received ?? t.amount) - t.amount : 0),
      0,
    ),
    approvals: [],
  };
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** The SaleRecord invariants of records.ts that `sale` breaks; empty when it is balanced. */
export function saleRecordProblems(sale: SaleRecord): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  check(sum(sale.lines.map((l) => l.total)) === sale.total, 'Σ lines.total ≠ total');
  check(sum(sale.lines.map((l) => l.tax)) === sale.tax, 'Σ lines.tax ≠ tax');
  check(sum(sale.taxes.map((t) => t.amount)) === sale.tax, 'Σ taxes.amount ≠ tax');
  check(sum(sale.lines.map((l) => l.discount)) === sale.discount, 'Σ lines.discount ≠ discount');
  check(sum(sale.lines.map((l) => l.gross)) === sale.subtotal, 'Σ lines.gross ≠ subtotal');
  for (const l of sale.lines) {
    check(l.net === l.gross - l.discount && l.net >= 0, `line ${l.lineId}: net ≠ gross − discount`);
    check(sum(l.taxes.map((t) => t.amount)) === l.tax, `line ${l.lineId}: Σ taxes ≠ tax`);
    check(l.total === (sale.pricesIncludeTax ? l.net : l.net + l.tax), `line ${l.lineId}: total`);
  }
  check(
    sum(sale.tenders.map((t) => t.amount)) === sale.total + sale.cashRounding,
    'Σ tenders ≠ total + rounding',
  );
  const change = sum(sale.tenders.map((t) => (t.type === 'cash' ? (t.received ?? t.amount) - t.amount : 0)));
  check(change === sale.change, 'change ≠ Σ (received − amount)');
  return problems;
}

/** The ReturnRecord invariants (Σ lines.total = total, Σ taxes = tax, Σ refunds = total + rounding …). */
export function returnRecordProblems(ret: ReturnRecord, pricesIncludeTax: boolean): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  check(sum(ret.lines.map((l) => l.total)) === ret.total, 'Σ lines.total ≠ total');
  check(sum(ret.lines.map((l) => l.tax)) === ret.tax, 'Σ lines.tax ≠ tax');
  check(sum(ret.taxes.map((t) => t.amount)) === ret.tax, 'Σ taxes.amount ≠ tax');
  check(
    sum(ret.refunds.map((r) => r.amount)) === ret.total + ret.cashRounding,
    'Σ refunds ≠ total + rounding',
  );
  for (const l of ret.lines) {
    check(sum(l.taxes.map((t) => t.amount)) === l.tax, `line ${l.returnLineId}: Σ taxes ≠ tax`);
    check(l.total === (pricesIncludeTax ? l.net : l.net + l.tax), `line ${l.returnLineId}: total`);
    check(l.total >= 0 && l.net >= 0 && l.discount >= 0 && l.tax >= 0, `line ${l.returnLineId}: negative`);
  }
  check(
    ret.refunds.every((r) => r.amount > 0),
    'a refund is not positive',
  );
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Fixtures. Figures in the comments are worked out by hand.

/**
 * EUR, VAT-inclusive, paid in cash with change.
 * - mug: 3 × 10.00 = 30.00; VAT 20 % inside: 30.00 − 30.00 ÷ 1.2 = 5.00.
 * - beans: 1 × 12.99; VAT 10 % inside: 12.99 − 12.99 ÷ 1.1 = 12.99 − 11.809 = 1.181 → 1.18.
 * Total 42.99, tax 6.18; cash 42.99 applied of 50.00 received, change 7.01.
 */
export const cashSaleEur: SaleRecord = buildSale({
  saleId: 'sale-cash-eur',
  receiptNumber: 'S1-T1-000101',
  pricesIncludeTax: true,
  completedAt: '2024-03-01T09:15:00.000Z',
  cashierId: 'cashier-1',
  lines: [
    {
      lineId: 'mug',
      name: 'Mug',
      quantity: 3000,
      unitPrice: 1000,
      taxes: [{ taxId: 'vat-20', rate: 200_000, amount: 500 }],
    },
    {
      lineId: 'beans',
      name: 'Coffee beans',
      quantity: 1000,
      unitPrice: 1299,
      taxes: [{ taxId: 'vat-10', rate: 100_000, amount: 118 }],
    },
  ],
  tenders: [{ type: 'cash', amount: 4299, received: 5000 }],
});

/**
 * EUR, VAT-inclusive: 3 × 4.00 = 12.00 gross, "3 for 10.00" takes 2.00 → net 10.00, paid 6.00 by
 * card and 4.00 in cash. VAT 20 % inside 10.00: 10.00 − 8.333 = 1.667 → 1.67, base 8.33.
 */
export const splitTenderSale: SaleRecord = buildSale({
  saleId: 'sale-split',
  receiptNumber: 'S1-T1-000102',
  pricesIncludeTax: true,
  completedAt: '2024-03-01T11:05:00.000Z',
  cashierId: 'cashier-2',
  lines: [
    {
      lineId: 'soap',
      name: 'Soap',
      quantity: 3000,
      unitPrice: 400,
      discounts: [
        {
          source: 'promotion',
          promotionId: 'promo-3for10',
          scope: 'line',
          description: '3 for 10.00',
          amount: 200,
        },
      ],
      taxes: [{ taxId: 'vat-20', rate: 200_000, amount: 167 }],
    },
  ],
  tenders: [
    { type: 'card', amount: 600, reference: 'TXN-555', cardBrand: 'VISA', cardLast4: '4242' },
    { type: 'cash', amount: 400, received: 500 },
  ],
});

/**
 * USD, prices exclude tax; state 6 % and county 2.5 % on every line; coupon SAVE10 takes 10.00 off
 * the order, allocated over the lines' net after line discounts (45.00 : 15.00 → 7.50 : 2.50).
 * - shirt: 2 × 25.00 = 50.00; 10 % promo −5.00; coupon share −7.50 → net 37.50;
 *   state 2.25, county 0.9375 → 0.94; tax 3.19; total 40.69.
 * - socks: 3 × 5.00 = 15.00; coupon share −2.50 → net 12.50; state 0.75, county 0.3125 → 0.31;
 *   tax 1.06; total 13.56.
 * Total 54.25, tax 4.25, discount 15.00; paid 20.00 by gift card GC-1 and 34.25 by card TXN-9.
 */
export const couponSaleUsd: SaleRecord = buildSale({
  saleId: 'sale-coupon-usd',
  receiptNumber: 'S2-T1-000042',
  currency: 'USD',
  pricesIncludeTax: false,
  completedAt: '2024-03-02T15:30:00.000Z',
  cashierId: 'cashier-1',
  customerId: 'cust-7',
  lines: [
    {
      lineId: 'shirt',
      name: 'Shirt',
      quantity: 2000,
      unitPrice: 2500,
      discounts: [
        {
          source: 'promotion',
          promotionId: 'promo-shirts',
          scope: 'line',
          description: '10 % off shirts',
          amount: 500,
        },
        {
          source: 'coupon',
          couponCode: 'SAVE10',
          promotionId: 'promo-save10',
          scope: 'order',
          description: '10.00 off',
          amount: 750,
        },
      ],
      taxes: [
        { taxId: 'us-state', rate: 60_000, amount: 225 },
        { taxId: 'us-county', rate: 25_000, amount: 94 },
      ],
    },
    {
      lineId: 'socks',
      name: 'Socks',
      quantity: 3000,
      unitPrice: 500,
      discounts: [
        {
          source: 'coupon',
          couponCode: 'SAVE10',
          promotionId: 'promo-save10',
          scope: 'order',
          description: '10.00 off',
          amount: 250,
        },
      ],
      taxes: [
        { taxId: 'us-state', rate: 60_000, amount: 75 },
        { taxId: 'us-county', rate: 25_000, amount: 31 },
      ],
    },
  ],
  tenders: [
    { type: 'gift_card', amount: 2000, reference: 'GC-1' },
    { type: 'card', amount: 3425, reference: 'TXN-9', cardBrand: 'MASTERCARD', cardLast4: '0005' },
  ],
});

/**
 * CHF, VAT-inclusive 8.1 %, paid in cash rounded to 0.05.
 * - scarf: 1 × 10.03; VAT 10.03 − 10.03 ÷ 1.081 = 10.03 − 9.278 = 0.752 → 0.75.
 * - gloves: 2 × 4.99 = 9.98; VAT 9.98 − 9.232 = 0.748 → 0.75.
 * Total 20.01 → cash 20.00 (rounding −0.01) of 50.00 received, change 30.00.
 */
export const cashSaleChf: SaleRecord = buildSale({
  saleId: 'sale-chf',
  receiptNumber: 'S3-T1-000007',
  currency: 'CHF',
  pricesIncludeTax: true,
  completedAt: '2024-03-03T12:00:00.000Z',
  lines: [
    {
      lineId: 'scarf',
      name: 'Scarf',
      quantity: 1000,
      unitPrice: 1003,
      taxes: [{ taxId: 'vat-8.1', rate: 81_000, amount: 75 }],
    },
    {
      lineId: 'gloves',
      name: 'Gloves',
      quantity: 2000,
      unitPrice: 499,
      taxes: [{ taxId: 'vat-8.1', rate: 81_000, amount: 75 }],
    },
  ],
  tenders: [{ type: 'cash', amount: 2000, received: 5000 }],
});

// ---------------------------------------------------------------------------------------------
// Generated shifts, for properties and benchmarks. Deterministic for a seed.

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const RATES = [
  { taxId: 'vat-20', rate: 200_000 },
  { taxId: 'vat-10', rate: 100_000 },
  { taxId: 'vat-5.5', rate: 55_000 },
  { taxId: 'vat-0', rate: 0 },
] as const;

export interface RandomSaleOptions {
  readonly saleId: string;
  readonly completedAt: string;
  readonly shiftId: string;
  readonly cashierId: string;
  readonly currency: string;
}

/**
 * A plausible VAT-inclusive sale: 1–20 lines (some weighed, some discounted by a promotion or by
 * hand), several VAT rates, sometimes a voided line, paid in cash, by card, by gift card or split.
 */
export function randomSale(random: () => number, options: RandomSaleOptions): SaleRecord {
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const lines: LineSpec[] = [];
  const lineCount = int(1, 20);
  for (let i = 0; i < lineCount; i++) {
    const weighed = random() < 0.15;
    const quantity = weighed ? int(50, 2500) : int(1, 4) * 1000;
    const unitPrice = int(49, 4999);
    const gross = extendPrice(unitPrice, quantity, 'half-up');
    const discounts: AppliedDiscount[] = [];
    const roll = random();
    if (roll < 0.15) {
      const promo = int(1, 12);
      discounts.push({
        source: 'promotion',
        promotionId: `promo-${promo}`,
        scope: 'line',
        description: `${promo * 5} % off`,
        amount: Math.floor((gross * promo * 5) / 100),
      });
    } else if (roll < 0.18) {
      discounts.push({
        source: 'manual',
        scope: 'line',
        description: 'manager discount',
        amount: Math.floor(gross / 10),
      });
    }
    const net = gross - discounts.reduce((s, d) => s + d.amount, 0);
    const rate = RATES[int(0, RATES.length - 1)] ?? RATES[0];
    // VAT inside the net: net − net ÷ (1 + rate).
    const tax = net - mulDiv(net, RATE_SCALE, RATE_SCALE + rate.rate, 'half-up');
    lines.push({
      lineId: `${options.saleId}-l${i + 1}`,
      productId: `p-${int(1, 5000)}`,
      unit: weighed ? 'kg' : 'each',
      quantity,
      unitPrice,
      discounts,
      taxes: [{ taxId: rate.taxId, rate: rate.rate, amount: tax }],
    });
  }
  const voidedLines: VoidedLineRecord[] =
    random() < 0.05
      ? [
          {
            lineId: `${options.saleId}-v1`,
            productId: `p-${int(1, 5000)}`,
            name: 'voided item',
            quantity: 1000,
            amount: int(49, 4999),
            voidedBy: options.cashierId,
            voidedAt: options.completedAt,
          },
        ]
      : [];
  const draft = buildSale({ saleId: options.saleId, pricesIncludeTax: true, lines, tenders: [] });
  const total = draft.total;
  const tenders: TenderSpec[] = [];
  const rule = cashRoundingFor(options.currency);
  const roundCashDue = (due: Minor): Minor => roundCash(due, rule).amount;
  const kind = random();
  if (total === 0) {
    // nothing to pay
  } else if (kind < 0.35) {
    const cash = roundCashDue(total);
    tenders.push({
      type: 'cash',
      amount: cash,
      received: Math.ceil(cash / 1000) * 1000 + (random() < 0.3 ? 1000 : 0),
    });
  } else if (kind < 0.85) {
    tenders.push({
      type: 'card',
      amount: total,
      reference: `${options.saleId}-card`,
      cardBrand: 'VISA',
      cardLast4: '4242',
    });
  } else {
    const gift = Math.min(total, int(500, 5000));
    tenders.push({ type: 'gift_card', amount: gift, reference: `GC-${int(1, 300)}` });
    const rest = total - gift;
    if (rest > 0 && random() < 0.5) {
      tenders.push({ type: 'card', amount: rest, reference: `${options.saleId}-card` });
    } else if (rest > 0) {
      const cash = roundCashDue(rest);
      tenders.push(
        cash > 0
          ? { type: 'cash', amount: cash, received: cash }
          : { type: 'card', amount: rest, reference: `${options.saleId}-card` },
      );
    }
  }
  return buildSale({
    saleId: options.saleId,
    receiptNumber: `R-${options.saleId}`,
    currency: options.currency,
    pricesIncludeTax: true,
    completedAt: options.completedAt,
    shiftId: options.shiftId,
    cashierId: options.cashierId,
    lines,
    voidedLines,
    tenders,
  });
}

export interface GeneratedShiftOptions {
  readonly sales: number;
  readonly shiftId?: string;
  readonly currency?: string;
  readonly openedAt?: string;
  /** Hours the sales are spread over. */
  readonly hours?: number;
}

/**
 * The events of a busy shift: the opening, `sales` sales by four cashiers, a partial or full
 * return of about one sale in 25 (made later in the shift, through planReturn), paid-ins,
 * paid-outs and safe drops. Opening first; no closing. Deterministic for a seed.
 */
export function generateShiftEvents(seed: number, options: GeneratedShiftOptions): ShiftEvent[] {
  const random = seededRandom(seed);
  const shiftId = options.shiftId ?? 'shift-gen';
  const currency = options.currency ?? 'EUR';
  const openedAt = options.openedAt ?? '2024-03-01T07:00:00.000Z';
  const start = Date.parse(openedAt);
  const span = (options.hours ?? 10) * 3_600_000;
  const step = Math.max(1, Math.floor(span / (options.sales + 1)));
  const iso = (ms: number): string => new Date(ms).toISOString();
  const cashiers = ['cashier-1', 'cashier-2', 'cashier-3', 'cashier-4'];
  const events: ShiftEvent[] = [
    {
      type: 'shift.opened',
      record: {
        shiftId,
        storeId: 'store-1',
        deviceId: 'till-1',
        openedBy: 'cashier-1',
        openedAt,
        currency,
        openingFloat: 20_000,
      },
    },
  ];
  const pendingReturns: { sale: SaleRecord; at: number }[] = [];
  const policy = {
    windowDays: null,
    noReceipt: { enabled: false, refundTo: 'store_credit', maxAmount: 0, requiresPermission: true },
  } as const;
  let moves = 0;
  const move = (kind: 'paid_in' | 'paid_out' | 'drop', amount: Minor, at: number): void => {
    moves += 1;
    events.push({
      type: 'cash.moved',
      record: {
        movementId: `${shiftId}-m${moves}`,
        storeId: 'store-1',
        deviceId: 'till-1',
        shiftId,
        staffId: 'cashier-1',
        kind,
        currency,
        amount,
        reason: kind === 'drop' ? 'safe drop' : kind === 'paid_in' ? 'change top-up' : 'window cleaner',
        at: iso(at),
        approvals: [],
      },
    });
  };
  for (let i = 1; i <= options.sales; i++) {
    const at = start + i * step;
    const sale = randomSale(random, {
      saleId: `${shiftId}-s${i}`,
      completedAt: iso(at),
      shiftId,
      cashierId: cashiers[Math.floor(random() * cashiers.length)] ?? 'cashier-1',
      currency,
    });
    events.push({ type: 'sale.completed', record: sale });
    if (random() < 0.04) pendingReturns.push({ sale, at: at + 20 * step });
    const due = pendingReturns[0];
    if (due !== undefined && due.at <= at) {
      pendingReturns.shift();
      const whole = random() < 0.5;
      const lines = due.sale.lines
        .filter((_, n) => whole || n % 3 === 0)
        .map((l) => ({
          lineId: l.lineId,
          quantity: whole || l.unit !== 'each' ? l.quantity : 1000,
          disposition: 'restock' as const,
          reason: 'changed mind',
        }));
      let n = 0;
      events.push({
        type: 'return.completed',
        record: planReturn({
          returnId: `${due.sale.saleId}-r`,
          receiptNumber: `RET-${due.sale.saleId}`,
          newId: () => `${due.sale.saleId}-r-${++n}`,
          now: iso(at),
          storeId: 'store-1',
          deviceId: 'till-1',
          shiftId,
          actor: { staffId: 'cashier-2', role: 'cashier' },
          policy,
          original: due.sale,
          lines,
          priorReturns: [],
        }),
      });
    }
    if (i % 500 === 0) move('drop', 50_000, at + 1);
    if (i % 1500 === 0) move('paid_in', 5_000, at + 2);
    if (i % 2000 === 0) move('paid_out', 1_250, at + 3);
  }
  return events;
}
