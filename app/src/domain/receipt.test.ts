import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Product } from './catalog.ts';
import { DomainError } from './errors.ts';
import { NO_CASH_ROUNDING, type CashRoundingRule } from './money.ts';
import type { Actor } from './permissions.ts';
import { buildPriceIndex } from './prices.ts';
import type { ReturnRecord, SaleRecord } from './records.ts';
import {
  buildReceipt,
  buildReturnReceipt,
  digitalReceiptUrl,
  formatMinorPlain,
  quantityText,
  type ReceiptBlock,
  type ReceiptModel,
  type ReceiptStoreInfo,
} from './receipt.ts';
import {
  addLine,
  openSale,
  setLineDiscount,
  setOrderDiscount,
  type ActionContext,
  type SaleEnvironment,
} from './sale.ts';
import type { TaxConfig } from './tax.ts';
import { addTender, amountDue, complete, startTender, type TenderInput } from './tender.ts';

const AT = Date.UTC(2026, 5, 1, 10);
const ISO = '2026-06-01T10:00:00.000Z';
const manager: Actor = { staffId: 'mgr-1', role: 'manager' };
const ctx: ActionContext = { actor: manager, at: ISO };

const store: ReceiptStoreInfo = {
  name: 'Omnitill Market',
  addressLines: ['1 Main Street', '8000 Zürich'],
  taxId: 'CHE-123.456.789 MWST',
  phone: '+41 44 000 00 00',
  footerLines: ['Thank you!', 'Returns within 30 days with this receipt.'],
  locale: 'de-CH',
  receiptQrBaseUrl: 'https://r.example.com/',
};

function product(id: string, name: string, taxClassId: string, unit: Product['unit'] = 'each'): Product {
  return {
    id,
    sku: `SKU-${id}`,
    name,
    barcodes: [],
    categoryId: 'general',
    taxClassId,
    unit,
    sellable: true,
    active: true,
  };
}

const chocolate = product('chocolate', 'Chocolate', 'food');
const cheese = product('cheese', 'Gruyère', 'food', 'kg');
const candle = product('candle', 'Candle', 'std');
const PRICES: Readonly<Record<string, number>> = { chocolate: 215, cheese: 2490, candle: 790 };

const TAX: TaxConfig = {
  jurisdictionId: 'ch',
  pricesIncludeTax: true,
  rounding: 'per-line',
  roundingMode: 'half-up',
  rates: [
    {
      id: 'mwst81',
      name: 'MWST 8.1 %',
      taxClassId: 'std',
      jurisdictionId: 'ch',
      rate: 81_000,
      validFrom: null,
      validTo: null,
    },
    {
      id: 'mwst26',
      name: 'MWST 2.6 %',
      taxClassId: 'food',
      jurisdictionId: 'ch',
      rate: 26_000,
      validFrom: null,
      validTo: null,
    },
  ],
};

function envOf(
  tax: TaxConfig = TAX,
  cashRounding: CashRoundingRule = { increment: 5, mode: 'half-up' },
): SaleEnvironment {
  return {
    priceIndex: buildPriceIndex(
      [
        {
          id: 'b',
          name: 'B',
          currency: 'CHF',
          priority: 0,
          storeIds: [],
          customerGroupIds: [],
          validFrom: null,
          validTo: null,
        },
      ],
      Object.entries(PRICES).map(([productId, unitPrice]) => ({
        id: `r-${productId}`,
        priceBookId: 'b',
        productId,
        unitPrice,
        version: 1,
        validFrom: null,
        validTo: null,
      })),
      [],
    ),
    promotions: [],
    tax,
    storeId: 'store-1',
    at: AT,
    cashRounding,
  };
}

/**
 * CHF, prices include MWST, cash rounded to 0.05:
 * - Chocolate 3 × 2.15 = 6.45, 10 % off (0.645 → 0.65) → 5.80; MWST 2.6 %: 5.80 × 2.6/102.6 = 0.147 → 0.15.
 * - Gruyère 0.375 kg × 24.90 = 9.3375 → 9.34; 9.34 × 2.6/102.6 = 0.2367 → 0.24.
 * - Candle 7.90; 7.90 × 8.1/108.1 = 0.592 → 0.59.
 * Subtotal 23.69, discount 0.65, total 23.04, tax 0.98 (8.1 %: base 7.31, tax 0.59; 2.6 %: base 5.65 + 9.10 = 14.75, tax 0.39).
 * Card 10.00 (VISA 4242), then cash 20.00 for 13.04 → 13.05 (rounding +0.01), change 6.95.
 */
