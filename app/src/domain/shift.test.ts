import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import type { Actor, ApprovalRecord, Permission, Role } from './permissions.ts';
import type {
  CashMovementRecord,
  ReturnRecord,
  SaleRecord,
  ShiftClosedRecord,
  ShiftOpenedRecord,
} from './records.ts';
import {
  buildShiftReport,
  closeShift,
  itemCount,
  type CloseShiftInput,
  type ShiftEvent,
  type ShiftReport,
} from './shift.ts';
import {
  buildSale,
  cashSaleEur,
  couponSaleUsd,
  generateShiftEvents,
  saleRecordProblems,
  seededRandom,
  splitTenderSale,
} from './test-fixtures.ts';

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

// ---------------------------------------------------------------------------------------------
// A small shift, figures by hand. EUR, store at UTC+1, float 150.00.

const opened: ShiftOpenedRecord = {
  shiftId: 'shift-1',
  storeId: 'store-1',
  deviceId: 'till-1',
  openedBy: 'cashier-1',
  openedAt: '2024-03-01T08:00:00.000Z',
  currency: 'EUR',
  openingFloat: 15_000,
};

// 2 × tea at 3.50 = 7.00, 0.70 off by hand → 6.30, VAT 10 % inside 6.30 − 5.727 = 0.573 → 0.57.
// A cake (4.50) was voided before completion. Paid by gift card.
const teaSale: SaleRecord = buildSale({
  saleId: 'sale-tea',
  pricesIncludeTax: true,
  completedAt: '2024-03-01T11:40:00.000Z',
  cashierId: 'cashier-1',
  lines: [
    {
      lineId: 'tea',
      name: 'Tea',
      quantity: 2000,
      unitPrice: 350,
      discounts: [{ source: 'manual', scope: 'line', description: 'damaged box', amount: 70 }],
      taxes: [{ taxId: 'vat-10', rate: 100_000, amount: 57 }],
    },
  ],
  voidedLines: [
    {
      lineId: 'cake',
      productId: 'p-cake',
      name: 'Cake',
      quantity: 1000,
      amount: 450,
      voidedBy: 'cashier-1',
      voidedAt: '2024-03-01T11:39:00.000Z',
    },
  ],
  tenders: [{ type: 'gift_card', amount: 630, reference: 'GC-5' }],
});

// One mug of cashSaleEur back: 10.00 with 20 % VAT inside (1.67 on 8.33), in cash.
const mugReturn: ReturnRecord = {
  returnId: 'ret-mug',
  receiptNumber: 'RET-1',
  storeId: 'store-1',
  deviceId: 'till-1',
  shiftId: 'shift-1',
  cashierId: 'cashier-2',
  originalSaleId: 'sale-cash-eur',
  originalReceiptNumber: 'S1-T1-000101',
  currency: 'EUR',
  createdAt: '2024-03-01T12:10:00.000Z',
  lines: [
    {
      returnLineId: 'ret-mug-1',
      originalLineId: 'mug',
      productId: 'p-mug',
      sku: 'sku-p-mug',
      name: 'Mug',
      quantity: 1000,
      total: 1000,
      net: 1000,
      discount: 0,
      taxes: [{ taxId: 'vat-20', name: 'VAT 20%', rate: 200_000, base: 833, amount: 167 }],
      tax: 167,
      disposition: 'restock',
      reason: 'chipped',
    },
  ],
  total: 1000,
  tax: 167,
  taxes: [{ taxId: 'vat-20', name: 'VAT 20%', rate: 200_000, base: 833, amount: 167 }],
  cashRounding: 0,
  refunds: [{ tenderId: 'ret-mug-t1', type: 'cash', amount: 1000 }],
  noReceipt: false,
  approvals: [],
};

const movement = (id: string, kind: CashMovementRecord['kind'], amount: number, at: string): ShiftEvent => ({
  type: 'cash.moved',
  record: {
    movementId: id,
    storeId: 'store-1',
    deviceId: 'till-1',
    shiftId: 'shift-1',
    staffId: 'cashier-1',
    kind,
    currency: 'EUR',
    amount,
    reason: kind,
    at,
    approvals: [],
  },
});

