/**
 * The receipt `devices print-test` prints: a small, real sale laid out by buildReceipt, so a test
 * print exercises the same path as a sale (code pages, amounts, barcode, QR code, cut).
 *
 * EUR, prices include VAT. 2 × Espresso cup at 4.50 = 9.00, VAT 20 % inside: 9.00 − 9.00 ÷ 1.2 = 1.50
 * (base 7.50). 1 × Croissant at 1.80, VAT 10 % inside: 1.80 − 1.80 ÷ 1.1 = 0.1636… → 0.16 (base 1.64).
 * Total 10.80, tax 1.66; paid 20.00 in cash, change 9.20.
 */
import { buildReceipt, type ReceiptModel, type SaleRecord } from '@pos/app';

export const SAMPLE_TOTAL_TEXT = 'EUR 10.80';

const completedAt = '2026-01-15T10:30:00.000Z';

export const sampleSale: SaleRecord = {
  saleId: 'test-print',
  receiptNumber: 'TEST-000001',
  storeId: 'store-test',
  deviceId: 'till-test',
  shiftId: 'shift-test',
  cashierId: 'installer',
  currency: 'EUR',
  pricesIncludeTax: true,
  openedAt: completedAt,
  completedAt,
  lines: [
    {
      lineId: 'cup',
      productId: 'espresso-cup',
      sku: 'CUP-01',
      name: 'Espresso cup',
      categoryId: 'kitchen',
      taxClassId: 'standard',
      unit: 'each',
      quantity: 2000,
      unitPrice: 450,
      priceSource: null,
      gross: 900,
      discounts: [],
      discount: 0,
      net: 900,
      taxes: [{ taxId: 'vat-20', name: 'VAT 20 %', rate: 200_000, base: 750, amount: 150 }],
      tax: 150,
      total: 900,
    },
    {
      lineId: 'croissant',
      productId: 'croissant',
      sku: 'BAK-07',
      name: 'Croissant',
      categoryId: 'bakery',
      taxClassId: 'reduced',
      unit: 'each',
      quantity: 1000,
      unitPrice: 180,
      priceSource: null,
      gross: 180,
      discounts: [],
      discount: 0,
      net: 180,
      taxes: [{ taxId: 'vat-10', name: 'VAT 10 %', rate: 100_000, base: 164, amount: 16 }],
      tax: 16,
      total: 180,
    },
  ],
  voidedLines: [],
  couponCodes: [],
  subtotal: 1080,
  discount: 0,
  tax: 166,
  total: 1080,
  cashRounding: 0,
  taxes: [
    { taxId: 'vat-20', name: 'VAT 20 %', rate: 200_000, base: 750, amount: 150 },
    { taxId: 'vat-10', name: 'VAT 10 %', rate: 100_000, base: 164, amount: 16 },
  ],
  tenders: [{ tenderId: 'test-print-t1', type: 'cash', amount: 1080, received: 2000 }],
  change: 920,
  approvals: [],
};

export function sampleReceipt(): ReceiptModel {
  return buildReceipt(
    sampleSale,
    {
      name: 'Omnitill test print',
      addressLines: ['This is a test receipt', 'Not a sale'],
      footerLines: ['If you can read this, the printer works.'],
      locale: 'en-GB',
    },
    { copy: false, cashierName: 'Installer' },
  );
}
