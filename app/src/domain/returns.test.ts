import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import { allocate, cashRoundingFor, extendPrice, roundCash } from './money.ts';
import type { Actor, ApprovalRecord, GrantedApproval, Permission, Role } from './permissions.ts';
import type { AppliedDiscount, ReturnRecord, SaleRecord, TenderType } from './records.ts';
import {
  buildReturnLedger,
  netExchange,
  planReturn,
  returnableQuantity,
  type NoReceiptRequestLine,
  type ReceiptReturnInput,
  type ReturnPolicy,
  type ReturnRequestLine,
} from './returns.ts';
import {
  buildSale,
  cashSaleChf,
  cashSaleEur,
  couponSaleUsd,
  returnRecordProblems,
  saleRecordProblems,
  splitTenderSale,
  type LineSpec,
  type TenderSpec,
} from './test-fixtures.ts';

const cashier: Actor = { staffId: 'cashier-9', role: 'cashier' };
const supervisor: Actor = { staffId: 'sup-1', role: 'supervisor' };
const manager: Actor = { staffId: 'mgr-1', role: 'manager' };

const policy: ReturnPolicy = {
  windowDays: 30,
  noReceipt: { enabled: true, refundTo: 'store_credit', maxAmount: 5000, requiresPermission: true },
};

const approval = (permission: Permission, approverRole: Role = 'manager'): GrantedApproval => ({
  record: {
    approvalId: `ap-${permission}`,
    permission,
    requestedBy: cashier.staffId,
    approvedBy: 'mgr-1',
    approvedAt: '2024-03-05T10:00:00.000Z',
  } satisfies ApprovalRecord,
  approverRole,
});

