/**
 * `npm run bench -- sync-till`: the till side of sync, which needs the renderer's RxDB and so cannot
 * live in sync-server/bench (its project does not include the renderer). The initial download of a
 * BENCH_PRODUCTS-product catalog (default 100,000; seeded once per run of the suite) from a sync server
 * on PostgreSQL 15 (the throwaway test server) into a fresh till, measured two ways:
 * - in Debian's Chromium (/usr/bin/chromium, headless): the till's database on Chromium's IndexedDB, the
 *   figure targets.md means (≥ 10,000 products/s); BENCH_BROWSER_RUNS runs (default 3) of each of
 *   IndexedDB's two engines, taking turns: LevelDB, Chromium's default and the till's, and SQLite,
 *   which Chromium is rolling out (chromium-download.ts says why the till does not force it);
 * - beside it, the same Chromium's IndexedDB alone (raw puts, RxDB's index layout): the ceiling of
 *   this machine, for comparison in the same run;
 * - in Node, Dexie over fake-indexeddb (an IndexedDB written in JavaScript, several times slower than a
 *   browser's): BENCH_DOWNLOAD_RUNS runs (default 1; 0 skips it), for comparison only.
 * BENCH_PULL_BATCH overrides the till's pull batch size; BENCH_PROFILE_DIR writes a CPU profile of the
 * page per Chromium run; BENCH_DEBUG=1 prints when each collection finished its first pull in Node.
 */
import type { BenchResult, BenchSuite } from '../../../bench/harness.ts';
import { seedDemo } from '../../../sync-server/src/seed/demo-seed.ts';
import { startHarness } from '../../../sync-server/test/harness.ts';
import { startPostgres } from '../../../sync-server/test/postgres-server.ts';
import { runCatalogDownload } from './catalog-download.ts';
import { runChromiumDownload, runIndexedDbCeiling } from './chromium-download.ts';

const TARGET = '≥ 10,000 products/s';

function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}`);
  return value;
}

export const suite: BenchSuite = {
  name: 'sync-till',
  description:
    'till sync: initial catalog download into RxDB (Chromium + IndexedDB; Node + fake-indexeddb), server on PostgreSQL 15',
  async run() {
    const products = envInt('BENCH_PRODUCTS', 100_000);
    const browserRuns = envInt('BENCH_BROWSER_RUNS', 3, 0);
    const nodeRuns = envInt('BENCH_DOWNLOAD_RUNS', 1, 0);
    const batch = process.env.BENCH_PULL_BATCH;
    const pullBatchSize = batch === undefined || batch === '' ? undefined : envInt('BENCH_PULL_BATCH', 1);
    const profileDir = process.env.BENCH_PROFILE_DIR;
    const postgres = await startPostgres();
    try {
      const h = await startHarness({ kind: 'postgres', server: postgres }, { minClientVersion: '0.1.0' });
      try {
        const seedStarted = performance.now();
        await seedDemo(h.db, { products });
        console.log(
          `  seeded ${products} products in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
        );
        const results: BenchResult[] = [];
        if (browserRuns > 0) {
          results.push(
            ...(await runChromiumDownload(h, {
              products,
              runs: browserRuns,
              target: TARGET,
              ...(pullBatchSize === undefined ? {} : { pullBatchSize }),
              ...(profileDir === undefined || profileDir === '' ? {} : { profileDir }),
            })),
          );
          results.push(...(await runIndexedDbCeiling({ products, runs: browserRuns })));
        }
        if (nodeRuns > 0) {
          results.push(...(await runCatalogDownload(h, { products, runs: nodeRuns, target: TARGET })));
        }
        return results;
      } finally {
        await h.close();
      }
    } finally {
      await postgres.stop();
    }
  },
};
