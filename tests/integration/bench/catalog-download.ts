/**
 * Initial catalog download into the till's RxDB: a fresh device enrols, TillSync starts, and the clock
 * runs until the products collection (and then every pulled collection) has finished its first pull.
 * The till here is Node with Dexie over fake-indexeddb (an in-memory IndexedDB written in JavaScript),
 * not Chromium's IndexedDB: the figure measures the replication path (HTTP pulls of 500, RxDB writes)
 * and is not the till's on-device figure: that is the Chromium case (chromium-download.ts).
 */
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { summarize, type BenchResult } from '../../../bench/harness.ts';
import { createTillDatabase, tillStorage } from '../../../renderer/src/db/database.ts';
import { PULLED_COLLECTIONS, TillSync } from '../../../renderer/src/db/replication.ts';
import type { PulledCollectionName } from '../../../renderer/src/db/replication.ts';
import { SyncClient } from '../../../renderer/src/db/sync-client.ts';
import { HQ_TOKEN, type Harness } from '../../../sync-server/test/harness.ts';

export interface DownloadOptions {
  /** Products seeded at the server (rows include one extra per additional barcode). */
  readonly products: number;
  readonly runs: number;
  readonly target: string;
}

const fast = { baseMs: 20, maxMs: 200, factor: 2, jitter: 0 };

async function count(h: Harness, sql: string): Promise<number> {
  const rows = await h.db.query<{ n: string }>(sql);
  return Number(rows[0]?.n ?? -1);
}

async function downloadOnce(
  h: Harness,
  run: number,
  expectedProductRows: number,
): Promise<{ products: number; all: number }> {
  const client = new SyncClient({ baseUrl: h.base, clientVersion: '1.0.0' });
  const code = await h.json<{ code: string }>('/admin/enrollment-codes', {
    token: HQ_TOKEN,
    body: { storeId: 'S01' },
    tillHeaders: false,
  });
  if (code.status !== 201) throw new Error(`enrollment code: ${code.status}`);
  await client.enroll({ enrollmentCode: code.body.code, deviceName: `Download ${run}`, appVersion: '1.0.0' });
  const db = await createTillDatabase({
    name: `bench-download-${run}-${Date.now()}`,
    storage: tillStorage({ indexedDB, IDBKeyRange }),
  });
  const sync = new TillSync({ db, client, backoff: fast, random: () => 0 });
  try {
    const started = performance.now();
    await sync.start();
    if (process.env.BENCH_DEBUG !== undefined)
      console.log(`    started ${(performance.now() - started).toFixed(0)} ms`);
    const initialPull = async (name: PulledCollectionName): Promise<void> => {
      await sync.initialPull(name);
      if (process.env.BENCH_DEBUG !== undefined)
        console.log(`    ${name} ${(performance.now() - started).toFixed(0)} ms`);
    };
    const productsDone = initialPull('products').then(() => performance.now() - started);
    // Awaited below; a failure of the whole pull reports itself through Promise.all first.
    productsDone.catch(() => undefined);
    await Promise.all(PULLED_COLLECTIONS.map(initialPull));
    const all = performance.now() - started;
    const products = await productsDone;
    const stored = await db.products.count().exec();
    if (stored !== expectedProductRows) {
      throw new Error(`run ${run}: ${stored} product rows in RxDB, the server has ${expectedProductRows}`);
    }
    return { products, all };
  } finally {
    await sync.stop();
    await db.remove();
  }
}

/** Runs the downloads and returns [products/s until products are in, products/s until all collections are]. */
export async function runCatalogDownload(
  h: Harness,
  options: DownloadOptions,
): Promise<readonly BenchResult[]> {
  const productRows = await count(h, 'select count(*)::text as n from products where not deleted');
  const untilProducts: number[] = [];
  const untilAll: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const { products, all } = await downloadOnce(h, run, productRows);
    untilProducts.push(options.products / (products / 1000));
    untilAll.push(options.products / (all / 1000));
    console.log(
      `  download run ${run + 1}: products in ${(products / 1000).toFixed(1)} s, ` +
        `every collection in ${(all / 1000).toFixed(1)} s (${productRows} product rows)`,
    );
  }
  const label = `${options.products} products, Node + Dexie on fake-indexeddb`;
  return [
    summarize(`catalog download, products done (${label})`, 'products/s', untilProducts, options.target),
    summarize(`catalog download, all collections done (${label})`, 'products/s', untilAll),
  ];
}
