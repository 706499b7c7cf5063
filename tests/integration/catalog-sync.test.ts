/**
 * The catalog side of the Sync issue's tests, with the till's real replication (renderer/src/db: RxDB on
 * Dexie over fake-indexeddb, every write validated against the till's schemas) against the real sync
 * server on 127.0.0.1, once over PGlite and once over a PostgreSQL 15 server this file starts itself:
 * - a 10,000-product catalog pulled from empty: every product row and every price, with the server's
 *   amounts;
 * - a price change from HQ reaches the connected till live, through the stream's poke;
 * - a future-dated price is delivered early and not applied before its time (the domain's price
 *   resolution at injected instants, over what the till stored).
 */
import { buildPriceIndex, priceFromDoc, resolvePrice } from '@pos/app';
import type { PriceBook, PriceRow } from '@pos/app';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTillDatabase, tillStorage } from '../../renderer/src/db/database.ts';
import type { TillDatabase } from '../../renderer/src/db/database.ts';
import { TillSync } from '../../renderer/src/db/replication.ts';
import { SyncClient } from '../../renderer/src/db/sync-client.ts';
import { seedDemo } from '../../sync-server/src/seed/demo-seed.ts';
import { HQ_TOKEN, startHarness } from '../../sync-server/test/harness.ts';
import type { Backend, Harness } from '../../sync-server/test/harness.ts';
import { startPostgres } from '../../sync-server/test/postgres-server.ts';
import type { PostgresServer } from '../../sync-server/test/postgres-server.ts';

const PRODUCTS = 10_000;
const fast = { baseMs: 20, maxMs: 200, factor: 2, jitter: 0 };

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let postgres: PostgresServer | undefined;
afterAll(async () => {
  await postgres?.stop();
}, 30_000);

const backends: [string, () => Promise<Backend>][] = [
  ['PGlite', () => Promise.resolve({ kind: 'pglite' })],
  [
    'PostgreSQL 15',
    async () => {
      postgres ??= await startPostgres();
      return { kind: 'postgres', server: postgres };
    },
  ],
];

