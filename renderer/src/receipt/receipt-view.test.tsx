import { buildReceipt } from '@pos/app';
import type { SaleRecord } from '@pos/app';
import { render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/i18n.ts';
import { ReceiptView } from './receipt-view.tsx';

/**
 * In CHF with VAT included, cash rounded to 0.05: 2 × milk at 1.85 = 3.70 with "2 for 3.50" (−0.20),
 * VAT 3.50 × 0.081 / 1.081 = 0.26; 0.752 kg apples at 4.20 = 3.16, VAT 3.16 × 0.026 / 1.026 = 0.08.
 * Total 6.66, cash due 6.65 (−0.01), 10.00 given, 3.35 change.
 */
const SALE: SaleRecord = {
  saleId: 'sale-0001',
  receiptNumber: 'S01-T02-000123',
  storeId: 'store-zrh-01',
  deviceId: 'till-zrh-01-02',
  shiftId: 'shift-1',
  cashierId: 'staff-anna',
  currency: 'CHF',
  pricesIncludeTax: true,
  openedAt: '2025-03-14T09:12:03.120Z',
  completedAt: '2025-03-14T09:13:41.877Z',
  lines: [
    {
      lineId: 'line-1',
      productId: 'prod-milk-1l',
      sku: 'MILK-1L',
      name: 'Vollmilch 1 l',
      categoryId: 'cat-dairy',
      taxClassId: 'standard',
      unit: 'each',
      quantity: 2000,
      unitPrice: 185,
      priceSource: { priceBookId: 'pb-base', priceId: 'p-1', version: 3 },
      gross: 370,
      discounts: [
        { source: 'promotion', promotionId: 'promo-1', scope: 'line', description: '2 for 3.50', amount: 20 },
      ],
      discount: 20,
      net: 350,
      taxes: [{ taxId: 'ch-vat-std', name: 'MwSt 8.1 %', rate: 81_000, base: 324, amount: 26 }],
      tax: 26,
      total: 350,
    },
    {
      lineId: 'line-2',
      productId: 'prod-apples',
      sku: 'APPLE-GALA',
      name: 'Äpfel Gala',
      categoryId: 'cat-fruit',
      taxClassId: 'reduced-food',
      unit: 'kg',
      quantity: 752,
      unitPrice: 420,
      priceSource: null,
      gross: 316,
      discounts: [],
      discount: 0,
      net: 316,
      taxes: [{ taxId: 'ch-vat-red', name: 'MwSt 2.6 %', rate: 26_000, base: 308, amount: 8 }],
      tax: 8,
      total: 316,
    },
  ],
  voidedLines: [],
  couponCodes: [],
  subtotal: 686,
  discount: 20,
  tax: 34,
  total: 666,
  cashRounding: -1,
  taxes: [
    { taxId: 'ch-vat-std', name: 'MwSt 8.1 %', rate: 81_000, base: 324, amount: 26 },
    { taxId: 'ch-vat-red', name: 'MwSt 2.6 %', rate: 26_000, base: 308, amount: 8 },
  ],
  tenders: [{ tenderId: 'tender-1', type: 'cash', amount: 665, received: 1000 }],
  change: 335,
  approvals: [],
};

const STORE_INFO = {
  name: 'Omnitill Markt Zürich',
  addressLines: ['Bahnhofstrasse 1', '8001 Zürich'],
  taxId: 'CHE-123.456.789 MWST',
  footerLines: ['Danke für Ihren Einkauf!'],
  locale: 'de-CH',
  receiptQrBaseUrl: 'https://r.example.ch/',
};

async function show(locale: string, copy = false, storeLocale = STORE_INFO.locale) {
  const i18n = await createI18n(locale);
  const receipt = buildReceipt(
    SALE,
    { ...STORE_INFO, locale: storeLocale },
    {
      copy,
      cashierName: 'Anna Keller',
      ...(copy ? { reprintedAt: '2025-03-14T10:00:00.000Z' } : {}),
    },
  );
  render(
    <I18nextProvider i18n={i18n}>
      <ReceiptView receipt={receipt} timeZone="Europe/Zurich" />
    </I18nextProvider>,
  );
  return screen.getByTestId('receipt');
}

describe('the receipt on screen', () => {
  it('shows the lines, the promotion, the totals and the cash paid as the record has them', async () => {
    const receipt = await show('en-GB');
    const text = receipt.textContent;
    expect(text).toContain('Vollmilch 1 l');
    expect(text).toContain('2 for 3.50');
    const amount = (role: string) =>
      receipt.querySelector(`[data-role="${role}"]`)?.textContent.replace(/\s/gu, ' ');
    expect(amount('total')).toBe('CHF 6.66');
    expect(amount('cash_rounding')).toBe('CHF-0.01');
    expect(amount('cash_total')).toBe('CHF 6.65');
    expect(amount('change')).toBe('CHF 3.35');
    expect(within(receipt).getByText('Anna Keller')).toBeDefined();
    // In the info rows and under the QR code.
    expect(within(receipt).getAllByText('S01-T02-000123')).toHaveLength(2);
  });

  it("writes weights in the store's locale, as the money beside them", async () => {
    // An English-speaking cashier in a French store.
    const receipt = await show('en-GB', false, 'fr-FR');
    const text = receipt.textContent.replace(/\s/gu, ' ');
    expect(text).toContain('0,752 kg');
    expect(text).not.toContain('0.752');
  });

  it('draws the digital-receipt QR code as an image', async () => {
    const receipt = await show('en-GB');
    const image = await waitFor(
      () => within(receipt).getByRole('img', { name: 'QR code for the digital receipt S01-T02-000123' }),
      { timeout: 5000 },
    );
    expect(image.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/u);
  });

  it('marks a reprint as a copy', async () => {
    const receipt = await show('en-GB', true);
    expect(within(receipt).getAllByText('COPY')).toHaveLength(2);
  });

  it('is labelled in Chinese for a Chinese till', async () => {
    const receipt = await show('zh-CN');
    expect(within(receipt).getByText('找零')).toBeDefined();
    expect(within(receipt).getByText('收银员')).toBeDefined();
    expect(screen.getByRole('article', { name: '小票 S01-T02-000123' })).toBeDefined();
  });

  it("reads the rows of a receipt printed in the store's language, whatever the till's language", async () => {
    // A Chinese store's receipt (labels in Chinese in the model) on an English-speaking till.
    const receipt = await show('en-GB', true, 'zh-CN');
    expect(within(receipt).getByText('Cashier')).toBeDefined();
    expect(within(receipt).getByText('Reprinted')).toBeDefined();
    expect(within(receipt).getAllByText('COPY')).toHaveLength(2);
    // The date rows are still recognised as dates and formatted, not shown as ISO.
    expect(receipt.textContent).not.toContain('2025-03-14T');
  });
});