function ids(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

let returnCounter = 0;
function receiptReturn(
  sale: SaleRecord,
  lines: readonly ReturnRequestLine[],
  priorReturns: readonly ReturnRecord[] = [],
  extra: Partial<ReceiptReturnInput> = {},
): ReturnRecord {
  returnCounter += 1;
  return planReturn({
    returnId: `ret-${returnCounter}`,
    receiptNumber: `RET-${returnCounter}`,
    newId: ids(`ret-${returnCounter}`),
    now: '2024-03-05T10:00:00.000Z',
    storeId: 'store-1',
    deviceId: 'till-2',
    shiftId: 'shift-2',
    actor: cashier,
    policy,
    original: sale,
    lines,
    priorReturns,
    ...extra,
  });
}

const ret = (lineId: string, quantity: number): ReturnRequestLine => ({
  lineId,
  quantity,
  disposition: 'restock',
  reason: 'changed mind',
});

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

const refundsOf = (r: ReturnRecord) => r.refunds.map((t) => [t.type, t.reference ?? null, t.amount]);
const linesOf = (r: ReturnRecord) =>
  r.lines.map((l) => [l.originalLineId, l.quantity, l.total, l.net, l.discount, l.tax]);

describe('fixtures', () => {
  it.each([cashSaleEur, splitTenderSale, couponSaleUsd, cashSaleChf])('$saleId is balanced', (sale) => {
    expect(saleRecordProblems(sale)).toEqual([]);
  });
});

describe('full return with receipt', () => {
  it('refunds every line as charged, in cash', () => {
    const r = receiptReturn(cashSaleEur, [ret('mug', 3000), ret('beans', 1000)]);
    expect(linesOf(r)).toEqual([
      ['mug', 3000, 3000, 3000, 0, 500],
      ['beans', 1000, 1299, 1299, 0, 118],
    ]);
    expect(r.total).toBe(4299);
    expect(r.tax).toBe(618);
    expect(r.taxes).toEqual([
      { taxId: 'vat-20', name: 'VAT 20%', rate: 200_000, base: 2500, amount: 500 },
      { taxId: 'vat-10', name: 'VAT 10%', rate: 100_000, base: 1181, amount: 118 },
    ]);
    expect(refundsOf(r)).toEqual([['cash', null, 4299]]);
    expect(r.cashRounding).toBe(0);
    expect(r.originalSaleId).toBe('sale-cash-eur');
    expect(r.originalReceiptNumber).toBe('S1-T1-000101');
    expect(r.cashierId).toBe('cashier-9');
    expect(r.shiftId).toBe('shift-2');
    expect(r.noReceipt).toBe(false);
    expect(r.approvals).toEqual([]);
    expect(returnRecordProblems(r, true)).toEqual([]);
  });
});

describe('partial returns in three steps', () => {
  // soap: 3 units, total 10.00 (after 2.00 off), VAT 1.67 on base 8.33; paid card 6.00 + cash 4.00.
  // Cumulative thirds: total 333 / 667 / 1000, tax 56 / 111 / 167, base 278 / 555 / 833,
  // discount 67 / 133 / 200. Refunds: card first (6.00), then cash.
  it.each([
    [1, [['soap', 1000, 333, 333, 67, 56]], [['card', 'TXN-555', 333]], [278]],
    [
      2,
      [['soap', 1000, 334, 334, 66, 55]],
      [
        ['card', 'TXN-555', 267],
        ['cash', null, 67],
      ],
      [277],
    ],
    [3, [['soap', 1000, 333, 333, 67, 56]], [['cash', null, 333]], [278]],
  ])('step %i', (step, lines, refunds, bases) => {
    const prior: ReturnRecord[] = [];
    for (let i = 1; i < step; i++) prior.push(receiptReturn(splitTenderSale, [ret('soap', 1000)], prior));
    const r = receiptReturn(splitTenderSale, [ret('soap', 1000)], prior);
    expect(linesOf(r)).toEqual(lines);
    expect(refundsOf(r)).toEqual(refunds);
    expect(r.lines[0]?.taxes.map((t) => t.base)).toEqual(bases);
    expect(returnRecordProblems(r, true)).toEqual([]);
  });

  it('three steps add up exactly to what was paid, tender by tender', () => {
    const prior: ReturnRecord[] = [];
    for (let i = 0; i < 3; i++) prior.push(receiptReturn(splitTenderSale, [ret('soap', 1000)], prior));
    const paid = (type: TenderType) =>
      prior.flatMap((r) => r.refunds).reduce((s, t) => s + (t.type === type ? t.amount : 0), 0);
    expect([paid('card'), paid('cash')]).toEqual([600, 400]);
    expect(prior.reduce((s, r) => s + r.tax, 0)).toBe(167);
    expect(prior.reduce((s, r) => s + (r.lines[0]?.discount ?? 0), 0)).toBe(200);
    expect(returnableQuantity(buildReturnLedger(splitTenderSale, prior), 'soap')).toBe(0);
  });
});

describe('order discount and two taxes, split gift card + card (USD, tax on top)', () => {
  // shirt: net 37.50 (5.00 promo + 7.50 coupon share off 50.00), state 2.25, county 0.94.
  // socks: net 12.50 (2.50 coupon share), state 0.75, county 0.31. Gift card 20.00, card 34.25.
  it.each([
    [
      'first shirt',
      [ret('shirt', 1000)],
      // net 37.50 / 2 = 18.75; state 2.25 / 2 = 1.125 → 1.13; county 0.94 / 2 = 0.47; discount 6.25
      [['shirt', 1000, 2035, 1875, 625, 160]],
      [
        { taxId: 'us-state', base: 1875, amount: 113 },
        { taxId: 'us-county', base: 1875, amount: 47 },
      ],
      // gift card first (20.00), the rest to the card
      [
        ['gift_card', 'GC-1', 2000],
        ['card', 'TXN-9', 35],
      ],
    ],
    [
      'second shirt',
      [ret('shirt', 1000)],
      [['shirt', 1000, 2034, 1875, 625, 159]],
      [
        { taxId: 'us-state', base: 1875, amount: 112 },
        { taxId: 'us-county', base: 1875, amount: 47 },
      ],
      [['card', 'TXN-9', 2034]],
    ],
    [
      'socks',
      [ret('socks', 3000)],
      [['socks', 3000, 1356, 1250, 250, 106]],
      [
        { taxId: 'us-state', base: 1250, amount: 75 },
        { taxId: 'us-county', base: 1250, amount: 31 },
      ],
      [['card', 'TXN-9', 1356]],
    ],
  ])('%s', (name, request, lines, taxes, refunds) => {
    const steps = ['first shirt', 'second shirt', 'socks'];
    const prior: ReturnRecord[] = [];
    const requests = [[ret('shirt', 1000)], [ret('shirt', 1000)], [ret('socks', 3000)]];
    for (let i = 0; i < steps.indexOf(name); i++)
      prior.push(receiptReturn(couponSaleUsd, requests[i] ?? [], prior));
    const r = receiptReturn(couponSaleUsd, request, prior);
    expect(linesOf(r)).toEqual(lines);
    expect(r.taxes.map((t) => ({ taxId: t.taxId, base: t.base, amount: t.amount }))).toEqual(taxes);
    expect(refundsOf(r)).toEqual(refunds);
    expect(r.customerId).toBe('cust-7');
    expect(r.refunds.find((t) => t.type === 'card')).toMatchObject({
      cardBrand: 'MASTERCARD',
      cardLast4: '0005',
    });
    expect(returnRecordProblems(r, false)).toEqual([]);
  });

  it('a custom tender order refunds the card first', () => {
    const r = receiptReturn(couponSaleUsd, [ret('shirt', 1000)], [], {
      policy: { ...policy, tenderOrder: ['card', 'gift_card'] },
    });
    expect(refundsOf(r)).toEqual([['card', 'TXN-9', 2035]]);
  });
});

describe('cash rounding (CHF, 0.05)', () => {
  // Sale 20.01 collected as 20.00 (rounding −0.01).
  it('rounds the full return to the cash that was taken', () => {
    const r = receiptReturn(cashSaleChf, [ret('scarf', 1000), ret('gloves', 2000)]);
    expect(r.total).toBe(2001);
    expect(refundsOf(r)).toEqual([['cash', null, 2000]]);
    expect(r.cashRounding).toBe(-1);
    expect(returnRecordProblems(r, true)).toEqual([]);
  });

  it('rounds cumulatively over two returns: 10.03 → 10.05, then 20.01 − 10.05 → 9.95', () => {
    const first = receiptReturn(cashSaleChf, [ret('scarf', 1000)]);
    expect([first.total, first.cashRounding, refundsOf(first)]).toEqual([1003, 2, [['cash', null, 1005]]]);
    const second = receiptReturn(cashSaleChf, [ret('gloves', 2000)], [first]);
    expect([second.total, second.cashRounding, refundsOf(second)]).toEqual([998, -3, [['cash', null, 995]]]);
  });

  // Found by the partial-returns property: a return whose cash rounds to 0.00 writes no cash line,
  // and the ledger used to forget the 0.01 it still owed, so the last return paid 0.00, not 0.05.
  it('counts a return whose cash rounded to nothing: 0.03 taken as 0.05, returned 0.01 then 0.02', () => {
    const tiny = buildSale({
      saleId: 'sale-tiny',
      receiptNumber: 'S3-T1-000008',
      currency: 'CHF',
      pricesIncludeTax: true,
      completedAt: '2024-03-03T12:00:00.000Z',
      lines: [{ lineId: 'sweet', name: 'Sweet', quantity: 3000, unitPrice: 1, taxes: [] }],
      tenders: [{ type: 'cash', amount: 5, received: 5 }],
    });
    expect([tiny.total, tiny.cashRounding]).toEqual([3, 2]);
    const first = receiptReturn(tiny, [ret('sweet', 1000)]);
    expect([first.total, first.cashRounding, refundsOf(first)]).toEqual([1, -1, []]);
    const second = receiptReturn(tiny, [ret('sweet', 2000)], [first]);
    expect([second.total, second.cashRounding, refundsOf(second)]).toEqual([2, 3, [['cash', null, 5]]]);
  });
});

describe('return without a receipt', () => {
  const sweater: NoReceiptRequestLine = {
    productId: 'p-sweater',
    sku: 'SW-1',
    name: 'Sweater',
    categoryId: 'knitwear',
    unit: 'each',
    quantity: 1000,
    lowestRecentUnitPrice: 1999,
    taxes: [{ taxId: 'vat-20', name: 'VAT 20%', rate: 200_000 }],
    disposition: 'restock',
    reason: 'gift',
  };
  const noReceipt = (
    actor: Actor,
    lines: readonly NoReceiptRequestLine[],
    extra: {
      approvals?: readonly GrantedApproval[];
      currency?: string;
      pricesIncludeTax?: boolean;
      policy?: ReturnPolicy;
    } = {},
  ) =>
    planReturn({
      returnId: 'nr-1',
      receiptNumber: 'NR-1',
      newId: ids('nr'),
      now: '2024-03-05T10:00:00.000Z',
      storeId: 'store-1',
      deviceId: 'till-2',
      shiftId: 'shift-2',
      actor,
      policy: extra.policy ?? policy,
      original: null,
      currency: extra.currency ?? 'EUR',
      pricesIncludeTax: extra.pricesIncludeTax ?? true,
      lines,
      storeCreditReference: 'SC-77',
      ...(extra.approvals === undefined ? {} : { approvals: extra.approvals }),
    });

  it.each([
    ['cashier alone', cashier, [], 'permission_denied'],
    ['cashier with a supervisor approval', cashier, [approval('return.no_receipt', 'supervisor')], undefined],
    [
      'cashier with an approval for something else',
      cashier,
      [approval('price.override')],
      'permission_denied',
    ],
    ['supervisor', supervisor, [], undefined],
  ] as [string, Actor, GrantedApproval[], string | undefined][])('%s', (_name, actor, approvals, code) => {
    if (code !== undefined) {
      expect(errorOf(() => noReceipt(actor, [sweater], { approvals })).code).toBe(code);
      return;
    }
    const r = noReceipt(actor, [sweater], { approvals });
    // 19.99 incl. 20 %: base 19.99 ÷ 1.2 = 16.658 → 16.66, VAT 3.33; to store credit SC-77.
    expect(linesOf(r)).toEqual([[undefined, 1000, 1999, 1999, 0, 333]]);
    expect(r.taxes).toEqual([{ taxId: 'vat-20', name: 'VAT 20%', rate: 200_000, base: 1666, amount: 333 }]);
    expect(refundsOf(r)).toEqual([['store_credit', 'SC-77', 1999]]);
    expect(r.noReceipt).toBe(true);
    expect(r.originalSaleId).toBeUndefined();
    expect(r.approvals).toEqual(approvals.map((a) => a.record));
  });

  it('refuses more than the limit: 3 × 19.99 = 59.97 > 50.00', () => {
    const error = errorOf(() => noReceipt(supervisor, [{ ...sweater, quantity: 3000 }]));
    expect(error.code).toBe('return_over_limit');
    expect(error.message).toContain('50.00');
    expect(error.message).toContain('59.97');
  });

  it('refuses when the store takes no such returns', () => {
    const closed = { ...policy, noReceipt: { ...policy.noReceipt, enabled: false } };
    expect(errorOf(() => noReceipt(manager, [sweater], { policy: closed })).code).toBe('not_returnable');
  });

  it('pays cash with CHF rounding when the policy says cash: 10.03 → 10.05', () => {
    const cash = { ...policy, noReceipt: { ...policy.noReceipt, refundTo: 'cash' as const } };
    const r = noReceipt(supervisor, [{ ...sweater, lowestRecentUnitPrice: 1003, taxes: [] }], {
      policy: cash,
      currency: 'CHF',
    });
    expect([r.total, r.cashRounding, refundsOf(r)]).toEqual([1003, 2, [['cash', null, 1005]]]);
  });

  it.each([
    // tax on top: 10.00 + 6 % 0.60 + 2.5 % 0.25 = 10.85
    [false, 1000, 1085, 85, [60, 25], [1000, 1000]],
    // tax inside 10.85 at 8.5 %: base 10.00, tax 0.85 split 60 : 25
    [true, 1085, 1085, 85, [60, 25], [1000, 1000]],
  ])('two taxes, prices include tax %s', (inclusive, price, total, tax, amounts, bases) => {
    const r = noReceipt(
      supervisor,
      [
        {
          ...sweater,
          lowestRecentUnitPrice: price,
          taxes: [
            { taxId: 'us-state', name: 'State', rate: 60_000 },
            { taxId: 'us-county', name: 'County', rate: 25_000 },
          ],
        },
      ],
      { pricesIncludeTax: inclusive, currency: 'USD' },
    );
    expect([r.total, r.tax]).toEqual([total, tax]);
    expect(r.taxes.map((t) => t.amount)).toEqual(amounts);
    expect(r.taxes.map((t) => t.base)).toEqual(bases);
    expect(returnRecordProblems(r, inclusive)).toEqual([]);
  });
});

describe('return window', () => {
  // cashSaleEur was completed 2024-03-01T09:15Z; the window is 30 days.
  it.each([
    ['exactly 30 days later', '2024-03-31T09:15:00.000Z', cashier, [], undefined, 0],
    ['45 days later, cashier alone', '2024-04-15T09:15:00.000Z', cashier, [], 'return_window_expired', 0],
    [
      '45 days later, manager approval',
      '2024-04-15T09:15:00.000Z',
      cashier,
      [approval('return.beyond_window')],
      undefined,
      1,
    ],
    [
      '45 days later, supervisor approval',
      '2024-04-15T09:15:00.000Z',
      cashier,
      [approval('return.beyond_window', 'supervisor')],
      'approval_invalid',
      0,
    ],
    ['45 days later, manager at the till', '2024-04-15T09:15:00.000Z', manager, [], undefined, 0],
  ] as [string, string, Actor, GrantedApproval[], string | undefined, number][])(
    '%s',
    (_name, now, actor, approvals, code, recorded) => {
      const run = () => receiptReturn(cashSaleEur, [ret('mug', 1000)], [], { now, actor, approvals });
      if (code !== undefined) {
        const error = errorOf(run);
        expect(error.code).toBe(code);
        if (code === 'return_window_expired') {
          expect(error.params).toMatchObject({ days: 45, windowDays: 30 });
          expect(error.message).toContain('45 days old');
        }
        return;
      }
      expect(run().approvals).toHaveLength(recorded);
    },
  );

  it('has no limit when windowDays is null', () => {
    const r = receiptReturn(cashSaleEur, [ret('mug', 1000)], [], {
      now: '2030-01-01T00:00:00.000Z',
      policy: { ...policy, windowDays: null },
    });
    expect(r.total).toBe(1000);
  });
});

describe('refusals and the ledger', () => {
  const twoMugsBack = receiptReturn(cashSaleEur, [ret('mug', 2000)]);

  it('refuses an over-return and names what is left', () => {
    const error = errorOf(() => receiptReturn(cashSaleEur, [ret('mug', 2000)], [twoMugsBack]));
    expect(error.code).toBe('return_exceeds_purchased');
    expect(error.message).toBe('Only 1 of Mug can still be returned (3 bought, 2 already returned).');
    expect(error.params).toMatchObject({ remaining: '1', requested: '2' });
  });

  it('counts earlier entries of the same return', () => {
    const error = errorOf(() => receiptReturn(cashSaleEur, [ret('mug', 2000), ret('mug', 2000)]));
    expect(error.code).toBe('return_exceeds_purchased');
    expect(error.params).toMatchObject({ remaining: '1' });
  });

  it('says when a line is already back in full', () => {
    const all = receiptReturn(cashSaleEur, [ret('mug', 3000)]);
    expect(errorOf(() => receiptReturn(cashSaleEur, [ret('mug', 1000)], [all])).message).toBe(
      'Mug has already been returned in full.',
    );
  });

  it.each([
    ['unknown line', [ret('kettle', 1000)], 'unknown_line'],
    ['zero quantity', [ret('mug', 0)], 'invalid_quantity'],
    ['half a mug', [ret('mug', 500)], 'invalid_quantity'],
    ['nothing', [], 'invalid_return'],
  ] as [string, ReturnRequestLine[], string][])('refuses %s', (_name, lines, code) => {
    expect(errorOf(() => receiptReturn(cashSaleEur, lines)).code).toBe(code);
  });

  it('refuses non-returnable categories', () => {
    const r = () =>
      receiptReturn(cashSaleEur, [ret('mug', 1000)], [], {
        policy: { ...policy, nonReturnableCategoryIds: ['general'] },
      });
    expect(errorOf(r).code).toBe('not_returnable');
  });

  it('refuses replaying a return already in the ledger', () => {
    const error = errorOf(() =>
      receiptReturn(cashSaleEur, [ret('mug', 1000)], [twoMugsBack], { returnId: twoMugsBack.returnId }),
    );
    expect(error.code).toBe('invalid_return');
  });

  it('counts a replicated return once and ignores returns of other sales', () => {
    const other = receiptReturn(splitTenderSale, [ret('soap', 1000)]);
    const ledger = buildReturnLedger(cashSaleEur, [twoMugsBack, twoMugsBack, other]);
    expect(returnableQuantity(ledger, 'mug')).toBe(1000);
    expect(returnableQuantity(ledger, 'beans')).toBe(1000);
    expect(ledger.tenders).toEqual([{ key: 'cash', type: 'cash', paid: 4299, refunded: 2000 }]);
    expect(ledger.returnIds.size).toBe(1);
    expect(errorOf(() => returnableQuantity(ledger, 'kettle')).code).toBe('unknown_line');
  });

  it('returns measured goods by the gram and prorates', () => {
    // 1.250 kg at 8.00/kg = 10.00, VAT 10 % inside: 0.909 → 0.91. Return 0.500 kg: 4.00, tax 0.364 → 0.36.
    const cheese = buildSale({
      saleId: 'sale-cheese',
      pricesIncludeTax: true,
      lines: [
        {
          lineId: 'cheese',
          name: 'Cheese',
          unit: 'kg',
          quantity: 1250,
          unitPrice: 800,
          taxes: [{ taxId: 'vat-10', rate: 100_000, amount: 91 }],
        },
      ],
      tenders: [{ type: 'card', amount: 1000, reference: 'TXN-1' }],
    });
    const r = receiptReturn(cheese, [ret('cheese', 500)]);
    expect(linesOf(r)).toEqual([['cheese', 500, 400, 400, 0, 36]]);
    expect(errorOf(() => receiptReturn(cheese, [ret('cheese', 800)], [r])).message).toBe(
      'Only 0.75 of Cheese can still be returned (1.25 bought, 0.5 already returned).',
    );
  });
});

describe('exchange', () => {
  const shirtBack = receiptReturn(couponSaleUsd, [ret('shirt', 1000)]); // 20.35
  it.each([
    ['dearer replacement', 5000, 2035, 2965, 0],
    ['cheaper replacement', 1000, 1000, 0, 1035],
    ['even exchange', 2035, 2035, 0, 0],
  ])('%s', (_name, newTotal, applied, pays, back) => {
    expect(netExchange(shirtBack, { total: newTotal, currency: 'USD' })).toEqual({
      returnTotal: 2035,
      newSaleTotal: newTotal,
      appliedToNewSale: applied,
      customerPays: pays,
      customerGetsBack: back,
    });
  });
  it('refuses another currency', () => {
    expect(errorOf(() => netExchange(shirtBack, { total: 100, currency: 'EUR' })).code).toBe(
      'currency_mismatch',
    );
  });
  it('records the exchange sale', () => {
    expect(
      receiptReturn(cashSaleEur, [ret('mug', 1000)], [], { exchangeSaleId: 'sale-new' }).exchangeSaleId,
    ).toBe('sale-new');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over generated sales

const taxIds = ['vat-20', 'vat-10'] as const;

const lineArb = fc.record({
  weighed: fc.boolean(),
  units: fc.integer({ min: 1, max: 12 }),
  grams: fc.integer({ min: 1, max: 5000 }),
  unitPrice: fc.integer({ min: 0, max: 50_000 }),
  linePermille: fc.integer({ min: 0, max: 500 }),
  orderPermille: fc.integer({ min: 0, max: 300 }),
  taxPermille: fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 2 }),
});

const tenderArb = fc.record({
  type: fc.constantFrom<TenderType>('card', 'gift_card', 'store_credit', 'card'),
  weight: fc.integer({ min: 1, max: 100 }),
  ref: fc.integer({ min: 1, max: 2 }),
});

const saleArb = fc
  .record({
    currency: fc.constantFrom('EUR', 'CHF'),
    pricesIncludeTax: fc.boolean(),
    lines: fc.array(lineArb, { minLength: 1, maxLength: 5 }),
    tenders: fc.array(tenderArb, { maxLength: 3 }),
    cash: fc.boolean(),
    cashWeight: fc.integer({ min: 1, max: 100 }),
    extraReceived: fc.integer({ min: 0, max: 5000 }),
  })
  .map((g): SaleRecord => {
    const lines: LineSpec[] = g.lines.map((l, i) => {
      const quantity = l.weighed ? l.grams : l.units * 1000;
      const gross = extendPrice(l.unitPrice, quantity, 'half-up');
      const lineOff = Math.floor((gross * l.linePermille) / 1000);
      const orderOff = Math.floor(((gross - lineOff) * l.orderPermille) / 1000);
      const net = gross - lineOff - orderOff;
      return {
        lineId: `l${i}`,
        unit: l.weighed ? 'kg' : 'each',
        quantity,
        unitPrice: l.unitPrice,
        discounts: (
          [
            { source: 'manual', scope: 'line', description: 'line', amount: lineOff },
            {
              source: 'promotion',
              promotionId: 'order',
              scope: 'order',
              description: 'order',
              amount: orderOff,
            },
          ] satisfies AppliedDiscount[]
        ).filter((d) => d.amount > 0),
        taxes: l.taxPermille.map((p, t) => ({
          taxId: taxIds[t] ?? 'vat-0',
          rate: 100_000,
          amount: Math.floor((net * p) / 1000),
        })),
      };
    });
    const draft = buildSale({ saleId: 'gen', pricesIncludeTax: g.pricesIncludeTax, lines, tenders: [] });
    const weights = [...g.tenders.map((t) => t.weight), ...(g.cash ? [g.cashWeight] : [])];
    const parts = weights.length === 0 ? [] : allocate(draft.total, weights);
    const tenders: TenderSpec[] = [];
    g.tenders.forEach((t, i) => {
      const amount = parts[i] ?? 0;
      if (amount > 0) tenders.push({ type: t.type, amount, reference: `${t.type}-${t.ref}` });
    });
    const cashDue = g.cash ? (parts[parts.length - 1] ?? 0) : 0;
    if (cashDue > 0) {
      const cash = roundCash(cashDue, cashRoundingFor(g.currency)).amount;
      if (cash > 0) tenders.push({ type: 'cash', amount: cash, received: cash + g.extraReceived });
      else tenders.push({ type: 'card', amount: cashDue, reference: 'card-9' });
    }
    if (tenders.length === 0 && draft.total > 0)
      tenders.push({ type: 'card', amount: draft.total, reference: 'card-1' });
    return buildSale({
      saleId: 'gen',
      currency: g.currency,
      pricesIncludeTax: g.pricesIncludeTax,
      lines,
      tenders,
      completedAt: '2024-03-04T10:00:00.000Z',
    });
  });

const keyOf = (t: { type: TenderType; reference?: string }) =>
  t.type === 'cash' ? 'cash' : `${t.type}:${t.reference ?? ''}`;
function byTender(
  tenders: readonly { type: TenderType; reference?: string; amount: number }[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tenders) out[keyOf(t)] = (out[keyOf(t)] ?? 0) + t.amount;
  return out;
}
function taxById(records: readonly { taxes: readonly { taxId: string; amount: number; base: number }[] }[]) {
  const out: Record<string, [number, number]> = {};
  for (const r of records)
    for (const t of r.taxes) {
      const [amount, base] = out[t.taxId] ?? [0, 0];
      out[t.taxId] = [amount + t.amount, base + t.base];
    }
  return out;
}

describe('properties', () => {
  it('generated sales are balanced', () => {
    fc.assert(fc.property(saleArb, (sale) => saleRecordProblems(sale).length === 0));
  });

  it('a full return refunds exactly what was charged, tender by tender', () => {
    fc.assert(
      fc.property(saleArb, (sale) => {
        const r = receiptReturn(
          sale,
          sale.lines.map((l) => ret(l.lineId, l.quantity)),
        );
        expect(returnRecordProblems(r, sale.pricesIncludeTax)).toEqual([]);
        expect(r.total).toBe(sale.total);
        expect(r.tax).toBe(sale.tax);
        expect(r.cashRounding).toBe(sale.cashRounding);
        expect(byTender(r.refunds)).toEqual(byTender(sale.tenders.filter((t) => t.amount > 0)));
        expect(taxById([r])).toEqual(taxById([sale]));
      }),
      { numRuns: 300 },
    );
  });

  it('partial returns never exceed the original, and all of them add up to it exactly', () => {
    fc.assert(
      fc.property(
        saleArb,
        fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 5, maxLength: 5 }), {
          maxLength: 6,
        }),
        (sale, steps) => {
          const returns: ReturnRecord[] = [];
          const returned = new Map<string, number>();
          const plan = [
            ...steps.map((permilles) => ({ permilles, last: false })),
            { permilles: [], last: true },
          ];
          for (const { permilles, last } of plan) {
            const request: ReturnRequestLine[] = [];
            sale.lines.forEach((line, i) => {
              const left = line.quantity - (returned.get(line.lineId) ?? 0);
              let q = last ? left : Math.floor((left * (permilles[i] ?? 0)) / 1000);
              if (line.unit === 'each') q -= q % 1000;
              if (q > 0) request.push(ret(line.lineId, q));
            });
            if (request.length === 0) continue;
            const r = receiptReturn(sale, request, returns);
            expect(returnRecordProblems(r, sale.pricesIncludeTax)).toEqual([]);
            returns.push(r);
            for (const l of r.lines)
              returned.set(l.originalLineId ?? '', (returned.get(l.originalLineId ?? '') ?? 0) + l.quantity);

            // never more than the original, per line and per tender
            for (const line of sale.lines) {
              const back = returns.flatMap((x) => x.lines).filter((l) => l.originalLineId === line.lineId);
              expect(back.reduce((s, l) => s + l.quantity, 0)).toBeLessThanOrEqual(line.quantity);
              expect(back.reduce((s, l) => s + l.total, 0)).toBeLessThanOrEqual(line.total);
              expect(back.reduce((s, l) => s + l.tax, 0)).toBeLessThanOrEqual(line.tax);
              for (const tax of line.taxes) {
                const t = back.flatMap((l) => l.taxes).filter((x) => x.taxId === tax.taxId);
                expect(t.reduce((s, x) => s + x.amount, 0)).toBeLessThanOrEqual(tax.amount);
              }
            }
            const paid = byTender(sale.tenders);
            for (const [key, amount] of Object.entries(byTender(returns.flatMap((x) => x.refunds)))) {
              expect(amount).toBeLessThanOrEqual(paid[key] ?? 0);
            }
          }
          // everything is back: exactly what was paid, per line, per tax, per tender
          const all = returns.flatMap((x) => x.lines);
          for (const line of sale.lines) {
            const back = all.filter((l) => l.originalLineId === line.lineId);
            expect([
              back.reduce((s, l) => s + l.total, 0),
              back.reduce((s, l) => s + l.net, 0),
              back.reduce((s, l) => s + l.discount, 0),
              back.reduce((s, l) => s + l.tax, 0),
            ]).toEqual([line.total, line.net, line.discount, line.tax]);
          }
          expect(taxById(returns)).toEqual(taxById([sale]));
          expect(byTender(returns.flatMap((x) => x.refunds))).toEqual(
            byTender(sale.tenders.filter((t) => t.amount > 0)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
