/**
 * `npm run bench -- sync-till`: the till side of sync, which needs the renderer's RxDB and so cannot
 * live in sync-server/bench (its project does not include the renderer). The initial download of a
 * BENCH_PRODUCTS-product catalog (default 100,000; seeded once per run of the suite) from a sync server
 * on PostgreSQL 15 (the throwaway test server) into a till in Node: Dexie over fake-indexeddb, not
 * Chromium. BENCH_DOWNLOAD_RUNS (default 3) fresh tills download it one after another; BENCH_DEBUG=1
 * prints when each collection finished its first pull.
 */
import type { BenchSuite } from '../../../bench/harness.ts';
import { seedDemo } from '../../../sync-server/src/seed/demo-seed.ts';
import { startHarness } from '../../../sync-server/test/harness.ts';
import { startPostgres } from '../../../sync-server/test/postgres-server.ts';
import { runCatalogDownload } from './catalog-download.ts';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

export const suite: BenchSuite = {
  name: 'sync-till',
  description:
    'till sync: initial catalog download into RxDB (Node, Dexie on fake-indexeddb), server on PostgreSQL 15',
  async run() {
    const products = envInt('BENCH_PRODUCTS', 100_000);
    const runs = envInt('BENCH_DOWNLOAD_RUNS', 3);
    const postgres = await startPostgres();
    try {
      const h = await startHarness({ kind: 'postgres', server: postgres }, { minClientVersion: '0.1.0' });
      try {
        const seedStarted = performance.now();
        await seedDemo(h.db, { products });
        console.log(
          `  seeded ${products} products in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
        );
        return await runCatalogDownload(h, { products, runs, target: '≥ 10,000 products/s' });
      } finally {
        await h.close();
      }
    } finally {
      await postgres.stop();
    }
  },
};