function swissRecord(): SaleRecord {
  const env = envOf();
  let sale = openSale({
    saleId: 'sale-9',
    storeId: 'store-1',
    deviceId: 'till-2',
    shiftId: 'shift-1',
    currency: 'CHF',
    openedAt: ISO,
    cashier: manager,
  });
  sale = addLine(sale, env, { lineId: 'l1', product: chocolate, quantity: 3000 }, ctx);
  sale = setLineDiscount(sale, env, 'l1', { kind: 'percent', rate: 100_000, reason: 'Damaged box' }, ctx);
  sale = addLine(sale, env, { lineId: 'l2', product: cheese, weight: 375 }, ctx);
  sale = addLine(sale, env, { lineId: 'l3', product: candle }, ctx);
  sale = startTender(sale, env);
  const tenders: TenderInput[] = [
    {
      type: 'card',
      tenderId: 't1',
      amount: 1000,
      terminal: { approved: true, reference: 'TRM-77', approvalCode: '123456', brand: 'VISA', last4: '4242' },
    },
    { type: 'cash', tenderId: 't2', received: 2000 },
  ];
  for (const t of tenders) sale = addTender(sale, env, t);
  return complete(sale, env, { completedAt: '2026-06-01T10:07:00.000Z', receiptNumber: 'S1-T2-000123' })
    .record;
}

const record = swissRecord();

function block<K extends ReceiptBlock['kind']>(
  model: ReceiptModel,
  kind: K,
): Extract<ReceiptBlock, { kind: K }>[] {
  return model.blocks.filter((b): b is Extract<ReceiptBlock, { kind: K }> => b.kind === kind);
}

const chf = (amount: number): { amount: number; currency: string } => ({ amount, currency: 'CHF' });

