/**
 * The Electron security checks of architecture-anchors §9 (external navigation blocked,
 * window.open denied, window.pos has exactly the contract keys, no require/process in the page),
 * run against a real Electron through Playwright's `_electron`. Reported as skipped, with the
 * reason in its title, wherever no Electron binary is installed; the same checks run in Chromium
 * against the web host in web-host.e2e.test.ts, and with Electron faked in src/electron/*.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

function electronBinary(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('electron/package.json'));
    // electron's postinstall writes path.txt once the binary is downloaded.
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const hasElectronBinary = binary !== null;
const title = hasElectronBinary
  ? 'Electron security (real binary)'
  : "skipped: no Electron binary (electron's postinstall download is unavailable here)";

describe(title, () => {
  it.skipIf(!hasElectronBinary)(
    'window.pos has exactly the contract keys and no Node globals leak',
    async () => {
      const { _electron } = await import('playwright-core');
      const { BRIDGE_KEYS } = await import('../src/contract.ts');
      // The bundled main, preload and renderer, as `npm run build` (electron-vite) writes them.
      const root = join(import.meta.dirname, '..', '..');
      execFileSync(
        process.execPath,
        [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
        {
          cwd: root,
          stdio: 'inherit',
        },
      );
      const main = join(root, 'out', 'main', 'entry.js');
      expect(existsSync(main), `the Electron build did not write ${main}`).toBe(true);
      const app = await _electron.launch({ executablePath: binary ?? '', args: [main] });
      try {
        const page = await app.firstWindow();
        expect(
          await page.evaluate(() => Object.keys((globalThis as unknown as { pos: object }).pos).sort()),
        ).toEqual(BRIDGE_KEYS);
        expect(
          await page.evaluate(() => [
            typeof (globalThis as Record<string, unknown>).require,
            typeof (globalThis as Record<string, unknown>).process,
          ]),
        ).toEqual(['undefined', 'undefined']);
        const before = page.url();
        await page.evaluate(() => {
          (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
        });
        await page.waitForTimeout(500);
        expect(page.url()).toBe(before);
        expect(
          await page.evaluate(() =>
            (globalThis as unknown as { open: (u: string) => unknown }).open('https://example.com/'),
          ),
        ).toBeNull();
      } finally {
        await app.close();
      }
    },
  );
});
