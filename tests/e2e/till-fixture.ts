/**
 * The end-to-end rig: the demo store exactly as `npm start` builds it (sync server on PGlite with
 * the demo seed, device simulators, the hardware worker under main's supervisor, an enrolled till on
 * the web host), plus Debian's Chromium driven by playwright-core. Chromium is required: a missing
 * browser fails the suite rather than skipping it.
 *
 * Each till is a Chromium with its own profile on disk, as a till's browser or Electron shell has. An
 * incognito context would keep the till's IndexedDB in memory, where writes slow down with every row
 * already stored (a 20,000-product catalog took three times as long), which no till runs.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startDemo, type Demo } from '../../main/src/demo/start-demo.ts';
import { silentLogger } from '../../main/src/logging/logger.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The demo seed's staff (sync-server/src/seed/demo-seed.ts): codes and PINs of store S01. */
export const MANAGER = { code: '100', pin: '1111' } as const;
export const CASHIER = { code: '102', pin: '3333' } as const;

export interface TillRig {
  readonly demo: Demo;
  readonly dataDir: string;
  newTill(options?: { locale?: string }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export interface TillRigOptions {
  readonly products?: number;
  /**
   * Keep the store (server data, the till's data, the browser profile) in this folder and reuse it when
   * it is there: a benchmark can measure selling against a million-product till more than once without
   * seeding and downloading the catalog again. Kept at close. The till and the server get fixed ports,
   * since the browser keeps a page's IndexedDB per origin and the till its checkpoints per server.
   */
  readonly stateDir?: string;
}

/** The ports for a kept state folder: origins the kept browser profile and the till's settings know. */
const KEPT_STATE_TILL_PORT = 47_311;
const KEPT_STATE_SERVER_PORT = 47_312;

export async function startTillRig(options: TillRigOptions = {}): Promise<TillRig> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is required (apt-get install chromium)`);
  const kept = options.stateDir;
  const dataDir = kept ?? (await mkdtemp(join(tmpdir(), 'omnitill-e2e-')));
  if (kept !== undefined) await mkdir(kept, { recursive: true });
  const demo = await startDemo({
    dataDir,
    // The till knows its server by origin: a new port would make it enrol and download again.
    serverPort: kept === undefined ? 0 : KEPT_STATE_SERVER_PORT,
    tillPort: kept === undefined ? 0 : KEPT_STATE_TILL_PORT,
    products: options.products ?? 400,
    buildRenderer: true,
    logger: silentLogger,
  });
  const tills: BrowserContext[] = [];
  return {
    demo,
    dataDir,
    async newTill(tillOptions = {}) {
      const profile =
        kept === undefined
          ? await mkdtemp(join(dataDir, 'chromium-profile-'))
          : join(kept, 'chromium-profile');
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        args: CHROMIUM_ARGS,
        viewport: { width: 1366, height: 800 },
        locale: tillOptions.locale ?? 'en-GB',
      });
      tills.push(context);
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(demo.tillUrl);
      return { context, page };
    },
    async close() {
      for (const context of tills) await context.close().catch(() => undefined);
      await demo.close();
      if (kept === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The demo seed's product n: its id and EAN-13 (prefix 20, then n on ten digits, check digit). */
export function demoProduct(n: number): { productId: string; barcode: string } {
  const body = `20${String(n).padStart(10, '0')}`;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[i]) * (i % 2 === 0 ? 1 : 3);
  return { productId: `P${String(n).padStart(7, '0')}`, barcode: `${body}${(10 - (sum % 10)) % 10}` };
}
