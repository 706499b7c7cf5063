import { screen, waitFor } from '@testing-library/react';
import { act } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CODES } from '../app/till-fixture.test-helper.ts';
import { removeRenderedTills, renderTill } from '../app/till-ui.test-helper.tsx';
import { createI18n } from '../i18n/i18n.ts';
import { formatPromotionText } from './promotion-text.ts';

afterEach(async () => {
  await removeRenderedTills();
});

describe('promotion texts in the till language, figures in the store locale', () => {
  // Texts as the domain writes them into sale records, and as they read on a till.
  it.each([
    ['en', 'en-IE', 'EUR', '10 % off — Grocery week', '10% off — Grocery week'],
    ['zh-CN', 'zh-CN', 'CNY', '10 % off — Grocery week', 'Grocery week：立减 10%'],
    ['zh-CN', 'zh-CN', 'CNY', '12.5 % off the order — 员工', '员工：整单立减 12.5%'],
    ['en', 'en-IE', 'EUR', 'Buy 2 get 1 free — Yogurt', 'Buy 2 get 1 free — Yogurt'],
    ['zh-CN', 'zh-CN', 'CNY', 'Buy 2 get 1 free — 酸奶节', '酸奶节：买 2 送 1'],
    ['zh-CN', 'zh-CN', 'CNY', 'Buy 1 get 1 at 50 % off — 袜子', '袜子：买 1 件，另 1 件立减 50%'],
    ['en', 'en-IE', 'EUR', '3 for 5.00 — Snacks', '3 for €5.00 — Snacks'],
    ['en', 'fr-FR', 'EUR', '3 for 5.00 — Snacks', '3 for 5,00\u00a0€ — Snacks'],
    ['zh-CN', 'zh-CN', 'CNY', '3 for 5.00 — 零食', '零食：任选 3 件共 ¥5.00'],
    ['zh-CN', 'zh-CN', 'CNY', '1.00 off per kg — 火腿', '火腿：每千克立减 ¥1.00'],
    ['zh-CN', 'zh-CN', 'CNY', '0.50 off each', '每件立减 ¥0.50'],
    ['en', 'en-IE', 'EUR', 'Spend 50.00, save 5.00 — Big shop', 'Spend €50.00, save €5.00 — Big shop'],
    ['zh-CN', 'zh-CN', 'CNY', 'Spend 100.00, save 10 % — 满减', '满减：满 ¥100.00 减 10%'],
    // Not a text the domain wrote: shown as it is.
    ['zh-CN', 'zh-CN', 'CNY', 'Damaged box 10 %', 'Damaged box 10 %'],
  ])('%s till, %s store: %j → %j', async (language, locale, currency, text, expected) => {
    const i18n = await createI18n(language);
    expect(formatPromotionText(text, i18n.t, locale, currency)).toBe(expected);
  });
});

describe('promotions on a zh-CN till', { timeout: 20_000 }, () => {
  async function threeChocolates(locale: string): Promise<void> {
    const { main } = await renderTill({ locale });
    for (let i = 0; i < 3; i++) {
      await waitFor(() => {
        expect(screen.queryAllByRole('combobox').length).toBeGreaterThan(0);
      });
      act(() => {
        main.emit('hardware.scanned', { data: CODES.choc, symbology: 'ean13', deviceId: 'scanner-1' });
      });
    }
    // 3 × 1.00 for 2.00: 1.00 off.
    await waitFor(() => {
      expect(screen.getByTestId('sale-total').textContent).toBe('€2.00');
    });
  }

  it('shows the bundle on the line and in the totals in Chinese, money in the store locale', async () => {
    await threeChocolates('zh-CN');
    const line = screen.getAllByTestId('cart-line')[0];
    expect(line?.textContent).toContain('Chocolate 3 for 2.00：任选 3 件共 €2.00');
    expect(document.body.textContent).not.toContain('3 for 2.00 —');
    const totals = document.querySelector('.totals__promotions');
    expect(totals?.textContent).toContain('Chocolate 3 for 2.00：任选 3 件共 €2.00');
  });

  it('says it in English on an English till', async () => {
    await threeChocolates('en-IE');
    const totals = document.querySelector('.totals__promotions');
    expect(totals?.textContent).toContain('3 for €2.00 — Chocolate 3 for 2.00');
  });
});
