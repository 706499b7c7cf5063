/**
 * "The PGlite folder rolled back to an earlier copy: the till notices and re-pushes; nothing lost" (the
 * Sync issue; targets.md: server data folder rolled back, as a power loss can do to PGlite, which has no
 * fsync). The till's real replication against the real server on 127.0.0.1 over PGlite: the server is
 * stopped, its data folder copied, started again; the till sells more, and everything is acknowledged;
 * then the server is stopped, the folder replaced by the copy, and started. The till must find out by
 * itself (the device-state check when its stream reconnects), send the lost sales again, and pull again
 * from the beginning, since the server's change feed went back in time too.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { describe, expect, it } from 'vitest';
import { createTillDatabase, tillStorage } from '../../renderer/src/db/database.ts';
import { TillSync } from '../../renderer/src/db/replication.ts';
import { SyncClient } from '../../renderer/src/db/sync-client.ts';
import { PGLITE_SUBDIR } from '../../sync-server/src/db/pglite-adapter.ts';
import { API_PREFIX } from '../../sync-server/src/server.ts';
import { eventId, saleEvent } from '../../sync-server/test/harness.ts';
import { pgliteDataDir } from '../../sync-server/test/pglite-template.ts';
import { RestartableServer } from './fault-tools.ts';

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sale = (device: { deviceId: string; storeId: string }, seq: number) =>
  saleEvent(
    device,
    seq,
    [
      { productId: `RB-${(seq % 4) + 1}`, quantity: 1000 },
      { productId: `RB-${((seq + 1) % 4) + 1}`, quantity: 2000 },
    ],
    { id: eventId(seq, 31) },
  );

describe('PGlite data folder rolled back to an earlier copy', () => {
  it('the till notices, re-pushes what the server lost and pulls again: nothing lost', async () => {
    const dataDir = await pgliteDataDir();
    const snapshot = `${dataDir}-snapshot`;
    const server = new RestartableServer({ kind: 'pglite', dataDir });
    await server.start();
    const db = await createTillDatabase({
      name: `rollback-${Date.now()}`,
      storage: wrappedValidateAjvStorage<unknown, unknown>({
        storage: tillStorage({ indexedDB, IDBKeyRange }),
      }),
    });
    let sync: TillSync | undefined;
    try {
      // The server keeps its port across restarts, so the till's address stays valid.
      const till = new SyncClient({
        baseUrl: `http://127.0.0.1:${server.port}${API_PREFIX}`,
        clientVersion: '1.0.0',
      });
      const device = await till.enroll({
        enrollmentCode: await server.enrollmentCode('S31'),
        deviceName: 'Rollback till',
        appVersion: '1.0.0',
      });
      sync = new TillSync({
        db,
        client: till,
        backoff: { baseMs: 20, maxMs: 200, factor: 2, jitter: 0 },
        random: () => 0,
      });
      await sync.start();
      const running = sync;
      const acked = (n: number) => () => running.syncBookmarks.highestAckedDeviceSeq === n;
      const onHandOnTill = async (productId: string) =>
        (await db.stockLevels.findOne(`S31:${productId}`).exec())?.onHand;

      // 1..100 acknowledged, then the copy is taken from a stopped server.
      await db.events.bulkInsert(Array.from({ length: 100 }, (_, i) => sale(device, i + 1)) as never[]);
      await waitFor('sales 1..100 acknowledged', acked(100));
      await server.stop();
      rmSync(snapshot, { recursive: true, force: true });
      cpSync(join(dataDir, PGLITE_SUBDIR), snapshot, { recursive: true });
      await server.start();

      // 101..250 acknowledged by the server, and their stock pulled by the till.
      await db.events.bulkInsert(Array.from({ length: 150 }, (_, i) => sale(device, 101 + i)) as never[]);
      await waitFor('sales 101..250 acknowledged', acked(250));
      const before = await server.db.query<{ product_id: string; on_hand: string }>(
        `select product_id, (coalesce(last_count_qty, 0) + delta_since_count)::text as on_hand
           from stock_levels where store_id = 'S31' order by product_id`,
      );
      await waitFor('the stock of 250 sales on the till', async () => {
        for (const level of before)
          if ((await onHandOnTill(level.product_id)) !== Number(level.on_hand)) return false;
        return true;
      });

      // A price the till pulls in the same period: its checkpoint moves past what the copy holds.
      const price = (productId: string, amount: number) => ({
        changes: [
          {
            priceBookId: 'PB-RB',
            productId,
            sku: `SKU-${productId}`,
            amount,
            currency: 'EUR',
            taxIncluded: true,
            validFrom: '2026-01-01T00:00:00.000Z',
          },
        ],
      });
      expect((await server.hq('/admin/price-changes', price('RB-2', 1111))).status).toBe(200);
      await waitFor('the first price on the till', async () =>
        (await db.prices.find({ selector: { productId: 'RB-2' } }).exec()).some((p) => p.amount === 1111),
      );

      // Power loss: the folder goes back to the copy; 101..250 are gone from the server.
      await server.stop();
      rmSync(join(dataDir, PGLITE_SUBDIR), { recursive: true, force: true });
      cpSync(snapshot, join(dataDir, PGLITE_SUBDIR), { recursive: true });
      await server.start();
      const lost = await server.db.query<{ n: string }>(
        'select count(*)::text as n from events where device_id = $1',
        [device.deviceId],
      );
      expect(lost[0]?.n).toBe('100');

      // HQ changes a price after the restart: its feed position is below the till's checkpoint.
      expect((await server.hq('/admin/price-changes', price('RB-1', 1234))).status).toBe(200);

      // The till's stream reconnects, it compares its acknowledgements with the server's and re-pushes.
      await waitFor(
        'the re-push',
        () => running.status.current.recoveredFromDataLoss?.events === 150,
        30_000,
      );
      expect(running.status.current.recoveredFromDataLoss).toEqual({ fromDeviceSeq: 101, events: 150 });
      const after = await server.db.query<{ n: string; applied: string; contiguous: string }>(
        `select count(*)::text as n, count(*) filter (where status = 'applied')::text as applied,
                (select contiguous_seq::text from devices where device_id = $1) as contiguous
           from events where device_id = $1`,
        [device.deviceId],
      );
      expect(after[0]).toEqual({ n: '250', applied: '250', contiguous: '250' });
      const movements = await server.db.query<{ n: string }>(
        `select count(*)::text as n from stock_movements where store_id = 'S31'`,
      );
      expect(movements[0]?.n).toBe('500');
      const levels = await server.db.query<{ product_id: string; on_hand: string }>(
        `select product_id, (coalesce(last_count_qty, 0) + delta_since_count)::text as on_hand
           from stock_levels where store_id = 'S31' order by product_id`,
      );
      expect(levels).toEqual(before);
      // And the till pulled again from the beginning: the price HQ set after the rollback is there.
      await waitFor('the new price on the till', async () => {
        const prices = await db.prices.find({ selector: { productId: 'RB-1' } }).exec();
        return prices.some((p) => p.amount === 1234);
      });
      // Stock levels are pulled after prices (PULL_ORDER): wait for them too, then compare exactly.
      await waitFor('the stock levels on the till', async () => {
        for (const level of levels) {
          if ((await onHandOnTill(level.product_id)) !== Number(level.on_hand)) return false;
        }
        return true;
      });
      for (const level of levels) expect(await onHandOnTill(level.product_id)).toBe(Number(level.on_hand));
    } finally {
      await sync?.stop();
      await db.remove();
      await server.stop();
      rmSync(snapshot, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