describe('buildReceipt', () => {
  const model = buildReceipt(record, store, { copy: false, cashierName: 'Anna' });

  it('lays out the blocks in order', () => {
    expect(model.blocks.map((b) => (b.kind === 'amount' ? `amount:${b.role}` : b.kind))).toEqual([
      'header',
      'lines',
      'amount:subtotal',
      'amount:discount',
      'amount:total',
      'amount:cash_rounding',
      'amount:cash_total',
      'taxes',
      'tenders',
      'amount:change',
      'info',
      'code',
      'footer',
    ]);
    expect(model).toMatchObject({
      kind: 'sale',
      receiptNumber: 'S1-T2-000123',
      currency: 'CHF',
      locale: 'de-CH',
      copy: false,
    });
  });

  it('prints quantity × unit price, the amount, each discount under its line, and tax codes', () => {
    const [lines] = block(model, 'lines');
    expect(
      lines?.lines.map((l) => [l.name, l.quantityText, l.unitPrice.amount, l.amount.amount, l.taxCodes]),
    ).toEqual([
      ['Chocolate', '3', 215, 645, ['B']],
      ['Gruyère', '0.375 kg', 2490, 934, ['B']],
      ['Candle', '1', 790, 790, ['A']],
    ]);
    expect(lines?.lines[0]?.discounts).toEqual([{ description: 'Damaged box 10 %', amount: chf(-65) }]);
    expect(lines?.lines[1]?.discounts).toEqual([]);
  });

  it('prints the totals, cash rounding and change', () => {
    const amounts = block(model, 'amount').map((b) => [b.role, b.amount.amount]);
    expect(amounts).toEqual([
      ['subtotal', 2369],
      ['discount', -65],
      ['total', 2304],
      ['cash_rounding', 1],
      ['cash_total', 2305],
      ['change', 695],
    ]);
  });

  it('prints tax by rate (base, rate, amount), adding up exactly to the tax total', () => {
    const [taxes] = block(model, 'taxes');
    expect(taxes?.inclusive).toBe(true);
    expect(taxes?.rows.map((r) => [r.code, r.name, r.rateText, r.base.amount, r.amount.amount])).toEqual([
      ['A', 'MWST 8.1 %', '8.1 %', 731, 59],
      ['B', 'MWST 2.6 %', '2.6 %', 1475, 39],
    ]);
    expect(taxes?.total).toEqual(chf(98));
    expect((taxes?.rows ?? []).reduce((s, r) => s + r.amount.amount, 0)).toBe(record.tax);
  });

  it('shows a card by brand and last four only, and the cash received', () => {
    const [tenders] = block(model, 'tenders');
    expect(tenders?.tenders).toEqual([
      {
        tenderId: 't1',
        type: 'card',
        label: 'VISA •••• 4242',
        amount: chf(1000),
        cardBrand: 'VISA',
        cardLast4: '4242',
        reference: 'TRM-77',
        approvalCode: '123456',
      },
      { tenderId: 't2', type: 'cash', label: 'Cash', amount: chf(1305), received: chf(2000) },
    ]);
  });

  it('prints cashier, time, receipt number and a code to scan for returns', () => {
    const [info] = block(model, 'info');
    expect(info?.rows).toEqual([
      { label: 'Receipt', value: 'S1-T2-000123' },
      { label: 'Date', value: '2026-06-01T10:07:00.000Z' },
      { label: 'Cashier', value: 'Anna' },
      { label: 'Till', value: 'till-2' },
    ]);
    expect(block(model, 'code')).toEqual([
      {
        kind: 'code',
        barcode: { symbology: 'code128', data: 'S1-T2-000123' },
        qr: { data: 'https://r.example.com/S1-T2-000123' },
      },
    ]);
    expect(block(model, 'header')[0]).toEqual({
      kind: 'header',
      storeName: 'Omnitill Market',
      addressLines: ['1 Main Street', '8000 Zürich'],
      phone: '+41 44 000 00 00',
      taxId: 'CHE-123.456.789 MWST',
    });
    expect(block(model, 'footer')[0]?.lines).toEqual(store.footerLines);
  });

  it('uses the receipt number as QR data without a digital-receipt URL, and the staff id without a name', () => {
    const plain: ReceiptStoreInfo = {
      name: store.name,
      addressLines: store.addressLines,
      footerLines: store.footerLines,
      locale: store.locale,
    };
    const m = buildReceipt(record, plain, { copy: false });
    expect(block(m, 'code')[0]?.qr.data).toBe('S1-T2-000123');
    expect(block(m, 'info')[0]?.rows.find((r) => r.label === 'Cashier')?.value).toBe('mgr-1');
  });

  it('marks a reprint as COPY, top and bottom, with the reprint time', () => {
    expect(block(model, 'copy')).toEqual([]);
    const copy = buildReceipt(record, store, { copy: true, reprintedAt: '2026-06-02T09:00:00.000Z' });
    expect(copy.copy).toBe(true);
    expect(copy.blocks[1]).toEqual({ kind: 'copy', text: 'COPY', reprintedAt: '2026-06-02T09:00:00.000Z' });
    expect(block(copy, 'copy')).toHaveLength(2);
    expect(block(copy, 'info')[0]?.rows.at(-1)).toEqual({
      label: 'Reprinted',
      value: '2026-06-02T09:00:00.000Z',
    });
  });

  it('prints the tax as its own amount when prices exclude tax', () => {
    const us = { ...record, pricesIncludeTax: false };
    const m = buildReceipt(us, store, { copy: false });
    expect(block(m, 'amount').map((b) => b.role)).toContain('tax');
    expect(block(m, 'taxes')[0]?.inclusive).toBe(false);
  });

  it('refuses a record whose tax rows do not add up (a corrupted record)', () => {
    expect(() => buildReceipt({ ...record, tax: record.tax + 1 }, store, { copy: false })).toThrow(
      RangeError,
    );
  });
});

