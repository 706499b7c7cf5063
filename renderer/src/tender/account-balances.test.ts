import { afterEach, describe, expect, it } from 'vitest';
import { CODES, removeTestTills, testTill } from '../app/till-fixture.test-helper.ts';
import type { TestTill } from '../app/till-fixture.test-helper.ts';
import { FakeSyncServer } from '../db/fake-sync-server.test-helper.ts';
import { SyncClient } from '../db/sync-client.ts';
import { serverBalanceLookup } from './account-balances.ts';
import type { AccountBalanceSource } from './account-balances.ts';

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

describe('the balance lookup over head office', () => {
  it("answers head office's balance while it can be reached, and null when it cannot", async () => {
    const { server, client } = serverAndClient();
    const lookup = serverBalanceLookup({ source: client, currency: () => 'EUR' });
    expect(await lookup('gift_card', 'GC-0001')).toBe(2500);
    expect(await lookup('store_credit', ' C000001 ')).toBe(1500);
    server.networkDown = 5;
    expect(await lookup('gift_card', 'GC-0001')).toBeNull();
    server.networkDown = 0;
    server.setAccount('gift_card', 'GC-0001', 1200);
    expect(await lookup('gift_card', 'GC-0001')).toBe(1200);
  });

  it('answers 0 for an account head office does not know, or one kept in another currency', async () => {
    const { client } = serverAndClient();
    const lookup = serverBalanceLookup({ source: client, currency: () => 'EUR' });
    expect(await lookup('gift_card', 'GC-4040')).toBe(0);
    expect(await lookup('gift_card', 'GC-CHF')).toBe(0);
    // The store's currency is read at every lookup.
    expect(await serverBalanceLookup({ source: client, currency: () => 'CHF' })('gift_card', 'GC-CHF')).toBe(
      9000,
    );
  });

  it('gives up on a head office that does not answer in time', async () => {
    let aborted = false;
    const hanging: AccountBalanceSource = {
      accountBalance: (_type, _reference, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
      placeAccountHold: () => Promise.reject(new Error('not asked here')),
      releaseAccountHold: () => Promise.resolve(),
    };
    const lookup = serverBalanceLookup({ source: hanging, currency: () => 'EUR', timeoutMs: 30 });
    expect(await lookup('gift_card', 'GC-0001')).toBeNull();
    expect(aborted).toBe(true);
  });

  it('never sends an empty reference or a swiped bank card to head office', async () => {
    const { server, client } = serverAndClient();
    const lookup = serverBalanceLookup({ source: client, currency: () => 'EUR' });
    expect(await lookup('gift_card', '   ')).toBe(0);
    expect(await lookup('gift_card', '%B4111111111111111^DOE/JOHN^2512101?')).toBe(0);
    expect(server.hits.get('GET /accounts')).toBeUndefined();
  });
});

describe('the runtime with head office as its balance source', () => {
  afterEach(removeTestTills);

  async function till(client: SyncClient): Promise<TestTill> {
    const t = await testTill({ runtime: { accounts: client } });
    await t.runtime.sale.scan(CODES.milk);
    await t.runtime.sale.scan(CODES.bread);
    expect(await t.runtime.tender.start()).toBe(true);
    return t;
  }

  it('takes a gift card up to the balance head office holds, and the rest in cash', async () => {
    const { client } = serverAndClient();
    const t = await till(client);
    // 3.90 due; the card holds 25.00.
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 250)).toBe(true);
    await t.runtime.tender.cash(140);
    expect(t.runtime.saleStore.getState().completion?.record.tenders).toEqual([
      expect.objectContaining({ type: 'gift_card', amount: 250, reference: 'GC-0001' }),
      expect.objectContaining({ type: 'cash', amount: 140 }),
    ]);
  });

  it('refuses more than the balance, and an unknown card, saying what head office can take', async () => {
    const { server, client } = serverAndClient();
    server.setAccount('store_credit', 'C000002', 100);
    const t = await till(client);
    // Head office refuses the hold (account-holds.test.ts): the notice names what it would take.
    expect(await t.runtime.tender.account('store_credit', 'C000002', 200)).toBe(false);
    expect(t.runtime.saleStore.getState().notice?.message).toMatchObject({
      key: 'tender:errors.holdRefused.store_credit',
      params: { available: expect.stringContaining('1.00') as unknown },
    });
    expect(await t.runtime.tender.account('gift_card', 'GC-4040', 100)).toBe(false);
    expect(t.runtime.saleStore.getState().notice?.message).toMatchObject({
      key: 'tender:errors.holdRefused.gift_card',
      params: { available: expect.stringContaining('0.00') as unknown },
    });
    expect(t.runtime.tender.due()).toMatchObject({ paid: 0, remaining: 390 });
  });

  it('refuses a gift card while head office cannot be reached, saying a connection is needed', async () => {
    const { server, client } = serverAndClient();
    const t = await till(client);
    server.networkDown = 5;
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 100)).toBe(false);
    expect(t.runtime.saleStore.getState().notice?.message.key).toBe('tender:errors.balanceUnavailable');
    expect(t.runtime.tender.due()).toMatchObject({ paid: 0 });
    // Back online: the same card is taken.
    server.networkDown = 0;
    expect(await t.runtime.tender.account('gift_card', 'GC-0001', 100)).toBe(true);
  });
});