describe.each(backends)('catalog sync with a real till over %s', (_name, backend) => {
  let h: Harness;
  let db: TillDatabase;
  let sync: TillSync;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    h = await startHarness(await backend(), { minClientVersion: '0.1.0' });
    cleanup.push(() => h.close());
    await seedDemo(h.db, { products: PRODUCTS });
    const client = new SyncClient({ baseUrl: h.base, clientVersion: '1.0.0' });
    const code = await h.json<{ code: string }>('/admin/enrollment-codes', {
      token: HQ_TOKEN,
      body: { storeId: 'S01' },
      tillHeaders: false,
    });
    await client.enroll({ enrollmentCode: code.body.code, deviceName: 'Catalog till', appVersion: '1.0.0' });
    db = await createTillDatabase({
      name: `catalog-${Date.now()}`,
      storage: wrappedValidateAjvStorage<unknown, unknown>({
        storage: tillStorage({ indexedDB, IDBKeyRange }),
      }),
    });
    cleanup.push(() => db.remove());
    sync = new TillSync({ db, client, backoff: fast, random: () => 0 });
    cleanup.push(() => sync.stop());
    await sync.start();
  }, 120_000);

  afterAll(async () => {
    for (const close of cleanup.reverse()) await close();
  }, 60_000);

  it('pulls a 10,000-product catalog from empty: every product row and every price, amounts as on the server', async () => {
    await sync.initialPull('products');
    await sync.initialPull('prices');
    const serverProducts = await h.db.query<{ id: string }>('select id from products where not deleted');
    // 10,000 products and one extra row for every 10th product's second barcode.
    expect(serverProducts).toHaveLength(PRODUCTS + PRODUCTS / 10);
    // Read back by key: a query without an index is a cursor scan, quadratic in fake-indexeddb.
    expect(await db.products.count().exec()).toBe(serverProducts.length);
    const tillProducts = await db.products.findByIds(serverProducts.map((p) => p.id)).exec();
    expect(tillProducts.size).toBe(serverProducts.length);

    const serverPrices = await h.db.query<{ id: string; amount: number; from: string; to: string | null }>(
      `select id, (doc->>'amount')::int as amount, iso(valid_from) as "from", iso(valid_to) as "to"
         from prices where not deleted`,
    );
    // One current version per product, and a future one for every 50th.
    expect(serverPrices).toHaveLength(PRODUCTS + PRODUCTS / 50);
    expect(await db.prices.count().exec()).toBe(serverPrices.length);
    const tillPrices = await db.prices.findByIds(serverPrices.map((p) => p.id)).exec();
    expect(tillPrices.size).toBe(serverPrices.length);
    const wrong = serverPrices.filter((s) => {
      const p = tillPrices.get(s.id);
      return p?.amount !== s.amount || p.validFrom !== s.from || (p.validTo ?? null) !== s.to;
    });
    expect(wrong).toEqual([]);
    expect(sync.status.current.errors).toEqual([]);
  }, 120_000);

  it('sees a price change from HQ arrive live, through the stream', async () => {
    await waitFor('the live stream', () => sync.stream.isConnected);
    const pokes: string[] = [];
    const subscription = sync.stream.resyncs$.subscribe((r) => {
      if (r.reason === 'poke') pokes.push(r.collection);
    });
    try {
      const validFrom = '2026-12-24T00:00:00.000Z';
      const posted = await h.json<{ applied: number }>('/admin/price-changes', {
        token: HQ_TOKEN,
        body: {
          changes: [
            {
              priceBookId: 'PB-BASE',
              productId: 'P0000007',
              sku: 'SKU-0000007',
              amount: 4321,
              currency: 'EUR',
              taxIncluded: true,
              validFrom,
            },
          ],
        },
        tillHeaders: false,
      });
      expect(posted.body).toEqual({ applied: 1 });
      const started = Date.now();
      await waitFor(
        'the new price version',
        async () =>
          (await db.prices.find({ selector: { productId: 'P0000007', validFrom } }).exec()).some(
            (p) => p.amount === 4321,
          ),
        10_000,
      );
      // Live: the till pulls only when poked (there is no polling), within the merge window plus a pull.
      expect(pokes).toContain('prices');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      subscription.unsubscribe();
    }
  }, 30_000);

  it('receives a future-dated price early and does not apply it before its time', async () => {
    const validFrom = '2031-03-01T00:00:00.000Z';
    await h.json('/admin/price-changes', {
      token: HQ_TOKEN,
      body: {
        changes: [
          {
            priceBookId: 'PB-BASE',
            productId: 'P0000011',
            sku: 'SKU-0000011',
            amount: 777,
            currency: 'EUR',
            taxIncluded: true,
            validFrom,
          },
        ],
      },
      tillHeaders: false,
    });
    // Delivered years ahead of its start.
    await waitFor(
      'the future version on the till',
      async () =>
        (await db.prices.find({ selector: { productId: 'P0000011', validFrom } }).exec()).length === 1,
      10_000,
    );
    const current = (
      await h.db.query<{ amount: number }>(
        `select (doc->>'amount')::int as amount from prices where product_id = 'P0000011' and not deleted
          and valid_from = '2026-01-01T00:00:00Z'`,
      )
    )[0]?.amount;
    expect(current).toBeGreaterThan(0);

    // The till resolves prices from what it stored, with its own clock (injected here).
    const bookDoc = await db.config.findOne('price_book:PB-BASE').exec();
    expect(bookDoc?.kind).toBe('price_book');
    const book = bookDoc?.data as PriceBook;
    const rowsOf = async (productId: string): Promise<PriceRow[]> =>
      (await db.prices.find({ selector: { productId } }).exec()).map((doc) => {
        const parsed = priceFromDoc(doc.toJSON());
        if (parsed.kind !== 'row') throw new Error('unexpected store override');
        return parsed.row;
      });
    const index = buildPriceIndex([book], [...(await rowsOf('P0000011')), ...(await rowsOf('P0000050'))], []);
    const at = (iso: string) => ({ at: Date.parse(iso), storeId: 'S01', customerGroupIds: [] });
    const start = Date.parse(validFrom);
    expect(resolvePrice(index, 'P0000011', at('2031-02-28T23:59:59.999Z')).unitPrice).toBe(current);
    expect(resolvePrice(index, 'P0000011', { ...at(validFrom), at: start - 1 }).unitPrice).toBe(current);
    expect(resolvePrice(index, 'P0000011', at(validFrom)).unitPrice).toBe(777);
    expect(resolvePrice(index, 'P0000011', at(validFrom)).source.priceId).toBe(
      `PB-BASE:P0000011:${validFrom}`,
    );

    // The seed's own future version (every 50th product switches on 2027-01-01, 10 % dearer).
    const before = resolvePrice(index, 'P0000050', at('2026-12-31T23:59:59.999Z')).unitPrice;
    const after = resolvePrice(index, 'P0000050', at('2027-01-01T00:00:00.000Z')).unitPrice;
    expect(after).toBe(Math.round(before * 1.1));
  }, 30_000);
});