describe('tax rows always add up to the tax total', () => {
  const items = [chocolate, candle, cheese];
  it('for random carts, discounts and tax modes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            item: fc.integer({ min: 0, max: 2 }),
            n: fc.integer({ min: 1, max: 9 }),
            off: fc.integer({ min: 0, max: 500_000 }),
          }),
          {
            minLength: 1,
            maxLength: 10,
          },
        ),
        fc.boolean(),
        fc.constantFrom<TaxConfig['rounding']>('per-line', 'per-invoice'),
        fc.integer({ min: 0, max: 500 }),
        (specs, inclusive, rounding, orderOff) => {
          const env = envOf({ ...TAX, pricesIncludeTax: inclusive, rounding }, NO_CASH_ROUNDING);
          let sale = openSale({
            saleId: 's',
            storeId: 'store-1',
            deviceId: 'd',
            shiftId: 'sh',
            currency: 'CHF',
            openedAt: ISO,
            cashier: manager,
          });
          specs.forEach((spec, i) => {
            const p = items[spec.item]!;
            const lineId = `x${i}`;
            sale = addLine(
              sale,
              env,
              {
                lineId,
                product: p,
                ...(p.unit === 'kg' ? { weight: spec.n * 111 } : { quantity: spec.n * 1000 }),
              },
              ctx,
            );
            if (sale.lines.some((l) => l.lineId === lineId)) {
              sale = setLineDiscount(sale, env, lineId, { kind: 'percent', rate: spec.off }, ctx);
            }
          });
          try {
            sale = setOrderDiscount(sale, env, { kind: 'amount', amount: orderOff }, ctx);
          } catch (error) {
            // More than the sale is worth: refused, and the cart goes on without it.
            if (!(error instanceof DomainError && error.code === 'invalid_discount')) throw error;
          }
          sale = startTender(sale, env);
          // Discounts can take a sale down to nothing due: it completes with no tender at all.
          if (amountDue(sale, env).remaining > 0) {
            sale = addTender(sale, env, { type: 'cash', tenderId: 'c', received: 1_000_000 });
          }
          const rec = complete(sale, env, { completedAt: ISO, receiptNumber: 'R' }).record;
          const m = buildReceipt(rec, store, { copy: false });
          const taxes = block(m, 'taxes')[0];
          const rows = taxes?.rows ?? [];
          expect(rows.reduce((s, r) => s + r.amount.amount, 0)).toBe(rec.tax);
          const lines = block(m, 'lines')[0]?.lines ?? [];
          const discounts = lines.flatMap((l) => l.discounts.map((d) => d.amount.amount));
          // Subtracted from +0, not negated: a cart with no discount sums to +0, and -0 is not 0 to toBe.
          expect(discounts.reduce((s, a) => s - a, 0)).toBe(rec.discount);
          expect(lines.reduce((s, l) => s + l.amount.amount, 0)).toBe(rec.subtotal);
        },
      ),
      {
        numRuns: 150,
        // Found by CI: line and order discounts that leave nothing to pay.
        examples: [
          [
            [
              { item: 0, n: 1, off: 472_094 },
              { item: 0, n: 3, off: 428_683 },
            ],
            false,
            'per-line',
            481,
          ],
          // Also found by CI: no discount at all.
          [[{ item: 0, n: 1, off: 0 }], false, 'per-line', 0],
        ],
      },
    );
  });
});

