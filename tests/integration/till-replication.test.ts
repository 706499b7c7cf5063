/**
 * The till's replication (renderer/src/db) against the real sync server (sync-server/src) on 127.0.0.1,
 * port 0, over PGlite: enrolment, the seeded catalog pulled into RxDB (Dexie on fake-indexeddb, every
 * document validated against the till's schemas), events pushed exactly once although responses are
 * lost, the receipt for a reused deviceSeq, the customer merge, and the re-push after the server lost
 * events. The catalog at 10,000 products, live and future prices on both databases: catalog-sync.test.ts;
 * pushes through faults and restarts: push-faults.test.ts; a rolled-back data folder: data-loss.test.ts.
 */
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTillDatabase, tillStorage } from '../../renderer/src/db/database.ts';
import type { TillDatabase } from '../../renderer/src/db/database.ts';
import { TillSync } from '../../renderer/src/db/replication.ts';
import { SyncClient } from '../../renderer/src/db/sync-client.ts';
import type { FetchLike } from '../../renderer/src/db/sync-client.ts';
import { seedDemo } from '../../sync-server/src/seed/demo-seed.ts';
import { eventId, HQ_TOKEN, saleEvent, startHarness } from '../../sync-server/test/harness.ts';
import type { Harness } from '../../sync-server/test/harness.ts';

const fast = { baseMs: 20, maxMs: 200, factor: 2, jitter: 0 };

async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function count(h: Harness, sql: string, params: readonly (string | number)[] = []): Promise<number> {
  const rows = await h.db.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? -1);
}

