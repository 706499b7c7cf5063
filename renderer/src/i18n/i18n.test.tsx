import { describe, expect, it } from 'vitest';
import { bundledResources, createI18n, languageFor } from './i18n.ts';
import { formatMoney, formatQuantity } from './format.ts';

/** Every key path of a nested strings object, e.g. "tender.cash". */
function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) =>
    keys(inner, prefix === '' ? key : `${prefix}.${key}`),
  );
}

describe('translations', () => {
  const resources = bundledResources();

  it('has English and Simplified Chinese', () => {
    expect(Object.keys(resources).sort()).toEqual(['en', 'zh-CN']);
  });

  it('translates every English key into Chinese and has no Chinese key English lacks', () => {
    const en = resources.en ?? {};
    const zh = resources['zh-CN'] ?? {};
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const namespace of Object.keys(en)) {
      expect(keys(zh[namespace]).sort(), namespace).toEqual(keys(en[namespace]).sort());
    }
  });

  it('leaves no Chinese string empty or identical to a long English one', () => {
    const en = resources.en ?? {};
    const zh = resources['zh-CN'] ?? {};
    for (const namespace of Object.keys(en)) {
      const enFlat = flatten(en[namespace]);
      const zhFlat = flatten(zh[namespace]);
      for (const [key, text] of Object.entries(zhFlat)) {
        expect(text.trim(), `${namespace}:${key}`).not.toBe('');
        // Short strings (brand names, "OK", "PIN") may be the same in both languages.
        if (text.length > 12) expect(text, `${namespace}:${key} is untranslated`).not.toBe(enFlat[key]);
      }
    }
  });

  it.each([
    ['zh-CN', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['en-GB', 'en'],
    ['de-DE', 'en'],
  ])('reads locale %s in %s', (locale, language) => {
    expect(languageFor(locale)).toBe(language);
  });

  it('switches language per instance', async () => {
    const zh = await createI18n('zh-CN');
    const en = await createI18n('en-US');
    expect(zh.language).toBe('zh-CN');
    expect(en.language).toBe('en');
  });
});

describe('formatting', () => {
  it.each([
    [123456, 'EUR', 'de-DE', '1.234,56\u00a0€'],
    [123456, 'USD', 'en-US', '$1,234.56'],
    [1234, 'JPY', 'ja-JP', '￥1,234'],
    [1234, 'CNY', 'zh-CN', '¥12.34'],
    [-500, 'GBP', 'en-GB', '-£5.00'],
  ])('formats %i minor %s in %s as %s', (amount, currency, locale, text) => {
    expect(formatMoney(amount, currency, locale)).toBe(text);
  });

  it.each([
    [1500, 'en-US', '1.5'],
    [2000, 'en-US', '2'],
    [1234567, 'de-DE', '1.234,567'],
  ])('formats quantity %i in %s as %s', (quantity, locale, text) => {
    expect(formatQuantity(quantity, locale)).toBe(text);
  });
});

function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (typeof value === 'string') out[prefix] = value;
  else if (typeof value === 'object' && value !== null)
    for (const [key, inner] of Object.entries(value))
      flatten(inner, prefix === '' ? key : `${prefix}.${key}`, out);
  return out;
}
