/**
 * Initial catalog download into the till's RxDB in a real browser: Debian's Chromium (headless, through
 * playwright-core) runs the till's database (Dexie on Chromium's own IndexedDB) and replication, bundled
 * with esbuild from the renderer's sources, against a seeded sync server on 127.0.0.1. The page is
 * served at the sync server's own origin by request interception (the server has no page of its own and
 * sends no CORS headers; the till's requests then go straight to it, same origin). Each run is a fresh
 * device with an empty database; the figure is products per second until the products collection
 * finished its first pull.
 *
 * Each run gets its own browser profile on disk, as a till has. Not an incognito context: Chromium keeps
 * an incognito origin's IndexedDB in memory, in a store whose writes slow down with every row already
 * there (measured here: 1,000 puts took 0.1 s on an empty store and 1 s at 40,000 rows, against a flat
 * 0.14 s on disk), which would measure something no till runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { summarize, type BenchResult } from '../../../bench/harness.ts';
import { HQ_TOKEN, type Harness } from '../../../sync-server/test/harness.ts';
import type { DownloadRequest, DownloadResult } from './browser/download-page.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

const PAGE_ENTRY = fileURLToPath(new URL('./browser/download-page.ts', import.meta.url));

export interface ChromiumDownloadOptions {
  /** Products seeded at the server (rows include one extra per additional barcode). */
  readonly products: number;
  readonly runs: number;
  readonly target: string;
  readonly pullBatchSize?: number;
  /** Writes a CPU profile of the page's main thread per run (Chrome DevTools format) to this folder. */
  readonly profileDir?: string;
}

/** The page's script: the renderer's database and replication for the browser, one IIFE. */
export async function bundleDownloadPage(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [PAGE_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    legalComments: 'none',
    // Readable function names in CPU profiles; the size does not matter to a page loaded from memory.
    minify: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output for the download page');
  return output.text;
}

async function enrollmentCode(h: Harness): Promise<string> {
  const code = await h.json<{ code: string }>('/admin/enrollment-codes', {
    token: HQ_TOKEN,
    body: { storeId: 'S01' },
    tillHeaders: false,
  });
  if (code.status !== 201) throw new Error(`enrollment code: ${code.status}`);
  return code.body.code;
}

/** An IndexedDB engine of Chromium, and the switches that select it. */
export interface IndexedDbEngine {
  readonly name: string;
  readonly args: readonly string[];
}

/**
 * IndexedDB's two engines in this Chromium, measured in turn in one run: LevelDB, the default the till
 * runs on, and SQLite, which Chromium is rolling out for new stores. The till does not switch SQLite on
 * itself: forced by the switch, it leaves a store that was created on LevelDB unread (measured with
 * Chromium 150: a value written before the switch reads back as missing), and a till's outbox of sales
 * not yet synced lives there. The row tells what the download gains once the engine ships.
 */
export const INDEXEDDB_ENGINES: readonly IndexedDbEngine[] = [
  { name: 'IndexedDB on LevelDB, Chromium’s default', args: [] },
  { name: 'IndexedDB on SQLite, Chromium’s next engine', args: ['--enable-features=IdbSqliteBackingStore'] },
];

/** Runs `use` in a Chromium with a new profile on disk (a fresh device), removed afterwards. */
async function withFreshProfile(
  engine: IndexedDbEngine,
  use: (context: BrowserContext) => Promise<void>,
): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'omnitill-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...engine.args],
  });
  try {
    await use(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function openPage(context: BrowserContext, origin: string, script: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    console.error(`  page error: ${error.message}`);
  });
  const pageUrl = `${origin}/omnitill-bench/download.html`;
  await page.route(pageUrl, (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: '<!doctype html><meta charset="utf-8"><title>download</title><script src="download.js"></script>',
    }),
  );
  await page.route(`${origin}/omnitill-bench/download.js`, (route) =>
    route.fulfill({ contentType: 'text/javascript; charset=utf-8', body: script }),
  );
  await page.goto(pageUrl);
  // The till's own requests must not pass through the interception.
  await page.unrouteAll();
  await page.waitForFunction(() => typeof window.omnitillDownload === 'function');
  return page;
}