describe('till replication against the sync server (PGlite)', () => {
  let h: Harness;
  let db: TillDatabase;
  let sync: TillSync;
  /** Closers of what beforeAll managed to open, run in reverse (a failed setup still cleans up). */
  const cleanup: (() => Promise<unknown>)[] = [];
  let client: SyncClient;
  /** The next N push responses are dropped after the server committed them. */
  let losePushResponses = 0;
  let pushRequests = 0;

  beforeAll(async () => {
    h = await startHarness({ kind: 'pglite' }, { minClientVersion: '0.1.0' });
    cleanup.push(() => h.close());
    await seedDemo(h.db, { products: 300 });
    const lossyFetch: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      if (url.endsWith('/push/events')) {
        pushRequests++;
        if (losePushResponses > 0) {
          losePushResponses--;
          await response.body?.cancel();
          throw new TypeError('fetch failed: connection reset');
        }
      }
      return response;
    };
    client = new SyncClient({ baseUrl: h.base, clientVersion: '1.0.0', fetch: lossyFetch });
    const code = await h.json<{ code: string }>('/admin/enrollment-codes', {
      token: HQ_TOKEN,
      body: { storeId: 'S01' },
      tillHeaders: false,
    });
    expect(code.status).toBe(201);
    await client.enroll({ enrollmentCode: code.body.code, deviceName: 'Till 1', appVersion: '1.0.0' });
    db = await createTillDatabase({
      name: `integration-${Date.now()}`,
      storage: wrappedValidateAjvStorage<unknown, unknown>({
        storage: tillStorage({ indexedDB, IDBKeyRange }),
      }),
    });
    cleanup.push(() => db.remove());
    sync = new TillSync({ db, client, backoff: fast, random: () => 0 });
    cleanup.push(() => sync.stop());
    await sync.start();
  }, 180_000);

  afterAll(async () => {
    for (const close of cleanup.reverse()) await close();
  });

  it('pulls the seeded catalog of its store into RxDB, every document valid for the till', async () => {
    const expected = {
      products: await count(h, 'select count(*)::text as n from products where not deleted'),
      prices: await count(h, 'select count(*)::text as n from prices where not deleted'),
      staff: await count(
        h,
        `select count(*)::text as n from staff where not deleted and (store_id is null or store_id = 'S01')`,
      ),
      stockLevels: await count(h, `select count(*)::text as n from stock_levels where store_id = 'S01'`),
    };
    expect(expected.products).toBeGreaterThan(300);
    await waitFor('the catalog', async () => {
      const [products, prices, staff, stock] = await Promise.all([
        db.products.count().exec(),
        db.prices.count().exec(),
        db.staff.count().exec(),
        db.stockLevels.count().exec(),
      ]);
      return (
        products === expected.products &&
        prices === expected.prices &&
        staff === expected.staff &&
        stock === expected.stockLevels
      );
    });
    expect(sync.status.current.online).toBe(true);
    expect(sync.status.current.errors).toEqual([]);
  }, 120_000);

  it('pushes events exactly once although the first two responses are lost', async () => {
    const device = client.device!;
    const products = await db.products.find({ limit: 2 }).exec();
    const [a, b] = products.map((p) => p.productId);
    const before = pushRequests;
    losePushResponses = 2;
    const events = [1, 2, 3].map((seq) =>
      saleEvent(device, seq, [
        { productId: a!, quantity: 1000 },
        { productId: b!, quantity: 2000 },
      ]),
    );
    await db.events.bulkInsert(events as never[]);
    await waitFor('acknowledgement', () => sync.syncBookmarks.highestAckedDeviceSeq === 3);
    expect(pushRequests - before).toBe(3);
    expect(
      await count(h, 'select count(*)::text as n from events where device_id = $1', [device.deviceId]),
    ).toBe(3);
    expect(
      await count(h, `select count(*)::text as n from events where device_id = $1 and status = 'applied'`, [
        device.deviceId,
      ]),
    ).toBe(3);
    // Two lines per sale, once each.
    expect(
      await count(
        h,
        'select count(*)::text as n from stock_movements m join events e using (event_id) where e.device_id = $1',
        [device.deviceId],
      ),
    ).toBe(6);
    await waitFor('the outbox count', () => sync.status.current.eventsWaiting === 0);
  }, 60_000);

  it('takes the receipt for an event reusing a deviceSeq under its own id, without failing the push', async () => {
    const device = client.device!;
    const replication = sync.replication('events')!;
    const errors: unknown[] = [];
    const subscription = replication.error$.subscribe((e) => errors.push(e));
    try {
      const reused = saleEvent(device, 1, [{ productId: 'SEQ-1', quantity: 1000 }], { id: eventId(900, 7) });
      await db.events.insert(reused as never);
      await waitFor(
        'the receipt on the till',
        async () => (await db.events.findOne(eventId(900, 7)).exec())?.serverStatus === 'quarantined',
      );
      const receipt = await db.events.findOne(eventId(900, 7)).exec();
      expect(receipt?.serverReason).toBe(`deviceSeq 1 already used by event ${eventId(1)}`);
      expect(errors).toEqual([]);
      await waitFor('the quarantine count', () => sync.status.current.quarantined === 1);
      // Nothing of it was applied: the stored event of seq 1 is the first one.
      expect(
        await count(
          h,
          'select count(*)::text as n from events where device_id = $1 and device_seq = 1 and event_id = $2',
          [device.deviceId, eventId(1)],
        ),
      ).toBe(1);
      expect(
        await count(h, `select count(*)::text as n from stock_movements where product_id = 'SEQ-1'`),
      ).toBe(0);
    } finally {
      subscription.unsubscribe();
    }
  }, 30_000);

  it('merges a till edit of a customer with a concurrent HQ edit, field by field', async () => {
    const replication = sync.replication('customers')!;
    const local = (await db.customers.find({ limit: 1 }).exec())[0]!;
    const id = local.id;
    // Keep the till from pulling HQ's edit before its own goes up: its push then meets a newer master.
    await replication.pause();
    await h.db.query(`update customers set doc = doc || $2::jsonb where id = $1`, [
      id,
      JSON.stringify({ email: 'hq.edit@example.org', emailKey: 'hq.edit@example.org', loyaltyPoints: 4242 }),
    ]);
    await local.incrementalPatch({ phone: '+41 79 000 11 22', phoneKey: '+41790001122' });
    await replication.start();

    const serverDoc = async (): Promise<Record<string, unknown> | undefined> =>
      (await h.db.query<{ doc: Record<string, unknown> }>('select doc from customers where id = $1', [id]))[0]
        ?.doc;
    await waitFor(
      'the merged customer on the server',
      async () => (await serverDoc())?.phone === '+41 79 000 11 22',
    );
    expect(await serverDoc()).toMatchObject({
      phone: '+41 79 000 11 22',
      phoneKey: '+41790001122',
      email: 'hq.edit@example.org',
      emailKey: 'hq.edit@example.org',
      loyaltyPoints: 4242,
    });
    await waitFor('the merged customer on the till', async () => {
      const mine = await db.customers.findOne(id).exec();
      return mine?.email === 'hq.edit@example.org' && mine.loyaltyPoints === 4242;
    });
    expect((await db.customers.findOne(id).exec())!.phone).toBe('+41 79 000 11 22');
  }, 30_000);

  it('re-pushes retained events when the server lost acknowledged ones', async () => {
    const device = client.device!;
    await h.db.query(
      'delete from stock_movements where event_id in (select event_id from events where device_id = $1 and device_seq > 1)',
      [device.deviceId],
    );
    await h.db.query('delete from events where device_id = $1 and device_seq > 1', [device.deviceId]);
    await h.db.query('update devices set contiguous_seq = 1 where device_id = $1', [device.deviceId]);
    const check = await sync.checkDataLoss();
    expect(check.state.contiguousDeviceSeq).toBe(1);
    expect(check.repushed).toBe(2);
    const state = await client.deviceState();
    expect(state.contiguousDeviceSeq).toBe(3);
    expect(state.lastDeviceSeq).toBe(3);
    expect(
      await count(h, 'select count(*)::text as n from events where device_id = $1', [device.deviceId]),
    ).toBe(3);
    expect(sync.status.current.recoveredFromDataLoss).toEqual({ fromDeviceSeq: 2, events: 2 });
  }, 30_000);
});
