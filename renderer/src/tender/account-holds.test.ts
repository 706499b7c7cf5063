import { afterEach, describe, expect, it } from 'vitest';
import { approvals, CODES, removeTestTills, testTill } from '../app/till-fixture.test-helper.ts';
import type { TestTill } from '../app/till-fixture.test-helper.ts';
import { FakeSyncServer } from '../db/fake-sync-server.test-helper.ts';
import { SyncClient } from '../db/sync-client.ts';
import { createI18n } from '../i18n/i18n.ts';
import { renderMessage } from '../sale/messages.ts';
import type { Message } from '../sale/messages.ts';
import { serverAccountHolds } from './account-holds.ts';
import { holdRefusedNaming } from './account-holds.test-helper.ts';
import type { AccountHoldSource } from './account-holds.ts';

function serverAndClient(): { server: FakeSyncServer; client: SyncClient } {
  const server = new FakeSyncServer();
  server.setAccount('gift_card', 'GC-0001', 2500);
  server.setAccount('gift_card', 'GC-CHF', 9000, 'CHF');
  server.setAccount('store_credit', 'C000001', 1500);
  const client = new SyncClient({
    baseUrl: 'http://sync.test/api/sync/v1',
    clientVersion: '1.0.0',
    refreshToken: 'refresh-1',
    fetch: server.fetch,
  });
  return { server, client };
}

/** The hold requests the fake server received, newest last. */
function holdRequests(server: FakeSyncServer): number {
  return server.hits.get('POST /accounts') ?? 0;
}

describe('the client calls for holds', () => {
  it('places a hold, answers a refusal with what is available, and releases idempotently', async () => {
    const { server, client } = serverAndClient();
    const request = {
      holdId: '0190aaaa-0000-4000-8000-000000000001',
      saleId: 's1',
      amount: 2000,
      currency: 'EUR',
    };
    expect(await client.placeAccountHold('gift_card', 'GC-0001', request)).toMatchObject({
      kind: 'held',
      holdId: request.holdId,
      amount: 2000,
      available: 500,
    });
    expect(
      await client.placeAccountHold('gift_card', 'GC-0001', {
        ...request,
        holdId: '0190aaaa-0000-4000-8000-000000000002',
      }),
    ).toEqual({ kind: 'refused', available: 500, currency: 'EUR' });
    expect(await client.placeAccountHold('gift_card', 'GC-NONE', request)).toEqual({ kind: 'not-found' });
    await client.releaseAccountHold(request.holdId);
    await client.releaseAccountHold(request.holdId);
    // Never received: nothing to release, no error either.
    await client.releaseAccountHold('0190aaaa-0000-4000-8000-000000000009');
    expect(server.available('gift_card', 'GC-0001')).toBe(2500);
  });

  it('throws on an answer it cannot read, and on any other refusal', async () => {
    const request = {
      holdId: '0190aaaa-0000-4000-8000-000000000001',
      saleId: 's1',
      amount: 100,
      currency: 'EUR',
    };
    const answering = (status: number, body: unknown) =>
      new SyncClient({
        baseUrl: 'http://sync.test/api/sync/v1',
        clientVersion: '1.0.0',
        refreshToken: 'refresh-1',
        fetch: (url) =>
          Promise.resolve(
            url.endsWith('/auth/token')
              ? new Response(
                  JSON.stringify({
                    accessToken: 't1',
                    tokenType: 'Bearer',
                    deviceId: 'D1',
                    storeId: 'S01',
                    scope: 'till',
                    expiresAt: new Date(Date.now() + 600_000).toISOString(),
                    serverEpoch: 'E1',
                    serverTime: new Date().toISOString(),
                  }),
                  { status: 200 },
                )
              : new Response(JSON.stringify(body), { status }),
          ),
      });
    await expect(
      answering(409, { error: 'conflict', message: 'used' }).placeAccountHold('gift_card', 'GC', request),
    ).rejects.toThrow();
    await expect(
      answering(201, {
        ...request,
        holdId: '0190aaaa-0000-4000-8000-00000000ffff',
        available: 0,
      }).placeAccountHold('gift_card', 'GC', request),
    ).rejects.toThrow(/another hold/);
    await expect(
      answering(201, { ...request, amount: 99, available: 0, expiresAt: 'x' }).placeAccountHold(
        'gift_card',
        'GC',
        request,
      ),
    ).rejects.toThrow(/amount/);
    expect(
      await answering(409, { error: 'currency_mismatch', message: 'CHF' }).placeAccountHold(
        'gift_card',
        'GC',
        request,
      ),
    ).toEqual({ kind: 'refused', available: 0, currency: 'EUR' });
  });
});

