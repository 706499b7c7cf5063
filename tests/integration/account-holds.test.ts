/**
 * Holds end to end: two tills' hold clients (renderer/src/tender/account-holds.ts) through their sync
 * clients against the real sync server over PGlite, with the demo seed's accounts and the app's own event
 * schemas: what one till holds the other cannot take, a release gives it back, and the sale's push, as
 * the till writes it, captures its hold once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SaleRecord } from '@pos/app';
import { SAMPLE_SALE } from '../../app/src/schema/samples.ts';
import { SyncClient } from '../../renderer/src/db/sync-client.ts';
import { serverAccountHolds } from '../../renderer/src/tender/account-holds.ts';
import type { AccountHolds } from '../../renderer/src/tender/account-holds.ts';
import { appEventSchemas } from '../../sync-server/src/events/event-validator.ts';
import { seedDemo } from '../../sync-server/src/seed/demo-seed.ts';
import { eventId, HQ_TOKEN, startHarness } from '../../sync-server/test/harness.ts';
import type { Harness } from '../../sync-server/test/harness.ts';

describe('gift-card holds against the sync server (PGlite)', () => {
  let h: Harness | undefined;
  const tills: { client: SyncClient; holds: AccountHolds; deviceId: string }[] = [];

  beforeAll(async () => {
    const harness = await startHarness(
      { kind: 'pglite' },
      { minClientVersion: '0.1.0', eventSchemas: appEventSchemas },
    );
    h = harness;
    await seedDemo(harness.db, { products: 10 });
    for (const name of ['Till 1', 'Till 2']) {
      const client = new SyncClient({ baseUrl: harness.base, clientVersion: '1.0.0' });
      const code = await harness.json<{ code: string }>('/admin/enrollment-codes', {
        token: HQ_TOKEN,
        body: { storeId: 'S01' },
        tillHeaders: false,
      });
      const { deviceId } = await client.enroll({
        enrollmentCode: code.body.code,
        deviceName: name,
        appVersion: '1.0.0',
      });
      tills.push({ client, holds: serverAccountHolds({ source: client, currency: () => 'EUR' }), deviceId });
    }
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it("keeps one till from spending what another holds; the sale's push captures its hold once", async () => {
    const [a, b] = tills;
    if (a === undefined || b === undefined) throw new Error('tills not enrolled');
    const aHold = '0190dddd-0000-4000-8000-000000000001';
    const sale: SaleRecord = {
      ...SAMPLE_SALE,
      storeId: 'S01',
      deviceId: a.deviceId,
      currency: 'EUR',
      tenders: [
        // The tender id is the hold id, as the till's tender controller makes it.
        { tenderId: aHold, type: 'gift_card', amount: 600, reference: 'GC-0001' },
        { tenderId: 'tender-cash', type: 'cash', amount: 65, received: 100 },
      ],
    };
    // GC-0001 holds 25.00: till A holds 20.00 for its sale (more than it will finally take).
    expect(
      await a.holds.place('gift_card', 'GC-0001', { holdId: aHold, saleId: sale.saleId, amount: 2000 }),
    ).toEqual({ kind: 'held' });
    expect(
      await b.holds.place('gift_card', 'GC-0001', {
        holdId: '0190dddd-0000-4000-8000-000000000002',
        saleId: 'sale-of-till-2',
        amount: 1000,
      }),
    ).toEqual({ kind: 'refused', available: 500 });
    const bHold = '0190dddd-0000-4000-8000-000000000003';
    expect(
      await b.holds.place('gift_card', 'GC-0001', { holdId: bHold, saleId: 'sale-of-till-2', amount: 500 }),
    ).toEqual({ kind: 'held' });

    // Till A's sale takes 6.00 from the card; its push captures the 20.00 hold.
    const row = {
      newDocumentState: {
        eventId: eventId(1, 88),
        type: 'sale.completed',
        schemaVersion: 1,
        storeId: 'S01',
        deviceId: a.deviceId,
        deviceSeq: 1,
        occurredAt: '2026-11-23T10:00:00.000Z',
        payload: sale,
      },
    };
    expect(await a.client.pushEvents([row])).toEqual([]);
    expect(await a.client.pushEvents([row])).toEqual([]);
    // 25.00 − 6.00 booked − 5.00 held by till B.
    expect(await b.client.accountBalance('gift_card', 'GC-0001')).toMatchObject({ balance: 1900 });
    const available = async () =>
      (
        await h?.json<{ available: number }>('/accounts/gift_card/GC-0001', {
          token: await a.client.accessToken(),
        })
      )?.body.available;
    expect(await available()).toBe(1400);
    // Till B's customer pays otherwise: its hold goes back.
    await b.holds.release(bHold);
    expect(await available()).toBe(1900);
    const holds = await h?.db.query<{ hold_id: string; captured: boolean; released: boolean }>(
      `select hold_id, captured_at is not null as captured, released_at is not null as released
         from account_holds order by hold_id`,
    );
    expect(holds).toEqual([
      { hold_id: aHold, captured: true, released: false },
      { hold_id: bHold, captured: false, released: true },
    ]);
  });
});
