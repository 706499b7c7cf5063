import { describe, expect, it } from 'vitest';
import type { PromotionDescription } from './promotions.ts';
import {
  RECEIPT_TEXTS,
  fillText,
  printedPromotionText,
  receiptInfoKey,
  receiptLanguage,
  type ReceiptTexts,
} from './receipt-texts.ts';

/** Every key path of a nested strings object. */
function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) =>
    keys(inner, prefix === '' ? key : `${prefix}.${key}`),
  );
}

function placeholders(texts: ReceiptTexts): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const key of keys(texts)) {
    const text = key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], texts);
    out[key] = [...String(text).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? '').sort();
  }
  return out;
}

describe('the receipt texts', () => {
  it('has the same keys and the same placeholders in every language', () => {
    expect(placeholders(RECEIPT_TEXTS['zh-CN'])).toEqual(placeholders(RECEIPT_TEXTS.en));
  });

  it.each([
    ['zh-CN', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['ZH', 'zh-CN'],
    ['en-US', 'en'],
    ['fr-FR', 'en'],
    ['', 'en'],
  ])('prints %j in %s', (locale, language) => {
    expect(receiptLanguage(locale)).toBe(language);
  });

  it('fills placeholders and leaves unknown ones showing', () => {
    expect(fillText('{{a}} and {{ b }} and {{c}}', { a: 1, b: 'two' })).toBe('1 and two and {{c}}');
  });

  it.each([
    ['日期', 'zh-CN', 'date'],
    ['Date', 'zh-CN', 'date'],
    ['补打时间', 'zh-CN', 'reprinted'],
    ['Reprinted', 'fr-FR', 'reprinted'],
    ['日期', 'fr-FR', undefined],
    ['Cashier', 'en', 'cashier'],
    ['Anything', 'en', undefined],
  ])('reads info label %j of a %s receipt as %j', (label, locale, key) => {
    expect(receiptInfoKey(label, locale)).toBe(key);
  });
});

describe('promotions on paper', () => {
  const d = (offer: PromotionDescription['offer'], campaign = 'Grocery week'): PromotionDescription => ({
    offer,
    campaign,
  });
  it.each<[PromotionDescription, string, string, string]>([
    [d({ kind: 'percent_off', scope: 'items', percent: 100_000 }), 'zh-CN', 'EUR', 'Grocery week：立减 10%'],
    [
      d({ kind: 'percent_off', scope: 'order', percent: 125_000 }),
      'zh-CN',
      'CNY',
      'Grocery week：整单立减 12.5%',
    ],
    [d({ kind: 'amount_off', scope: 'each', amount: 50 }), 'zh-CN', 'CNY', 'Grocery week：每件立减 0.50'],
    [
      d({ kind: 'amount_off', scope: 'per_unit', amount: 100, unit: 'kg' }),
      'zh-CN',
      'CNY',
      'Grocery week：每千克立减 1.00',
    ],
    [d({ kind: 'amount_off', scope: 'order', amount: 500 }), 'zh-CN', 'JPY', 'Grocery week：整单立减 500'],
    [
      d({ kind: 'buy_x_get_y', buyQuantity: 2, getQuantity: 1, percent: 1_000_000 }, '酸奶节'),
      'zh-CN',
      'CNY',
      '酸奶节：买 2 送 1',
    ],
    [
      d({ kind: 'buy_x_get_y', buyQuantity: 1, getQuantity: 1, percent: 500_000 }, '袜子'),
      'zh-CN',
      'CNY',
      '袜子：买 1 件，另 1 件立减 50%',
    ],
    [d({ kind: 'bundle_price', quantity: 3, price: 500 }, ''), 'zh-CN', 'EUR', '任选 3 件共 5.00'],
    [
      d({ kind: 'spend_threshold', threshold: 10_000, reward: { kind: 'amount', amount: 1_000 } }),
      'zh-CN',
      'CNY',
      'Grocery week：满 100.00 减 10.00',
    ],
    [
      d({ kind: 'spend_threshold', threshold: 10_000, reward: { kind: 'percent', percent: 50_000 } }),
      'zh-CN',
      'CNY',
      'Grocery week：满 100.00 减 5%',
    ],
    // English templates, the locale's percent: a French-formatted percent in an English-speaking receipt.
    [d({ kind: 'percent_off', scope: 'items', percent: 100_000 }), 'en-GB', 'GBP', '10% off — Grocery week'],
    [d({ kind: 'percent_off', scope: 'items', percent: 100_000 }), 'fr-FR', 'EUR', '10 % off — Grocery week'],
    [d({ kind: 'bundle_price', quantity: 3, price: 500 }), 'en-IE', 'EUR', '3 for 5.00 — Grocery week'],
  ])('%#: %s in %s', (description, locale, currency, text) => {
    expect(printedPromotionText(description, locale, currency)).toBe(text);
  });
});