const shiftEvents: ShiftEvent[] = [
  { type: 'shift.opened', record: opened },
  movement('m1', 'paid_in', 500, '2024-03-01T09:00:00.000Z'),
  { type: 'sale.completed', record: cashSaleEur }, // 09:15Z, cashier-1, cash 42.99 (change 7.01)
  movement('m2', 'paid_out', 1200, '2024-03-01T10:00:00.000Z'),
  { type: 'sale.completed', record: splitTenderSale }, // 11:05Z, cashier-2, card 6.00 + cash 4.00 (change 1.00)
  { type: 'sale.completed', record: teaSale }, // 11:40Z, cashier-1, gift card 6.30
  { type: 'return.completed', record: mugReturn }, // 12:10Z, cashier-2, cash 10.00
  movement('m3', 'drop', 2000, '2024-03-01T13:00:00.000Z'),
  movement('m4', 'no_sale', 0, '2024-03-01T13:05:00.000Z'),
];

describe('fixtures', () => {
  it('tea sale is balanced', () => {
    expect(saleRecordProblems(teaSale)).toEqual([]);
  });
  it.each([
    [3000, 3],
    [1000, 1],
    [375, 1],
    [2500, 1],
  ])('itemCount(%i) = %i', (quantity, items) => {
    expect(itemCount(quantity)).toBe(items);
  });
});

describe('shift report of a small shift', () => {
  const report = buildShiftReport(shiftEvents, { kind: 'X', utcOffsetMinutes: 60 });

  it.each([
    ['salesCount', 3],
    ['returnsCount', 1],
    ['itemsSold', 9], // 3 mugs + beans + 3 soaps + 2 teas
    ['itemsReturned', 1],
    ['grossSales', 6199], // 42.99 + 12.00 + 7.00
    ['discounts', 270], // 2.00 + 0.70
    ['discountsReturned', 0],
    ['salesTotal', 5929], // 42.99 + 10.00 + 6.30
    ['returnsTotal', 1000],
    ['netSales', 4929],
    ['salesTax', 842], // 6.18 + 1.67 + 0.57
    ['returnsTax', 167],
    ['netTax', 675],
    ['cashRounding', 0],
    ['averageBasket', 1976], // 59.29 ÷ 3 = 19.763
    ['eventCount', 9],
    ['lastEventAt', '2024-03-01T13:05:00.000Z'],
    ['shiftId', 'shift-1'],
    ['kind', 'X'],
  ] as [keyof ShiftReport, unknown][])('%s = %s', (key, value) => {
    expect(report[key]).toEqual(value);
  });

  it('voids', () => {
    expect(report.voids).toEqual({ lines: 1, amount: 450 });
  });

  it('discounts by source, largest first', () => {
    expect(report.discountsBySource).toEqual([
      { source: 'promotion', promotionId: 'promo-3for10', description: '3 for 10.00', lines: 1, amount: 200 },
      { source: 'manual', description: 'damaged box', lines: 1, amount: 70 },
    ]);
  });

  it('taxes by rate, sales minus returns', () => {
    expect(report.taxes).toEqual([
      {
        taxId: 'vat-20',
        name: 'VAT 20%',
        rate: 200_000,
        salesBase: 3333, // 25.00 + 8.33
        salesAmount: 667, // 5.00 + 1.67
        returnsBase: 833,
        returnsAmount: 167,
        base: 2500,
        amount: 500,
      },
      {
        taxId: 'vat-10',
        name: 'VAT 10%',
        rate: 100_000,
        salesBase: 1754, // 11.81 + 5.73
        salesAmount: 175, // 1.18 + 0.57
        returnsBase: 0,
        returnsAmount: 0,
        base: 1754,
        amount: 175,
      },
    ]);
  });

  it('tenders by type', () => {
    expect(report.tenders).toEqual([
      { type: 'cash', salesCount: 2, sales: 4699, refundsCount: 1, refunds: 1000, net: 3699 },
      { type: 'card', salesCount: 1, sales: 600, refundsCount: 0, refunds: 0, net: 600 },
      { type: 'gift_card', salesCount: 1, sales: 630, refundsCount: 0, refunds: 0, net: 630 },
      { type: 'store_credit', salesCount: 0, sales: 0, refundsCount: 0, refunds: 0, net: 0 },
    ]);
  });

  it('by local hour (UTC+1)', () => {
    expect(report.byHour).toEqual([
      { hour: '2024-03-01T10', salesCount: 1, returnsCount: 0, net: 4299 },
      { hour: '2024-03-01T12', salesCount: 2, returnsCount: 0, net: 1630 },
      { hour: '2024-03-01T13', salesCount: 0, returnsCount: 1, net: -1000 },
    ]);
  });

  it('by hour with an injected hourOf', () => {
    const byHalfDay = buildShiftReport(shiftEvents, {
      kind: 'X',
      hourOf: (iso) => (iso.slice(11, 13) < '12' ? 'morning' : 'noon'),
    });
    expect(byHalfDay.byHour).toEqual([
      { hour: 'morning', salesCount: 3, returnsCount: 0, net: 5929 },
      { hour: 'noon', salesCount: 0, returnsCount: 1, net: -1000 },
    ]);
  });

  it('by cashier', () => {
    expect(report.byCashier).toEqual([
      {
        cashierId: 'cashier-1',
        salesCount: 2,
        sales: 4929,
        returnsCount: 0,
        returns: 0,
        net: 4929,
        voidedLines: 1,
        voidedAmount: 450,
      },
      {
        cashierId: 'cashier-2',
        salesCount: 1,
        sales: 1000,
        returnsCount: 1,
        returns: 1000,
        net: 0,
        voidedLines: 0,
        voidedAmount: 0,
      },
    ]);
  });

  it('expected cash: 150.00 + 46.99 − 10.00 + 5.00 − 12.00 − 20.00 = 159.99', () => {
    expect(report.cash).toEqual({
      openingFloat: 15_000,
      sales: 4699,
      refunds: 1000,
      paidIn: 500,
      paidOut: 1200,
      drops: 2000,
      noSales: 1,
      changeGiven: 801,
      expected: 15_999,
    });
  });
});