describe('the holds over head office', () => {
  /** Hold request `n` of sale "s" (a hold id as the till makes them: a UUID). */
  const request = (n: number, amount: number): { holdId: string; saleId: string; amount: number } => ({
    holdId: `0190cccc-0000-4000-8000-${String(n).padStart(12, '0')}`,
    saleId: 's',
    amount,
  });

  it('holds while head office answers, and answers unavailable while it cannot be reached', async () => {
    const { server, client } = serverAndClient();
    const holds = serverAccountHolds({ source: client, currency: () => 'EUR' });
    expect(await holds.place('store_credit', ' C000001 ', request(1, 500))).toEqual({ kind: 'held' });
    expect(server.available('store_credit', 'C000001')).toBe(1000);
    server.networkDown = 5;
    expect(await holds.place('gift_card', 'GC-0001', request(2, 100))).toEqual({ kind: 'unavailable' });
    server.networkDown = 0;
    server.setAccount('gift_card', 'GC-0001', 1200);
    expect(await holds.place('gift_card', 'GC-0001', request(3, 1300))).toEqual({
      kind: 'refused',
      available: 1200,
    });
  });

  it('answers unavailable when head office does not answer in time, and never throws on release', async () => {
    let aborted = 0;
    const hanging: AccountHoldSource = {
      placeAccountHold: (_type, _reference, _request, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => {
            aborted++;
            reject(new Error('aborted'));
          });
        }),
      releaseAccountHold: () => Promise.reject(new Error('offline')),
    };
    const holds = serverAccountHolds({ source: hanging, currency: () => 'EUR', timeoutMs: 30 });
    expect(await holds.place('gift_card', 'GC-0001', { holdId: 'h', saleId: 's', amount: 1 })).toEqual({
      kind: 'unavailable',
    });
    expect(aborted).toBe(1);
    await expect(holds.release('h')).resolves.toBeUndefined();
  });

  it('refuses an unknown account or one kept in another currency, and never sends a swiped bank card', async () => {
    const { server, client } = serverAndClient();
    let currency = 'EUR';
    const holds = serverAccountHolds({ source: client, currency: () => currency });
    expect(await holds.place('gift_card', 'GC-CHF', { holdId: 'h1', saleId: 's', amount: 100 })).toEqual({
      kind: 'refused',
      available: 0,
    });
    expect(await holds.place('gift_card', 'GC-4040', { holdId: 'h3', saleId: 's', amount: 100 })).toEqual({
      kind: 'refused',
      available: 0,
    });
    // The store's currency is read at every hold.
    currency = 'CHF';
    expect(await holds.place('gift_card', 'GC-CHF', request(4, 100))).toEqual({ kind: 'held' });
    const before = holdRequests(server);
    expect(await holds.place('gift_card', '   ', { holdId: 'h4', saleId: 's', amount: 1 })).toEqual({
      kind: 'refused',
      available: 0,
    });
    expect(
      await holds.place('gift_card', '%B4111111111111111^DOE/JOHN^2512101?', {
        holdId: 'h2',
        saleId: 's',
        amount: 1,
      }),
    ).toEqual({ kind: 'refused', available: 0 });
    expect(holdRequests(server)).toBe(before);
  });
});

