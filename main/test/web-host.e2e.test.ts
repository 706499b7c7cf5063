/**
 * The web host in a real Chromium (Debian's, via playwright-core): the page gets `window.pos`
 * from the injected /pos-bridge.js with exactly the contract's functions plus `on`, commands
 * round-trip over the authenticated WebSocket, and no Node global leaks into the page.
 *
 * This must fail, not skip, when Chromium is missing: CI installs it, and a silently skipped
 * security test is worse than a red one.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_KEYS } from '../src/contract.ts';
import { buildBrowserBridge } from '../src/web-host/bridge-bundle.ts';
import { startHostFixture, type HostFixture } from './web-host-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';

describe('web host in Chromium', () => {
  let browser: Browser;
  let fixture: HostFixture;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is required for this test (apt-get install chromium)`).toBe(
      true,
    );
    fixture = await startHostFixture({ bridgeScript: await buildBrowserBridge() });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await fixture.close();
  });

  it('exposes exactly the contract on window.pos, round-trips a command and leaks no Node global', async () => {
    const page = await browser.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
    });
    await page.goto(`${fixture.host.origin}/`);

    const keys = await page.evaluate(() =>
      Object.keys((globalThis as unknown as { pos: object }).pos).sort(),
    );
    expect(keys).toEqual(BRIDGE_KEYS);
    const allFunctions = await page.evaluate(() =>
      Object.values((globalThis as unknown as { pos: object }).pos).every(
        (value) => typeof value === 'function',
      ),
    );
    expect(allFunctions).toBe(true);

    const info = await page.evaluate(() =>
      (globalThis as unknown as { pos: { 'app.getInfo': () => Promise<unknown> } }).pos['app.getInfo'](),
    );
    expect(info).toEqual({
      ok: true,
      value: {
        appName: 'Omnitill',
        appVersion: '0.1.0',
        host: 'web',
        platform: 'linux',
        startedAt: '2026-11-23T10:00:00.000Z',
      },
    });

    const hostile = await page.evaluate(() =>
      (globalThis as unknown as { pos: { 'journal.append': (input: unknown) => Promise<unknown> } }).pos[
        'journal.append'
      ]({ eventId: '../x', type: 'sale.completed', payload: {} }),
    );
    expect(hostile).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    const globals = await page.evaluate(() => [
      typeof (globalThis as Record<string, unknown>).require,
      typeof (globalThis as Record<string, unknown>).process,
      typeof (globalThis as Record<string, unknown>).Buffer,
    ]);
    expect(globals).toEqual(['undefined', 'undefined', 'undefined']);

    // The bridge cannot be replaced by page scripts, and the token left the DOM.
    const replaced = await page.evaluate(() => {
      try {
        (globalThis as Record<string, unknown>).pos = {};
      } catch {
        // strict-mode assignment to a read-only property throws; sloppy mode ignores it
      }
      return Object.keys((globalThis as unknown as { pos: object }).pos).length;
    });
    expect(replaced).toBe(BRIDGE_KEYS.length);
    expect(await page.locator('meta[name="pos-bridge-token"]').count()).toBe(0);

    // An inline script is refused by the CSP header.
    await page.evaluate(() => {
      const doc = (
        globalThis as unknown as {
          document: {
            createElement(tag: string): { textContent: string };
            body: { appendChild(node: unknown): void };
          };
        }
      ).document;
      const script = doc.createElement('script');
      script.textContent = 'globalThis.inlineRan = true';
      doc.body.appendChild(script);
    });
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>).inlineRan)).toBeUndefined();
    expect(cspViolations.length).toBeGreaterThan(0);
    await page.close();
  }, 60_000);

  it('delivers events to on() subscribers and stops after unsubscribe', async () => {
    const page = await browser.newPage();
    await page.goto(`${fixture.host.origin}/`);
    const seen = await page.evaluate(async () => {
      interface Pos {
        on: (event: string, cb: (payload: { tillName: string }) => void) => () => void;
        'settings.set': (patch: unknown) => Promise<unknown>;
      }
      const pos = (globalThis as unknown as { pos: Pos }).pos;
      const names: string[] = [];
      const off = pos.on('settings.changed', (payload) => names.push(payload.tillName));
      await pos['settings.set']({ tillName: 'Front till' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      off();
      await pos['settings.set']({ tillName: 'Back till' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      return names;
    });
    expect(seen).toEqual(['Front till']);
    await page.close();
  }, 60_000);
});
