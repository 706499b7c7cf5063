/**
 * `npm run bench -- till`: the cashier's till in Debian's Chromium through the web host, against the
 * demo store seeded with TILL_BENCH_PRODUCTS products (default 100,000; e.g. 1000000 for the 1M row),
 * with every device simulated. Measured from outside the page, so each figure includes the
 * DevTools-protocol round trip (a few ms) — an upper bound of what the cashier sees:
 * - scan to priced line on screen: a wedge scan (keys typed at scanner speed, Enter) until the new
 *   line shows its amount; TILL_BENCH_SCANS scans (default 120) of random catalog products;
 * - search first results: a name prefix typed into the scan field until the first results show;
 * - cold start to ready: a reload of the page (catalog already local) until the till answers input;
 * - tender to durable sale: Exact cash until "Sale complete" (journal fsync, outbox insert, receipt);
 * - renderer memory: the page's JS heap after the run (Chromium's Performance.getMetrics).
 */
import type { Page } from 'playwright-core';
import type { BenchResult, BenchSuite } from '../../../bench/harness.ts';
import { summarize } from '../../../bench/harness.ts';
import { CASHIER, demoProduct, startTillRig } from '../till-fixture.ts';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

const debug = (text: string): void => {
  if (process.env.TILL_BENCH_DEBUG !== undefined) console.log(`[till bench] ${text}`);
};