describe('refusing inconsistent events', () => {
  const closedRecord: ShiftClosedRecord = {
    shiftId: 'shift-1',
    storeId: 'store-1',
    deviceId: 'till-1',
    closedBy: 'sup-1',
    closedAt: '2024-03-01T18:00:00.000Z',
    currency: 'EUR',
    zNumber: 42,
    cashCount: [],
    tenders: [],
    approvals: [],
  };
  const closedEvent: ShiftEvent = { type: 'shift.closed', record: closedRecord };

  it.each([
    [
      'a sale of another shift',
      [...shiftEvents, { type: 'sale.completed', record: { ...teaSale, saleId: 'x', shiftId: 'shift-9' } }],
    ],
    [
      'a sale in another currency',
      [...shiftEvents, { type: 'sale.completed', record: { ...couponSaleUsd, shiftId: 'shift-1' } }],
    ],
    ['a second opening', [...shiftEvents, { type: 'shift.opened', record: opened }]],
    [
      'an event after the closing',
      [...shiftEvents, closedEvent, movement('m9', 'paid_in', 100, '2024-03-01T17:00:00.000Z')],
    ],
    ['a second closing', [...shiftEvents, closedEvent, closedEvent]],
    [
      'an event timed after the closing',
      [...shiftEvents, movement('m9', 'paid_in', 100, '2024-03-01T19:00:00.000Z'), closedEvent],
    ],
    ['no opening', shiftEvents.slice(1)],
    ['the same sale twice', [...shiftEvents, { type: 'sale.completed', record: cashSaleEur }]],
    ['an unreadable time', [...shiftEvents, movement('m9', 'paid_in', 100, 'yesterday')]],
  ] as [string, ShiftEvent[]][])('refuses %s', (_name, events) => {
    expect(errorOf(() => buildShiftReport(events, { kind: 'Z' })).code).toBe('invalid_shift');
  });

  it('carries the closing record when the events include it', () => {
    expect(buildShiftReport([...shiftEvents, closedEvent], { kind: 'Z' }).closed).toEqual(closedRecord);
  });
});

