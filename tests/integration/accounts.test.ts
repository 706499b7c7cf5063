/**
 * Gift cards and store credit end to end: the till's sync client against the real sync server over
 * PGlite, with the demo seed's accounts and the app's own event schemas (not the tests' narrowed ones): a
 * sale paid partly by gift card and a return refunded to store credit, as the till's records are, move
 * head office's balances once each; and the till's holds (renderer/src/tender) get no answer once the
 * server is gone, so the till refuses the payment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReturnRecord, SaleRecord } from '@pos/app';
import { SAMPLE_RETURN, SAMPLE_SALE } from '../../app/src/schema/samples.ts';
import { SyncClient } from '../../renderer/src/db/sync-client.ts';
import type { AccountType } from '../../renderer/src/db/sync-client.ts';
import { serverAccountHolds } from '../../renderer/src/tender/account-holds.ts';
import { appEventSchemas } from '../../sync-server/src/events/event-validator.ts';
import { seedDemo } from '../../sync-server/src/seed/demo-seed.ts';
import { eventId, HQ_TOKEN, startHarness } from '../../sync-server/test/harness.ts';
import type { Harness } from '../../sync-server/test/harness.ts';

describe('gift cards and store credit against the sync server (PGlite)', () => {
  let h: Harness | undefined;
  let client: SyncClient;
  let deviceId = '';

  beforeAll(async () => {
    h = await startHarness({ kind: 'pglite' }, { minClientVersion: '0.1.0', eventSchemas: appEventSchemas });
    await seedDemo(h.db, { products: 10 });
    client = new SyncClient({ baseUrl: h.base, clientVersion: '1.0.0' });
    const code = await h.json<{ code: string }>('/admin/enrollment-codes', {
      token: HQ_TOKEN,
      body: { storeId: 'S01' },
      tillHeaders: false,
    });
    deviceId = (
      await client.enroll({ enrollmentCode: code.body.code, deviceName: 'Till 1', appVersion: '1.0.0' })
    ).deviceId;
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  /** Head office's balance of an account, null when it knows no such account. */
  const balance = async (type: AccountType, reference: string): Promise<number | null> =>
    (await client.accountBalance(type, reference))?.balance ?? null;

  /** The outbox document of a till's record, as the till writes it. */
  const event = (
    seq: number,
    type: 'sale.completed' | 'return.completed',
    payload: SaleRecord | ReturnRecord,
  ): Record<string, unknown> => ({
    eventId: eventId(seq, 77),
    type,
    schemaVersion: 1,
    storeId: 'S01',
    deviceId,
    deviceSeq: seq,
    occurredAt: '2026-11-23T10:00:00.000Z',
    payload,
  });

  it('reads the demo balances, and a sale paid partly by gift card takes its part once', async () => {
    expect(await balance('gift_card', 'GC-0001')).toBe(2500);
    expect(await balance('store_credit', 'C000001')).toBe(1500);
    expect(await balance('gift_card', 'GC-9999')).toBeNull();

    const sale: SaleRecord = {
      ...SAMPLE_SALE,
      storeId: 'S01',
      deviceId,
      currency: 'EUR',
      tenders: [
        { tenderId: 'tender-gc', type: 'gift_card', amount: 600, reference: 'GC-0001' },
        { tenderId: 'tender-cash', type: 'cash', amount: 65, received: 100 },
      ],
    };
    const row = { newDocumentState: event(1, 'sale.completed', sale) };
    // No quarantine receipt: the app's schema takes the sale as the till writes it.
    expect(await client.pushEvents([row])).toEqual([]);
    // The answer was lost; the outbox pushes it again.
    expect(await client.pushEvents([row])).toEqual([]);
    expect(await balance('gift_card', 'GC-0001')).toBe(1900);
  });

  it('a return refunded to store credit credits the account once', async () => {
    const refund: ReturnRecord = {
      ...SAMPLE_RETURN,
      storeId: 'S01',
      deviceId,
      currency: 'EUR',
      refunds: [{ tenderId: 'refund-sc', type: 'store_credit', amount: 175, reference: 'C000001' }],
    };
    const row = { newDocumentState: event(2, 'return.completed', refund) };
    expect(await client.pushEvents([row])).toEqual([]);
    expect(await client.pushEvents([row])).toEqual([]);
    expect(await balance('store_credit', 'C000001')).toBe(1675);
  });

  it("the till's holds get no answer once the server is gone", async () => {
    const holds = serverAccountHolds({ source: client, currency: () => 'EUR' });
    const hold = { holdId: '0190eeee-0000-4000-8000-000000000001', saleId: 'sale-offline', amount: 100 };
    await h?.close();
    h = undefined;
    expect(await holds.place('gift_card', 'GC-0001', hold)).toEqual({ kind: 'unavailable' });
  });
});