export async function runChromiumDownload(
  h: Harness,
  options: ChromiumDownloadOptions,
): Promise<readonly BenchResult[]> {
  const script = await bundleDownloadPage();
  const expectedRows = Number(
    (await h.db.query<{ n: string }>('select count(*)::text as n from products where not deleted'))[0]?.n ??
      -1,
  );
  const origin = new URL(h.base).origin;
  const untilProducts = new Map<IndexedDbEngine, number[]>(INDEXEDDB_ENGINES.map((e) => [e, []]));
  const untilAll = new Map<IndexedDbEngine, number[]>(INDEXEDDB_ENGINES.map((e) => [e, []]));
  // The engines take turns, run after run, so a change in the machine's load touches both alike.
  for (let run = 0; run < options.runs; run++) {
    for (const engine of INDEXEDDB_ENGINES) {
      await withFreshProfile(engine, async (context) => {
        const page = await openPage(context, origin, script);
        try {
          const request: DownloadRequest = {
            baseUrl: h.base,
            enrollmentCode: await enrollmentCode(h),
            run,
            ...(options.pullBatchSize === undefined ? {} : { pullBatchSize: options.pullBatchSize }),
          };
          const cdp = options.profileDir === undefined ? undefined : await page.context().newCDPSession(page);
          if (cdp !== undefined) {
            await cdp.send('Profiler.enable');
            await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
            await cdp.send('Profiler.start');
          }
          const result: DownloadResult = await page.evaluate(async (r) => {
            const download = window.omnitillDownload;
            if (download === undefined) throw new Error('the download page did not load');
            return download(r);
          }, request);
          if (cdp !== undefined && options.profileDir !== undefined) {
            const { profile } = await cdp.send('Profiler.stop');
            const { writeFileSync } = await import('node:fs');
            const file = `chromium-download-${engine.args.length === 0 ? 'leveldb' : 'sqlite'}-${run}.cpuprofile`;
            writeFileSync(`${options.profileDir}/${file}`, JSON.stringify(profile));
          }
          if (result.productDocs !== expectedRows) {
            throw new Error(
              `run ${run}: ${result.productDocs} product rows in RxDB, the server has ${expectedRows}`,
            );
          }
          untilProducts.get(engine)?.push(options.products / (result.productsMs / 1000));
          untilAll.get(engine)?.push(options.products / (result.allMs / 1000));
          const per = Object.entries(result.collections)
            .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`)
            .join(', ');
          console.log(
            `  Chromium run ${run + 1}, ${engine.name}: products in ${(result.productsMs / 1000).toFixed(2)} s ` +
              `(${Math.round(options.products / (result.productsMs / 1000))}/s), every collection in ` +
              `${(result.allMs / 1000).toFixed(2)} s [${per}]`,
          );
        } finally {
          await page.close();
        }
      });
    }
  }
  return INDEXEDDB_ENGINES.flatMap((engine) => {
    const label = `${options.products} products, Chromium + Dexie, ${engine.name}`;
    return [
      summarize(
        `catalog download, products done (${label})`,
        'products/s',
        untilProducts.get(engine) ?? [],
        options.target,
      ),
      summarize(
        `catalog download, all collections done (${label})`,
        'products/s',
        untilAll.get(engine) ?? [],
      ),
    ];
  });
}

/**
 * The same browser's IndexedDB on its own: product-shaped records put in transactions of 1,000 into one
 * store with the index layout RxDB's Dexie storage gives the products collection ([_deleted, field,
 * id] for barcode, nameKey and skuKey; [_meta.lwt, id]), in a fresh on-disk profile. No replication,
 * no RxDB: the ceiling the catalog download works under on this machine, measured in the same run.
 */
const IDB_CEILING_PAGE = `async (total) => {
  const open = () => new Promise((resolve, reject) => {
    const request = indexedDB.open('ceiling', 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore('docs', { keyPath: 'id' });
      for (const field of ['barcode', 'nameKey', 'skuKey']) store.createIndex(field, ['_deleted', field, 'id']);
      store.createIndex('lwt', ['_meta.lwt', 'id']);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const db = await open();
  const started = performance.now();
  for (let first = 0; first < total; first += 1000) {
    await new Promise((resolve, reject) => {
      const tx = db.transaction('docs', 'readwrite');
      const store = tx.objectStore('docs');
      for (let n = first; n < Math.min(first + 1000, total); n++) {
        const id = 'P' + String(n).padStart(7, '0');
        store.put({
          id, _deleted: '0', _rev: '1-a', _attachments: {}, _meta: { lwt: 1700000000000 + n },
          barcode: '20' + String(n).padStart(11, '0'), nameKey: 'product name ' + n, skuKey: 'sku-' + n,
          sku: 'SKU-' + n, name: 'Product name ' + n, categoryId: 'CAT-' + (n % 12), taxClassId: 'TC-STD',
          unit: 'each', active: true, sellable: true, updatedAt: '2026-01-01T00:00:00.000Z',
        });
      }
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
  }
  return performance.now() - started;
}`;

export async function runIndexedDbCeiling(options: {
  readonly products: number;
  readonly runs: number;
}): Promise<readonly BenchResult[]> {
  const rates = new Map<IndexedDbEngine, number[]>(INDEXEDDB_ENGINES.map((e) => [e, []]));
  for (let run = 0; run < options.runs; run++) {
    for (const engine of INDEXEDDB_ENGINES) {
      await withFreshProfile(engine, async (context) => {
        const page = await context.newPage();
        // Any http origin has IndexedDB; this one is answered by the driver and never reaches a network.
        const url = 'http://omnitill-bench.invalid/';
        await page.route(url, (route) =>
          route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>ceiling</title>' }),
        );
        await page.goto(url);
        const ms: unknown = await page.evaluate(`(${IDB_CEILING_PAGE})(${String(options.products)})`);
        if (typeof ms !== 'number') throw new Error(`the IndexedDB ceiling page answered ${String(ms)}`);
        rates.get(engine)?.push(options.products / (ms / 1000));
        console.log(
          `  IndexedDB alone, run ${run + 1}, ${engine.name}: ${options.products} puts in ${(ms / 1000).toFixed(2)} s`,
        );
      });
    }
  }
  return INDEXEDDB_ENGINES.map((engine) =>
    summarize(
      `IndexedDB alone: product-shaped puts, RxDB's index layout (${options.products}, ${engine.name})`,
      'products/s',
      rates.get(engine) ?? [],
    ),
  );
}