// ---------------------------------------------------------------------------------------------
// Closing

const supervisor: Actor = { staffId: 'sup-1', role: 'supervisor' };
const cashier: Actor = { staffId: 'cashier-1', role: 'cashier' };
const grant = (permission: Permission, approverRole: Role = 'manager') => ({
  record: {
    approvalId: `ap-${permission}`,
    permission,
    requestedBy: 'sup-1',
    approvedBy: 'mgr-1',
    approvedAt: '2024-03-01T18:00:00.000Z',
  } satisfies ApprovalRecord,
  approverRole,
});

// 2 × 50.00 + 2 × 20.00 + 10.00 + 5.00 + 2 × 2.00 + 0.50 + 2 × 0.20 = 159.90, 0.09 short of 159.99.
const countShort = [
  { value: 5000, count: 2 },
  { value: 20, count: 2 },
  { value: 2000, count: 2 },
  { value: 1000, count: 1 },
  { value: 500, count: 1 },
  { value: 200, count: 2 },
  { value: 50, count: 1 },
];

describe('closing a shift', () => {
  const z = buildShiftReport(shiftEvents, { kind: 'Z', utcOffsetMinutes: 60 });
  const close = (extra: Partial<CloseShiftInput> = {}) =>
    closeShift({
      report: z,
      count: { cash: countShort, others: [{ type: 'card', counted: 600 }] },
      policy: { varianceThreshold: 500 },
      actor: supervisor,
      zNumber: 42,
      previousZNumber: 41,
      closedAt: '2024-03-01T18:00:00.000Z',
      ...extra,
    });

  it('compares the blind count with what was expected, per tender', () => {
    expect(close()).toEqual({
      shiftId: 'shift-1',
      storeId: 'store-1',
      deviceId: 'till-1',
      closedBy: 'sup-1',
      closedAt: '2024-03-01T18:00:00.000Z',
      currency: 'EUR',
      zNumber: 42,
      cashCount: [
        { value: 5000, count: 2 },
        { value: 2000, count: 2 },
        { value: 1000, count: 1 },
        { value: 500, count: 1 },
        { value: 200, count: 2 },
        { value: 50, count: 1 },
        { value: 20, count: 2 },
      ],
      tenders: [
        { type: 'cash', expected: 15_999, counted: 15_990, variance: -9 },
        { type: 'card', expected: 600, counted: 600, variance: 0 },
      ],
      approvals: [],
    });
  });

  it.each([
    ['a cashier without approval', { actor: cashier }, 'permission_denied'],
    ['a cashier with a manager approval', { actor: cashier, approvals: [grant('shift.close')] }, undefined],
    ['a variance of −9.99 over 5.00', { count: { cash: [{ value: 5000, count: 3 }] } }, 'permission_denied'],
    [
      'a variance of −9.99 accepted by a manager',
      { count: { cash: [{ value: 5000, count: 3 }] }, approvals: [grant('shift.accept_variance')] },
      undefined,
    ],
    [
      'a variance accepted by a supervisor',
      {
        count: { cash: [{ value: 5000, count: 3 }] },
        approvals: [grant('shift.accept_variance', 'supervisor')],
      },
      'approval_invalid',
    ],
    [
      'a card count 1.00 over, within 5.00',
      { count: { cash: countShort, others: [{ type: 'card' as const, counted: 700 }] } },
      undefined,
    ],
    ['a gap in Z numbers', { zNumber: 43 }, 'invalid_shift'],
    ['a repeated Z number', { zNumber: 41 }, 'invalid_shift'],
    ['a closing before the last event', { closedAt: '2024-03-01T13:00:00.000Z' }, 'invalid_shift'],
    ['an X report', { report: { ...z, kind: 'X' as const } }, 'invalid_shift'],
    ['a negative count', { count: { cash: [{ value: 5000, count: -1 }] } }, 'invalid_quantity'],
    ['a zero denomination', { count: { cash: [{ value: 0, count: 1 }] } }, 'invalid_quantity'],
    [
      'card counted twice',
      {
        count: {
          cash: countShort,
          others: [
            { type: 'card' as const, counted: 1 },
            { type: 'card' as const, counted: 1 },
          ],
        },
      },
      'invalid_shift',
    ],
  ] as [string, Partial<CloseShiftInput>, string | undefined][])('%s', (_name, extra, code) => {
    if (code === undefined) expect(close(extra).zNumber).toBe(42);
    else expect(errorOf(() => close(extra)).code).toBe(code);
  });

  it('names the variance when it needs a manager', () => {
    const error = errorOf(() => close({ count: { cash: [{ value: 5000, count: 3 }] } }));
    expect(error.message).toBe(
      "The cash count is -9.99 off what was expected; a variance over 5.00 needs a manager's approval.",
    );
  });

  it('records the approvals used', () => {
    const record = close({
      actor: cashier,
      count: { cash: [{ value: 5000, count: 3 }] },
      approvals: [grant('shift.close'), grant('shift.accept_variance'), grant('price.override')],
    });
    expect(record.approvals.map((a) => a.permission)).toEqual(['shift.close', 'shift.accept_variance']);
    expect(record.tenders).toEqual([{ type: 'cash', expected: 15_999, counted: 15_000, variance: -999 }]);
  });

  it('cannot close a shift twice', () => {
    const closed = close();
    const again = buildShiftReport([...shiftEvents, { type: 'shift.closed', record: closed }], { kind: 'Z' });
    expect(errorOf(() => close({ report: again, zNumber: 43, previousZNumber: 42 })).code).toBe(
      'invalid_shift',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over generated shifts

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

describe('properties', () => {
  const shiftArb = fc.record({
    seed: fc.integer(),
    sales: fc.integer({ min: 0, max: 60 }),
    currency: fc.constantFrom('EUR', 'CHF'),
  });

  it('generated sales are balanced', () => {
    fc.assert(
      fc.property(shiftArb, ({ seed, sales, currency }) => {
        for (const e of generateShiftEvents(seed, { sales, currency })) {
          if (e.type === 'sale.completed') expect(saleRecordProblems(e.record)).toEqual([]);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('Σ tenders in − refunds out = net sales + cash rounding', () => {
    fc.assert(
      fc.property(shiftArb, ({ seed, sales, currency }) => {
        const report = buildShiftReport(generateShiftEvents(seed, { sales, currency }), { kind: 'Z' });
        const tendered = report.tenders.reduce((sum, t) => sum + t.sales - t.refunds, 0);
        expect(tendered).toBe(report.netSales + report.cashRounding);
        expect(report.taxes.reduce((sum, t) => sum + t.amount, 0)).toBe(report.netTax);
        expect(report.byHour.reduce((sum, h) => sum + h.net, 0)).toBe(report.netSales);
        expect(report.byCashier.reduce((sum, c) => sum + c.net, 0)).toBe(report.netSales);
        expect(report.byCashier.reduce((sum, c) => sum + c.salesCount, 0)).toBe(report.salesCount);
      }),
      { numRuns: 100 },
    );
  });

  it('the Z report does not depend on the order of the events', () => {
    fc.assert(
      fc.property(shiftArb, fc.integer(), ({ seed, sales, currency }, shuffleSeed) => {
        const events = generateShiftEvents(seed, { sales, currency });
        const [first, ...rest] = events;
        const reordered = [...rest.slice().reverse(), ...(first === undefined ? [] : [first])];
        const options = { kind: 'Z' as const, utcOffsetMinutes: 60 };
        const report = buildShiftReport(events, options);
        expect(JSON.stringify(buildShiftReport(shuffled(events, shuffleSeed), options))).toBe(
          JSON.stringify(report),
        );
        expect(buildShiftReport(reordered, options)).toEqual(report);
        expect(JSON.stringify(buildShiftReport(events, options))).toBe(JSON.stringify(report));
      }),
      { numRuns: 100 },
    );
  });
});