describe('buildReturnReceipt', () => {
  /** Returning the candle (7.90, MWST 0.59) from the Swiss sale, refunded in cash: 7.90 → 7.90. */
  const noReceipt: ReturnRecord = {
    returnId: 'ret-1',
    receiptNumber: 'S1-T2-R000004',
    storeId: 'store-1',
    deviceId: 'till-2',
    shiftId: 'shift-2',
    cashierId: 'cashier-1',
    currency: 'CHF',
    createdAt: '2026-06-03T15:00:00.000Z',
    lines: [
      {
        returnLineId: 'rl1',
        originalLineId: 'l3',
        productId: 'candle',
        sku: 'SKU-candle',
        name: 'Candle',
        quantity: 1000,
        total: 790,
        net: 790,
        discount: 0,
        taxes: [{ taxId: 'mwst81', name: 'MWST 8.1 %', rate: 81_000, base: 731, amount: 59 }],
        tax: 59,
        disposition: 'restock',
        reason: 'Unwanted gift',
      },
    ],
    total: 790,
    tax: 59,
    taxes: [{ taxId: 'mwst81', name: 'MWST 8.1 %', rate: 81_000, base: 731, amount: 59 }],
    cashRounding: 0,
    refunds: [{ tenderId: 'rf1', type: 'store_credit', amount: 790, reference: 'SC-99881234' }],
    noReceipt: true,
    approvals: [],
  };
  const ret: ReturnRecord = {
    ...noReceipt,
    originalSaleId: 'sale-9',
    originalReceiptNumber: 'S1-T2-000123',
    refunds: [{ tenderId: 'rf1', type: 'cash', amount: 790 }],
    noReceipt: false,
  };

  it('says what was returned, the tax refunded and how it was paid out, with the original receipt', () => {
    const m = buildReturnReceipt(ret, store, { copy: false });
    expect(m.kind).toBe('return');
    expect(m.blocks.map((b) => b.kind)).toEqual([
      'header',
      'title',
      'return_lines',
      'amount',
      'taxes',
      'tenders',
      'info',
      'code',
      'footer',
    ]);
    expect(block(m, 'title')[0]).toEqual({
      kind: 'title',
      text: 'RETURN',
      originalReceiptNumber: 'S1-T2-000123',
    });
    expect(block(m, 'return_lines')[0]?.lines).toEqual([
      {
        returnLineId: 'rl1',
        name: 'Candle',
        sku: 'SKU-candle',
        quantity: 1000,
        quantityText: '1',
        amount: chf(-790),
        reason: 'Unwanted gift',
        disposition: 'restock',
        taxCodes: ['A'],
      },
    ]);
    expect(block(m, 'amount')[0]).toMatchObject({ role: 'refund_total', amount: chf(-790) });
    expect(block(m, 'taxes')[0]).toMatchObject({ inclusive: true, total: chf(59) });
    expect(block(m, 'code')[0]?.barcode.data).toBe('S1-T2-R000004');
    expect(block(m, 'info')[0]?.rows.find((r) => r.label === 'Original receipt')?.value).toBe('S1-T2-000123');
  });

  it('marks a no-receipt return and a reprinted copy', () => {
    const m = buildReturnReceipt(noReceipt, store, { copy: true });
    expect(block(m, 'title')[0]).toEqual({ kind: 'title', text: 'RETURN WITHOUT RECEIPT' });
    expect(block(m, 'copy')).toHaveLength(2);
    // A store-credit account is as good as cash: only its last four are printed.
    expect(block(m, 'tenders')[0]?.tenders[0]).toMatchObject({
      label: 'Store credit',
      reference: '••••1234',
    });
  });
});

describe('helpers', () => {
  it.each([
    [{ amount: 1234, currency: 'USD' }, '12.34'],
    [{ amount: -65, currency: 'CHF' }, '-0.65'],
    [{ amount: 1036, currency: 'JPY' }, '1036'],
    [{ amount: 1234, currency: 'KWD' }, '1.234'],
  ])('formatMinorPlain(%j) = %s', (money, text) => {
    expect(formatMinorPlain(money)).toBe(text);
  });

  it.each([
    [2000, 'each', '2'],
    [375, 'kg', '0.375 kg'],
    [1500, 'm', '1.5 m'],
    [1000, 'lb', '1 lb'],
  ] as const)('quantityText(%i, %s) = %s', (q, unit, text) => {
    expect(quantityText(q, unit)).toBe(text);
  });

  it.each([
    ['https://r.example.com/', 'https://r.example.com/A%2F1'],
    ['https://r.example.com', 'https://r.example.com/A%2F1'],
    ['https://r.example.com/?r=', 'https://r.example.com/?r=A%2F1'],
  ])('digital receipt link from %s', (base, url) => {
    expect(digitalReceiptUrl({ ...store, receiptQrBaseUrl: base }, 'A/1')).toBe(url);
  });
});