export const suite: BenchSuite = {
  name: 'till',
  description: 'the till in Chromium through the web host: scan, search, cold start, tender, memory',
  async run() {
    const products = envInt('TILL_BENCH_PRODUCTS', 100_000);
    const scans = envInt('TILL_BENCH_SCANS', 120);
    const rig = await startTillRig({ products });
    const results: BenchResult[] = [];
    try {
      const { page, context } = await rig.newTill();
      const cdp = await context.newCDPSession(page);
      await page.getByRole('textbox', { name: 'Staff code' }).waitFor({ timeout: 120_000 });
      await page.getByRole('textbox', { name: 'Staff code' }).fill(CASHIER.code);
      await page.getByRole('button', { name: 'Next' }).click();
      for (const digit of CASHIER.pin) await page.getByRole('button', { name: digit, exact: true }).click();
      await page.getByRole('button', { name: 'Sign in' }).click();
      const field = page.getByRole('combobox', { name: 'Scan or search' });
      await field.waitFor();
      debug('signed in');

      // The whole catalog is local once the last product scans.
      const downloadStart = Date.now();
      // The newest plain product (no age check, not weighed): it arrives with the last page.
      let lastN = products;
      while (lastN % 40 === 0 || lastN % 25 === 0) lastN -= 1;
      const last = demoProduct(lastN);
      for (;;) {
        await field.focus();
        await page.keyboard.type(last.barcode);
        await page.keyboard.press('Enter');
        try {
          await page.waitForFunction(
            () => document.querySelectorAll('[data-testid="cart-line"]').length > 0,
            null,
            {
              timeout: 2000,
            },
          );
          break;
        } catch {
          if (Date.now() - downloadStart > 30 * 60_000) throw new Error('the catalog never arrived');
          if (process.env.TILL_BENCH_DEBUG !== undefined)
            await page.screenshot({ path: '/tmp/till-bench.png' });
          await page.keyboard.press('Escape');
          await field.fill('');
        }
      }
      const downloadS = (Date.now() - downloadStart) / 1000;
      debug(`catalog local after ${downloadS} s`);
      results.push({
        name: `catalog download to the page, ${products} products (from sign-in)`,
        unit: 'products/s',
        p50: Math.round(products / downloadS),
        p95: Math.round(products / downloadS),
        p99: Math.round(products / downloadS),
        samples: 1,
        target: '≥ 10,000',
      });

      // Scan to priced line.
      const scanTimes: number[] = [];
      let seed = 12345;
      const random = (): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      for (let i = 0; i < scans; i++) {
        let n = 1 + Math.floor(random() * products);
        while (n % 25 === 0 || n % 40 === 0) n += 1; // not weighed, not age-checked
        const { barcode } = demoProduct(Math.min(n, products));
        // A new line, or one more of a product already in the basket: either way the total changes.
        const before = await page.getByTestId('sale-total').innerText();
        const started = performance.now();
        await page.keyboard.type(barcode);
        await page.keyboard.press('Enter');
        await page.waitForFunction(
          (previous) => {
            const total = document.querySelector('[data-testid="sale-total"]')?.textContent ?? '';
            return total !== previous && total.includes('€');
          },
          before,
          { timeout: 10_000, polling: 5 },
        );
        scanTimes.push(performance.now() - started);
        debug(`scan ${i}: ${Math.round(performance.now() - started)} ms`);
        // Keep the cart near 20 lines, as a real basket: pay and start again.
        if ((i + 1) % 20 === 0) await tenderCash(page, []);
      }
      results.push(summarize(`scan to priced line, ${products} products`, 'ms', scanTimes, 'p95 ≤ 50 ms'));

      // Tender to durable sale.
      const tenderTimes: number[] = [];
      for (let i = 0; i < 15; i++) {
        await page.keyboard.type(demoProduct(7).barcode);
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="cart-line"]').length > 0);
        await tenderCash(page, tenderTimes);
      }
      results.push(
        summarize('tender to durable sale (Exact cash → Sale complete)', 'ms', tenderTimes, 'p95 ≤ 100 ms'),
      );

      // Search first results.
      const searchTimes: number[] = [];
      const prefixes = [
        'sm',
        'la',
        'ge',
        'in',
        'er',
        'ta',
        'gr',
        'ru',
        'fa',
        'so',
        'ch',
        'co',
        'pa',
        'me',
        'wo',
      ];
      for (let round = 0; round < 3; round++) {
        for (const prefix of prefixes) {
          await field.fill('');
          const started = performance.now();
          await field.fill(prefix);
          await page
            .getByRole('listbox', { name: 'Search results' })
            .getByRole('option')
            .first()
            .waitFor({ timeout: 10_000 });
          searchTimes.push(performance.now() - started);
        }
      }
      await field.fill('');
      results.push(
        summarize(
          `search first results, ${products} products (incl. debounce)`,
          'ms',
          searchTimes,
          'p95 ≤ 50 ms',
        ),
      );

      // Renderer memory.
      await cdp.send('Performance.enable');
      const heap = (await cdp.send('Performance.getMetrics')).metrics.find(
        (m) => m.name === 'JSHeapUsedSize',
      );
      const mb = (heap?.value ?? 0) / 1024 / 1024;
      results.push({
        name: `renderer JS heap, ${products} products`,
        unit: 'MB',
        p50: Math.round(mb),
        p95: Math.round(mb),
        p99: Math.round(mb),
        samples: 1,
        target: '≤ 300 MB',
      });

      // Cold start: reload with the catalog local, until the till takes input (sign-in or lock).
      const startTimes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await page.reload();
        await page
          .getByRole('dialog', { name: 'Till locked' })
          .or(page.getByRole('region', { name: 'Sign in' }))
          .first()
          .waitFor({ timeout: 30_000 });
        startTimes.push(performance.now() - started);
      }
      results.push(summarize('cold start to ready (reload, catalog local)', 'ms', startTimes, '≤ 2,000 ms'));
      await context.close();
    } finally {
      await rig.close();
    }
    return results;
  },
};

async function tenderCash(page: Page, times: number[]): Promise<void> {
  await page.keyboard.press('F12');
  const exact = page.getByRole('button', { name: /^Exact cash/ });
  await exact.waitFor();
  const started = performance.now();
  await exact.click();
  await page.getByTestId('sale-complete').waitFor({ timeout: 20_000 });
  times.push(performance.now() - started);
  await page.getByRole('button', { name: /^New sale/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="cart-line"]').length === 0);
}
