/**
 * The booted till's sync client is the balance source of its payment screen: TillApp hands
 * `BootedTill.accounts` to the runtime, so a gift card is taken while head office answers and refused,
 * in plain words, while it cannot.
 */
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreOutbox } from '../checkout/outbox.ts';
import type { BootedTill } from '../app/boot.ts';
import { TillApp } from '../app/till-app.tsx';
import {
  CODES,
  createFakeMain,
  createSeededDatabase,
  DEVICE,
  idSource,
  sessionStore,
  STORE,
  storeConfigOf,
  T0,
} from '../app/till-fixture.test-helper.ts';
import type { TillDatabase } from '../db/index.ts';
import { FakeSyncServer } from '../db/fake-sync-server.test-helper.ts';
import { SyncClient } from '../db/sync-client.ts';
import { createI18n } from '../i18n/i18n.ts';

const opened: TillDatabase[] = [];

afterEach(async () => {
  for (const db of opened.splice(0)) await db.remove();
});

async function renderEnrolledTill(server: FakeSyncServer, locale: string) {
  const db = await createSeededDatabase();
  opened.push(db);
  const main = createFakeMain({ locale });
  const settings = await main.desktop.call('settings.get', undefined);
  const accounts = new SyncClient({
    baseUrl: 'http://sync.test/api/sync/v1',
    clientVersion: '1.0.0',
    refreshToken: 'refresh-1',
    fetch: server.fetch,
  });
  const till: BootedTill = {
    settings,
    storeId: STORE,
    db,
    desktop: main.desktop,
    session: sessionStore(),
    storeConfig: storeConfigOf(),
    deviceId: DEVICE,
    shiftId: 'shift-1',
    outboxRestored: restoreOutbox(db, main.desktop),
    sync: null,
    accounts,
    now: () => new Date(T0),
    newId: idSource(),
  };
  const i18n = await createI18n(locale);
  render(<TillApp till={till} i18n={i18n} runtimeOptions={{ scale: { attempts: 3, intervalMs: 5 } }} />);
  await waitFor(() => {
    expect(screen.getAllByRole('combobox').length).toBeGreaterThan(0);
  });
  act(() => {
    main.emit('hardware.scanned', { data: CODES.bread, symbology: 'ean13', deviceId: 'scanner-1' });
  });
  await waitFor(() => {
    expect(screen.getAllByTestId('cart-line')).toHaveLength(1);
  });
  return main;
}

interface Labels {
  readonly pay: string;
  readonly panel: string;
  readonly giftCard: string;
}

const EN: Labels = { pay: 'Pay', panel: 'Payment', giftCard: 'Gift card' };
const ZH: Labels = { pay: '付款', panel: '付款', giftCard: '礼品卡' };

async function payByGiftCard(labels: Labels, reference: string): Promise<HTMLElement> {
  const user = userEvent.setup();
  await user.click(screen.getByRole('button', { name: labels.pay }));
  const panel = await screen.findByRole('region', { name: labels.panel });
  await user.click(within(panel).getByRole('button', { name: labels.giftCard }));
  const dialog = await screen.findByRole('dialog');
  // Typed as a person types: a faster burst is a keyboard-wedge scanner's.
  await userEvent.setup({ delay: 45 }).type(within(dialog).getAllByRole('textbox')[0] ?? dialog, reference);
  await user.click(within(dialog).getByRole('button', { name: /Take payment|收款/ }));
  return dialog;
}

describe('paying by gift card on an enrolled till', { timeout: 20_000 }, () => {
  it('takes the card for what head office says it holds', async () => {
    const server = new FakeSyncServer();
    server.setAccount('gift_card', 'GC-0001', 2500);
    await renderEnrolledTill(server, 'en-IE');
    await payByGiftCard(EN, 'GC-0001');
    // Bread at 2.40, all of it from the card.
    const complete = await screen.findByTestId('sale-complete');
    expect(within(complete).getByText('Paid in full: €2.40')).toBeDefined();
    // Head office held the 2.40 for this sale (the push captures it); the balance was not read apart.
    expect(server.hits.get('POST /accounts')).toBe(1);
    expect(server.hits.get('GET /accounts')).toBeUndefined();
    expect(server.available('gift_card', 'GC-0001')).toBe(2260);
  });

  /** Another till holds 24.00 of the card's 25.00; this till tenders 2.40 from it. */
  async function refusedByAnotherTillsHold(locale: string, labels: Labels): Promise<string> {
    const server = new FakeSyncServer();
    server.setAccount('gift_card', 'GC-0001', 2500);
    server.holds.set('0190cccc-0000-4000-8000-000000000001', {
      account: 'gift_card/GC-0001',
      amount: 2400,
      saleId: 'another-till',
      released: false,
    });
    await renderEnrolledTill(server, locale);
    const dialog = await payByGiftCard(labels, 'GC-0001');
    const alert = (await within(dialog).findByRole('alert')).textContent;
    expect(screen.queryByTestId('sale-complete')).toBeNull();
    return alert.replace(/\s/g, ' ');
  }

  it("says what is left when another till's hold leaves too little", async () => {
    expect(await refusedByAnotherTillsHold('en-IE', EN)).toBe(
      'Head office can take only €1.00 from this gift card now (the rest may be held by a payment on another till). Take that much, and the rest another way.',
    );
  });

  it('says what is left in Chinese too', async () => {
    expect(await refusedByAnotherTillsHold('zh-CN', ZH)).toBe(
      '总部目前只能从这张礼品卡扣取 €1.00（其余部分可能已被其他收银台的付款占用）。请先用该金额支付，其余部分换其他方式。',
    );
  });

  it('says plainly that a gift card needs head office while the till is offline', async () => {
    const server = new FakeSyncServer();
    server.setAccount('gift_card', 'GC-0001', 2500);
    server.networkDown = 10;
    await renderEnrolledTill(server, 'en-IE');
    const dialog = await payByGiftCard(EN, 'GC-0001');
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'Gift cards and store credit need a connection to head office, and this till cannot reach head office right now. Take another payment.',
    );
    expect(screen.queryByTestId('sale-complete')).toBeNull();
  });

  it('says it in Chinese too', async () => {
    const server = new FakeSyncServer();
    server.networkDown = 10;
    await renderEnrolledTill(server, 'zh-CN');
    const dialog = await payByGiftCard(ZH, 'GC-0001');
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      '礼品卡和储值余额需要连接总部才能使用，本收银台目前无法连接总部。请换一种付款方式。',
    );
  });
});