describe("the receipt in the store's language", () => {
  // The Swiss sale with a promotion on the chocolate, as the record stores it: in English.
  const promoted: SaleRecord = {
    ...record,
    lines: record.lines.map((l) =>
      l.lineId === 'l1'
        ? {
            ...l,
            discounts: [
              ...l.discounts,
              {
                source: 'promotion' as const,
                promotionId: 'p1',
                scope: 'line' as const,
                description: '3 for 5.00 — 巧克力节',
                amount: 0,
              },
            ],
          }
        : l,
    ),
  };
  const texts = (locale: string, copy = false) => {
    const m = buildReceipt(
      promoted,
      { ...store, locale },
      { copy, cashierName: 'Anna', ...(copy ? { reprintedAt: '2026-06-02T09:00:00.000Z' } : {}) },
    );
    return {
      amounts: block(m, 'amount').map((b) => b.label),
      tenders: block(m, 'tenders')[0]?.tenders.map((t) => t.label),
      info: block(m, 'info')[0]?.rows.map((r) => r.label),
      discounts: block(m, 'lines')[0]?.lines[0]?.discounts.map((d) => d.description),
      copy: block(m, 'copy').map((b) => b.text),
    };
  };
  const english = {
    amounts: ['Subtotal', 'Discounts', 'Total', 'Cash rounding', 'Total paid in cash', 'Change'],
    tenders: ['VISA •••• 4242', 'Cash'],
    info: ['Receipt', 'Date', 'Cashier', 'Till'],
    discounts: ['Damaged box 10 %', '3 for 5.00 — 巧克力节'],
    copy: [],
  };
  const chinese = {
    amounts: ['小计', '优惠', '合计', '现金取整', '现金实付', '找零'],
    tenders: ['VISA •••• 4242', '现金'],
    info: ['小票号', '日期', '收银员', '收银台'],
    // A manual discount's text is the cashier's; the promotion is said again in Chinese.
    discounts: ['Damaged box 10 %', '巧克力节：任选 3 件共 5.00'],
    copy: [],
  };

  it.each([
    ['zh-CN', chinese],
    ['zh-Hans-SG', chinese],
    ['de-CH', english],
    ['en-GB', english],
    // A language the receipt has no words for prints English.
    ['sw-KE', english],
  ])('%s', (locale, expected) => {
    expect(texts(locale)).toEqual(expected);
  });

  it('marks a Chinese reprint in Chinese; the COPY block stays a marker the printer translates', () => {
    const copy = texts('zh-CN', true);
    expect(copy.info?.at(-1)).toBe('补打时间');
    expect(copy.copy).toEqual(['COPY', 'COPY']);
  });

  it('titles a Chinese return in Chinese', () => {
    const ret: ReturnRecord = {
      returnId: 'ret-1',
      receiptNumber: 'S1-T2-R000004',
      storeId: 'store-1',
      deviceId: 'till-2',
      shiftId: 'shift-2',
      cashierId: 'cashier-1',
      currency: 'CHF',
      createdAt: '2026-06-03T15:00:00.000Z',
      originalSaleId: 'sale-9',
      originalReceiptNumber: 'S1-T2-000123',
      lines: [],
      total: 0,
      tax: 0,
      taxes: [],
      cashRounding: 0,
      refunds: [{ tenderId: 'rf1', type: 'store_credit', amount: 0 }],
      noReceipt: false,
      approvals: [],
    };
    const zh = { ...store, locale: 'zh-CN' };
    const m = buildReturnReceipt(ret, zh, { copy: false });
    expect(block(m, 'title')[0]?.text).toBe('退货');
    expect(block(m, 'amount').map((b) => b.label)).toEqual(['退款合计']);
    expect(block(m, 'tenders')[0]?.tenders.map((t) => t.label)).toEqual(['储值余额']);
    expect(block(m, 'info')[0]?.rows.map((r) => r.label)).toEqual([
      '退货单号',
      '原小票号',
      '日期',
      '收银员',
      '收银台',
    ]);
    const without = buildReturnReceipt({ ...ret, noReceipt: true }, zh, { copy: false });
    expect(block(without, 'title')[0]?.text).toBe('无小票退货');
  });
});
