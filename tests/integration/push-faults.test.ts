/**
 * "1,000 sale events pushed while the server drops responses after committing, restarts mid-run, and
 * receives overlapping retries: exactly 1,000 events and the exact stock movements at the end" (the Sync
 * issue; targets.md "Nothing lost, nothing doubled"), with the till's real replication (RxDB on Dexie
 * over fake-indexeddb, every write validated) against the real sync server on 127.0.0.1, through a lossy
 * loopback proxy, on PGlite and on a PostgreSQL 15 server this file starts itself.
 *
 * The proxy (fault-tools.ts), for each push, by a seeded draw: passes it; forwards it and cuts the till's
 * connection once the server has committed and answered; delivers it to the server twice at once; or
 * cuts the till off at once and delivers the request a little later, while the till's own retry may
 * already be there. Halfway through, the server is stopped (requests under way are cut off) and started
 * again on the same data and port. The till keeps selling meanwhile: its outbox grows, and it retries
 * with backoff until everything is acknowledged.
 */
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { createTillDatabase, tillStorage } from '../../renderer/src/db/database.ts';
import { TillSync } from '../../renderer/src/db/replication.ts';
import { SyncClient } from '../../renderer/src/db/sync-client.ts';
import { eventId, saleEvent } from '../../sync-server/test/harness.ts';
import { startPostgres } from '../../sync-server/test/postgres-server.ts';
import type { PostgresServer } from '../../sync-server/test/postgres-server.ts';
import { LossyProxy, newStorage, RestartableServer, seededRandom } from './fault-tools.ts';
import type { PushFault } from './fault-tools.ts';

const SALES = 1000;
const PRODUCTS = 10;
const SEED = 20_261_123;

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sale `seq`: three lines of three different products, 1, 2 and 3 units. */
function lines(seq: number): { productId: string; quantity: number }[] {
  return [0, 3, 6].map((offset, i) => ({
    productId: `FX-${((seq + offset) % PRODUCTS) + 1}`,
    quantity: (i + 1) * 1000,
  }));
}

let postgres: PostgresServer | undefined;
afterAll(async () => {
  await postgres?.stop();
}, 30_000);

describe.each(['pglite', 'postgres'] as const)('pushes through faults, %s', (kind) => {
  it('1,000 sales through a lossy proxy, overlapping retries and a server restart: exactly 1,000 events and the exact stock movements', async () => {
    if (kind === 'postgres') postgres ??= await startPostgres();
    const server = new RestartableServer(await newStorage(kind, postgres));
    await server.start();
    const random = seededRandom(SEED);
    const decide = (): PushFault => {
      const r = random();
      return r < 0.2 ? 'drop-after-commit' : r < 0.3 ? 'duplicate' : r < 0.4 ? 'late-delivery' : 'pass';
    };
    const proxy = await LossyProxy.start(() => server.port, decide, random);
    const client = new SyncClient({ baseUrl: proxy.base, clientVersion: '1.0.0', requestTimeoutMs: 10_000 });
    // Enrolment goes through the proxy too (it only faults pushes).
    const code = await server.enrollmentCode('S21');
    const device = await client.enroll({
      enrollmentCode: code,
      deviceName: 'Faulty till',
      appVersion: '1.0.0',
    });
    const db = await createTillDatabase({
      name: `faults-${kind}-${Date.now()}`,
      storage: wrappedValidateAjvStorage<unknown, unknown>({
        storage: tillStorage({ indexedDB, IDBKeyRange }),
      }),
    });
    const sync = new TillSync({
      db,
      client,
      backoff: { baseMs: 20, maxMs: 250, factor: 2, jitter: 0 },
      random: () => 0,
    });
    try {
      await sync.start();
      const stored = async () =>
        Number(
          (
            await server.db.query<{ n: string }>(
              'select count(*)::text as n from events where device_id = $1',
              [device.deviceId],
            )
          )[0]?.n ?? 0,
        );
      // The till sells in bursts while its outbox drains through the faults.
      let restarted = false;
      for (let start = 1; start <= SALES; start += 100) {
        const batch = Array.from({ length: 100 }, (_, i) => {
          const seq = start + i;
          return saleEvent(device, seq, lines(seq), { id: eventId(seq, 21) });
        });
        await db.events.bulkInsert(batch as never[]);
        if (!restarted && start > SALES / 2) {
          // Halfway: wait until some of this half is in, then restart the server under the pushes.
          await waitFor('the first half at the server', async () => (await stored()) >= SALES / 2);
          await server.restart();
          restarted = true;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      // The till's mark is contiguous: every sale up to it was acknowledged (batches finish out of order).
      await waitFor(
        'every sale acknowledged',
        () => sync.syncBookmarks.highestAckedDeviceSeq === SALES,
        120_000,
      );
      await waitFor('an empty outbox backlog', () => sync.status.current.eventsWaiting === 0);
      await proxy.settled();

      // The faults did happen.
      expect(server.restarts).toBe(1);
      expect(proxy.stats.faults['drop-after-commit']).toBeGreaterThan(0);
      expect(proxy.stats.faults.duplicate).toBeGreaterThan(0);
      expect(proxy.stats.faults['late-delivery']).toBeGreaterThan(0);

      // Exactly 1,000 events, each applied once, gap-free.
      const events = await server.db.query<{ n: string; applied: string; seqs: string; contiguous: string }>(
        `select count(*)::text as n, count(*) filter (where status = 'applied')::text as applied,
                  count(distinct device_seq)::text as seqs,
                  (select contiguous_seq::text from devices where device_id = $1) as contiguous
             from events where device_id = $1`,
        [device.deviceId],
      );
      expect(events[0]).toEqual({ n: '1000', applied: '1000', seqs: '1000', contiguous: '1000' });
      // Exactly three movements per sale, and on-hand is minus what was sold, per product.
      const movements = await server.db.query<{ n: string }>(
        `select count(*)::text as n from stock_movements where store_id = 'S21'`,
      );
      expect(movements[0]?.n).toBe(String(SALES * 3));
      const sold = new Map<string, number>();
      for (let seq = 1; seq <= SALES; seq++) {
        for (const l of lines(seq)) sold.set(l.productId, (sold.get(l.productId) ?? 0) + l.quantity);
      }
      const levels = await server.db.query<{ product_id: string; on_hand: string }>(
        `select product_id, (coalesce(last_count_qty, 0) + delta_since_count)::text as on_hand
             from stock_levels where store_id = 'S21' order by product_id`,
      );
      expect(Object.fromEntries(levels.map((l) => [l.product_id, Number(l.on_hand)]))).toEqual(
        Object.fromEntries([...sold].map(([p, q]) => [p, -q])),
      );
      // Every duplicate was recognised as identical: no key was seen reused.
      const reuse = await server.db.query<{ n: string }>(
        `select count(*)::text as n from alerts where device_id = $1 and kind in ('event_id_reused', 'device_seq_reused')`,
        [device.deviceId],
      );
      expect(reuse[0]?.n).toBe('0');
      expect(sync.status.current.quarantined).toBe(0);
    } finally {
      await sync.stop();
      await db.remove();
      await proxy.close();
      await server.stop();
    }
  }, 180_000);
});