describe('the till holds what it tenders from an account', () => {
  afterEach(removeTestTills);

  async function till(client: SyncClient, options: Parameters<typeof testTill>[0] = {}): Promise<TestTill> {
    const t = await testTill({ ...options, runtime: { accounts: client } });
    await t.runtime.sale.scan(CODES.milk);
    await t.runtime.sale.scan(CODES.bread);
    expect(await t.runtime.tender.start()).toBe(true);
    return t;
  }
  const state = (t: TestTill) => t.runtime.saleStore.getState();

  it('places a hold for the tendered amount; its id is the tender id, and completing keeps it', async () => {
    const { server, client } = serverAndClient();
    const t = await till(client);
    // 3.90 due.
    expect(await t.runtime.tender.account('gift_card', ' GC-0001 ', 250)).toBe(true);
    const sale = state(t).sale;
    const tender = sale?.tenders[0];
    expect(tender).toMatchObject({ type: 'gift_card', amount: 250, reference: 'GC-0001' });
    const hold = server.holds.get(tender?.tenderId ?? '');
    expect(hold).toEqual({
      account: 'gift_card/GC-0001',
      amount: 250,
      saleId: sale?.saleId,
      released: false,
    });
    expect(server.available('gift_card', 'GC-0001')).toBe(2250);
    await t.runtime.tender.cash(140);
    expect(state(t).completion?.record.tenders).toEqual([
      expect.objectContaining({ type: 'gift_card', amount: 250, reference: 'GC-0001' }),
      expect.objectContaining({ type: 'cash', amount: 140 }),
    ]);
    expect(state(t).completion?.record.tenders[0]?.tenderId).toBe(tender?.tenderId);
    // The sale's push captures it on the server: the till does not release it.
    t.runtime.sale.newSale();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hold?.released).toBe(false);
    expect(server.hits.get('DELETE /accounts')).toBeUndefined();
  });

  it("refuses what another till's hold leaves uncovered, naming the rest in the cashier's language", async () => {
    const { server, client } = serverAndClient();
    // Another till holds 23.00 of the card's 25.00.
    const other = new SyncClient({
      baseUrl: 'http://sync.test/api/sync/v1',
      clientVersion: '1.0.0',
      refreshToken: 'refresh-2',
      fetch: server.fetch,
    });
    expect(
      await other.placeAccountHold('gift_card', 'GC-0001', {
        holdId: '0190bbbb-0000-4000-8000-000000000001',
        saleId: 'other-sale',
        amount: 2300,
        currency: 'EUR',
      }),
    ).toMatchObject({ kind: 'held' });
    const t = await till(client);
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 390)).toBe(false);
    const message: Message = state(t).notice?.message ?? { key: 'no notice' };
    expect(message.key).toBe('tender:errors.holdRefused.gift_card');
    expect(t.runtime.tender.due()).toMatchObject({ paid: 0, remaining: 390 });
    const en = renderMessage((await createI18n('en-IE')).t, message);
    const zh = renderMessage((await createI18n('zh-CN')).t, message);
    expect(en).toContain('2.00');
    expect(en).toContain('gift card');
    expect(zh).toContain('2.00');
    expect(zh).toContain('礼品卡');
    // What it can take, it takes.
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 200)).toBe(true);
    expect(server.available('gift_card', 'GC-0001')).toBe(0);
  });

  it('refuses more than the account holds, and an unknown card, saying what head office can take', async () => {
    const { server, client } = serverAndClient();
    server.setAccount('store_credit', 'C000002', 100);
    const t = await till(client);
    expect(await t.runtime.tender.account('store_credit', 'C000002', 200)).toBe(false);
    expect(state(t).notice?.message).toMatchObject(holdRefusedNaming('store_credit', '1.00'));
    expect(await t.runtime.tender.account('gift_card', 'GC-4040', 100)).toBe(false);
    expect(state(t).notice?.message).toMatchObject(holdRefusedNaming('gift_card', '0.00'));
    expect(t.runtime.tender.due()).toMatchObject({ paid: 0, remaining: 390 });
    expect(server.holds.size).toBe(0);
  });

  it('reuses the hold id when the cashier tries again after a lost answer', async () => {
    const { server, client } = serverAndClient();
    const t = await till(client);
    server.loseHoldAnswers = 1;
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 300)).toBe(false);
    expect(state(t).notice?.message.key).toBe('tender:errors.balanceUnavailable');
    // Head office did hold it; the answer was lost.
    expect(server.holds.size).toBe(1);
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 300)).toBe(true);
    expect(server.holds.size).toBe(1);
    const [holdId] = [...server.holds.keys()];
    expect(state(t).sale?.tenders[0]?.tenderId).toBe(holdId);
    expect(server.available('gift_card', 'GC-0001')).toBe(2200);
    // Another amount is another hold.
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 50)).toBe(true);
    expect(server.holds.size).toBe(2);
  });

  it('releases the hold when its tender is taken off, and a failed release never blocks', async () => {
    const { server, client } = serverAndClient();
    const t = await till(client);
    expect(await t.runtime.tender.account('store_credit', 'C000001', 200)).toBe(true);
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 100)).toBe(true);
    const [credit, gift] = state(t).sale?.tenders ?? [];
    expect(server.available('store_credit', 'C000001')).toBe(1300);
    await t.runtime.tender.remove(credit?.tenderId ?? '');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.holds.get(credit?.tenderId ?? '')?.released).toBe(true);
    expect(server.available('store_credit', 'C000001')).toBe(1500);
    // Offline: the tender comes off all the same; the server lets the hold expire.
    server.networkDown = 10;
    await t.runtime.tender.remove(gift?.tenderId ?? '');
    expect(state(t).sale?.tenders).toEqual([]);
    expect(state(t).notice).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.holds.get(gift?.tenderId ?? '')?.released).toBe(false);
  });

  it('releases a hold whose answer was lost when the sale is voided, or completed another way', async () => {
    const { server, client } = serverAndClient();
    const t = await till(client, { approval: approvals() });
    server.loseHoldAnswers = 1;
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 300)).toBe(false);
    const [lost] = [...server.holds.keys()];
    expect(await t.runtime.sale.voidSale()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.holds.get(lost ?? '')?.released).toBe(true);

    // Next sale: the lost hold's sale is paid in cash instead; the hold goes back at completion.
    await t.runtime.sale.scan(CODES.milk);
    expect(await t.runtime.tender.start()).toBe(true);
    server.loseHoldAnswers = 1;
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 100)).toBe(false);
    const second = [...server.holds.keys()].find((id) => id !== lost) ?? '';
    expect(server.holds.get(second)?.released).toBe(false);
    const due = t.runtime.tender.due()?.remaining ?? 0;
    await t.runtime.tender.cash(due);
    expect(state(t).completion).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.holds.get(second)?.released).toBe(true);
    expect(server.available('gift_card', 'GC-0001')).toBe(2500);
  });

  it('refuses offline, asking nothing to be held, and takes the card once head office answers', async () => {
    const { server, client } = serverAndClient();
    const t = await till(client);
    server.networkDown = 100;
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 100)).toBe(false);
    expect(state(t).notice?.message.key).toBe('tender:errors.balanceUnavailable');
    expect(server.holds.size).toBe(0);
    expect(t.runtime.tender.due()).toMatchObject({ paid: 0 });
    server.networkDown = 0;
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 100)).toBe(true);
    expect(server.holds.size).toBe(1);
    expect(t.runtime.tender.due()).toMatchObject({ paid: 100 });
  });
});
