import type { CustomerDisplayState } from '../customer-display/index.ts';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appleLabel,
  CODES,
  removeTestTills,
  testTill,
  eventually,
  pendingTerminal,
} from './till-fixture.test-helper.ts';
import type { TestTill } from './till-fixture.test-helper.ts';
import { createI18n } from '../i18n/i18n.ts';
import { formatDiscountText } from '../sale/promotion-text.ts';
import { connectCustomerDisplay } from './customer-display-bridge.ts';

afterEach(removeTestTills);

/** Publishes as soon as the sale changes (the till waits for the next frame). */
const now = (task: () => void): void => {
  task();
};

async function connected(): Promise<{ t: TestTill; published: CustomerDisplayState[] }> {
  const t = await testTill();
  const published: CustomerDisplayState[] = [];
  connectCustomerDisplay(
    t.runtime,
    { publish: (state) => published.push(state) },
    {
      locale: 'en-IE',
      unitName: (unit) => unit,
    },
    now,
  );
  return { t, published };
}

const last = (published: CustomerDisplayState[]): CustomerDisplayState | undefined =>
  published[published.length - 1];

describe('the customer display', () => {
  it('welcomes between customers', async () => {
    const { published } = await connected();
    expect(published).toEqual([{ kind: 'idle', locale: 'en-IE', storeName: 'Omnitill Market Dublin' }]);
  });

  it('shows the lines and totals as the domain priced them', async () => {
    const { t, published } = await connected();
    await t.runtime.sale.scan(CODES.milk);
    await t.runtime.sale.scan(CODES.milk);
    for (let i = 0; i < 3; i++) await t.runtime.sale.scan(CODES.choc);
    await t.runtime.sale.scan(appleLabel(752));
    const state = last(published);
    expect(state).toMatchObject({
      kind: 'sale',
      currency: 'EUR',
      // 3.00 + 3.00 + 2.41 = 8.41 before the 1.00 off: total 7.41.
      subtotal: 841,
      discounts: 100,
      total: 741,
      taxIncluded: true,
    });
    expect(
      state?.kind === 'sale' ? state.lines.map((l) => [l.name, l.quantity, l.amount, l.discountLabel]) : [],
    ).toEqual([
      ['Whole milk 1 l', '2 × €1.50', 300, undefined],
      ['Dark chocolate 100 g', '3 × €1.00', 200, '3 for 2.00 — Chocolate 3 for 2.00'],
      ['Apples Gala', '0.752 kg × €3.20/kg', 241, undefined],
    ]);
  });

  it('says promotions in the display language', async () => {
    const t = await testTill();
    const i18n = await createI18n('zh-CN');
    const published: CustomerDisplayState[] = [];
    connectCustomerDisplay(
      t.runtime,
      { publish: (state) => published.push(state) },
      {
        locale: 'zh-CN',
        unitName: (unit) => unit,
        discountText: (discount) => formatDiscountText(discount, i18n.t, 'en-IE', 'EUR'),
      },
      now,
    );
    for (let i = 0; i < 3; i++) await t.runtime.sale.scan(CODES.choc);
    const state = last(published);
    expect(state?.kind === 'sale' ? state.lines.map((l) => l.discountLabel) : []).toEqual([
      'Chocolate 3 for 2.00：任选 3 件共 €2.00',
    ]);
  });

  it('shows what is still due and points at the terminal during a card payment', async () => {
    const { t, published } = await connected();
    pendingTerminal(t.main);
    await t.runtime.sale.scan(CODES.bread);
    await t.runtime.tender.start();
    await t.runtime.tender.cash(100);
    expect(last(published)).toEqual({
      kind: 'paying',
      locale: 'en-IE',
      currency: 'EUR',
      total: 240,
      paid: 100,
      remaining: 140,
    });
    await t.runtime.tender.card();
    expect(last(published)).toMatchObject({ kind: 'paying', remaining: 140, waitingForCard: true });
  });

  it('shows the change once the sale is durable', async () => {
    const { t, published } = await connected();
    await t.runtime.sale.scan(CODES.bread);
    await t.runtime.tender.start();
    await t.runtime.tender.cash(500);
    await eventually(() => last(published)?.kind === 'complete');
    expect(last(published)).toEqual({
      kind: 'complete',
      locale: 'en-IE',
      currency: 'EUR',
      total: 240,
      paid: 500,
      change: 260,
    });
  });

  it('gathers the changes of a scan into one publish, made when the scheduler runs it', async () => {
    const t = await testTill();
    const published: CustomerDisplayState[] = [];
    const queued: (() => void)[] = [];
    const stop = connectCustomerDisplay(
      t.runtime,
      { publish: (state) => published.push(state) },
      { locale: 'en-IE', unitName: (unit) => unit },
      (task) => queued.push(task),
    );
    expect(published.map((s) => s.kind)).toEqual(['idle']);
    await t.runtime.sale.scan(CODES.milk);
    await t.runtime.sale.scan(CODES.bread);
    // Two scans changed the sale store many times; nothing is drawn for the customer yet, one run waits.
    expect(published).toHaveLength(1);
    expect(queued).toHaveLength(1);
    queued.shift()?.();
    const state = last(published);
    expect(state?.kind === 'sale' ? state.lines.map((l) => l.name) : []).toEqual([
      'Whole milk 1 l',
      'Sourdough bread',
    ]);
    // After a stop, a run already scheduled publishes nothing.
    await t.runtime.sale.scan(CODES.milk);
    stop();
    for (const task of queued.splice(0)) task();
    expect(published).toHaveLength(2);
  });
});
