import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ENROLLMENT_CODE_ENV, DEMO_SYNC_ORIGIN_ENV } from '../electron/demo-enrolment.ts';
import { DEVICES_FILE, readDeviceConfig } from '../electron/devices-file.ts';
import { silentLogger } from '../logging/logger.ts';
import { chooseDemoMode, findElectronBinary, hasDisplay, launchElectronDemo } from './electron-demo.ts';
import { freePort } from './start-demo.ts';

describe('the demo mode', () => {
  const found = { found: true, path: '/opt/electron/electron' } as const;
  const missing = { found: false, problem: 'its download never ran' } as const;

  it.each([
    [
      'binary present, display, no --web',
      false,
      found,
      true,
      'electron',
      'desktop mode: Electron found at /opt/electron/electron',
    ],
    [
      'binary absent',
      false,
      missing,
      true,
      'web',
      'web mode: no Electron binary is installed here (its download never ran)',
    ],
    ['--web with the binary present', true, found, true, 'web', 'web mode: --web was given'],
    ['--web with the binary absent', true, missing, true, 'web', 'web mode: --web was given'],
    [
      'binary present but no display',
      false,
      found,
      false,
      'web',
      'web mode: Electron is installed (/opt/electron/electron) but there is no display',
    ],
  ] as const)('%s: %s mode', (_case, web, electron, display, mode, reason) => {
    const chosen = chooseDemoMode({ web, electron, display });
    expect(chosen.mode).toBe(mode);
    expect(chosen.reason.startsWith(reason)).toBe(true);
    if (chosen.mode === 'electron') expect(chosen.binary).toBe('/opt/electron/electron');
  });

  it.each([
    ['the package exports an existing path', () => '/e/electron', true, { found: true, path: '/e/electron' }],
    [
      'the path it exports is gone',
      () => '/e/electron',
      false,
      { found: false, problem: 'the electron package names /e/electron, which is missing' },
    ],
    [
      'the download never ran (require throws)',
      () => {
        throw new Error('Electron failed to install correctly, please delete node_modules/electron');
      },
      true,
      { found: false, problem: expect.stringContaining('binary download never ran') as unknown },
    ],
    [
      'the package is not installed',
      () => {
        throw Object.assign(new Error("Cannot find module 'electron'"), { code: 'MODULE_NOT_FOUND' });
      },
      true,
      { found: false, problem: 'the electron package is not installed' },
    ],
  ])('findElectronBinary: %s', (_case, load, exists, expected) => {
    expect(findElectronBinary(load, () => exists)).toEqual(expected);
  });

  it.each([
    [{ DISPLAY: ':0' }, 'linux', true],
    [{ WAYLAND_DISPLAY: 'wayland-0' }, 'linux', true],
    [{}, 'linux', false],
    [{ DISPLAY: '' }, 'linux', false],
    [{}, 'darwin', true],
    [{}, 'win32', true],
  ] as const)('hasDisplay(%o, %s) = %s', (env, platform, expected) => {
    expect(hasDisplay(env, platform)).toBe(expected);
  });
});

/**
 * The launch with the binary faked at the edge: a Node script in place of Electron records what it
 * was started with, enrols with the code it was handed (so the code is proven live while the store
 * runs), and exits or waits to be stopped. The store is the real one: sync server on PGlite and
 * the simulators.
 */
describe('launchElectronDemo', () => {
  let root: string;
  let dataDir: string;
  let serverPort: number;
  let binary: string;
  let entry: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'omnitill-electron-demo-'));
    dataDir = join(root, 'demo');
    serverPort = await freePort();
    binary = join(root, 'fake-electron');
    await writeFile(binary, FAKE_ELECTRON.replace('NODE', process.execPath));
    await chmod(binary, 0o755);
    // The built main entry's stand-in: the fake binary only reports it.
    entry = join(root, 'out', 'main', 'entry.js');
    await mkdir(join(root, 'out', 'main'), { recursive: true });
    await writeFile(entry, '');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const launch = (record: string, behaviour: 'exit' | 'wait') =>
    launchElectronDemo({
      binary,
      dataDir,
      serverPort,
      products: 20,
      build: () => Promise.resolve(),
      entry,
      env: { FAKE_ELECTRON_RECORD: record, FAKE_ELECTRON_BEHAVIOUR: behaviour },
      quitGraceMs: 2000,
    });

  it('starts Electron on the entry with its user-data folder, the devices and an enrolment code, and stops the store when it exits', async () => {
    const record = join(root, 'first-run.json');
    const demo = await launch(record, 'exit');
    const { origin } = demo.store.server;
    const printer = demo.store.devices.printer;
    const descriptors = demo.store.devices.descriptors;
    expect(await demo.done).toBe(0);

    const seen = JSON.parse(await readFile(record, 'utf8')) as FakeRecord;
    expect(seen.argv).toEqual([entry, `--user-data-dir=${join(dataDir, 'electron')}`]);
    expect(seen.origin).toBe(origin);
    expect(seen.code).toMatch(/^[A-Za-z0-9-]{6,64}$/);
    expect(seen.runAsNode).toBeNull();
    // The code was a live one-time code for store S01 while Electron ran.
    expect(seen.enrolStatus).toBe(201);
    expect(seen.enrolledStore).toBe('S01');

    // What Electron main will read back from its user data: exactly the simulators' descriptors.
    const devices = await readDeviceConfig(join(dataDir, 'electron', DEVICES_FILE), silentLogger);
    expect(devices).toEqual(descriptors);
    expect(descriptors.map((d) => d.id)).toEqual([
      'printer',
      'drawer',
      'scale',
      'display',
      'scanner',
      'terminal',
    ]);

    // Everything stopped with Electron: the server and the simulated printer no longer listen.
    expect(demo.store.server.running).toBe(false);
    await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
    expect(await accepts(printer.host, printer.port)).toBe(false);
  }, 180_000);

  it('passes no code to a till already enrolled with this server, and Ctrl+C stops Electron and the store', async () => {
    const userData = join(dataDir, 'electron');
    await mkdir(userData, { recursive: true });
    await writeFile(
      join(userData, 'settings.json'),
      JSON.stringify({ syncServerOrigin: `http://127.0.0.1:${serverPort}`, syncDeviceId: 'dev-1' }),
    );
    await writeFile(join(userData, 'secrets.json'), JSON.stringify({ 'sync.refreshToken': 'encrypted' }));
    const record = join(root, 'second-run.json');
    const demo = await launch(record, 'wait');
    const { origin } = demo.store.server;
    await waitFor(async () => (await readFile(record, 'utf8').catch(() => '')) !== '');
    const seen = JSON.parse(await readFile(record, 'utf8')) as FakeRecord;
    expect(seen.origin).toBeNull();
    expect(seen.code).toBeNull();

    expect(demo.child.exitCode).toBeNull(); // still running until asked
    await demo.close();
    expect(demo.child.signalCode).toBe('SIGTERM');
    expect(demo.store.server.running).toBe(false);
    await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
  }, 180_000);
});

interface FakeRecord {
  argv: string[];
  origin: string | null;
  code: string | null;
  runAsNode: string | null;
  enrolStatus: number | null;
  enrolledStore: string | null;
}

/** Plain CommonJS (the temp folder has no package.json), run by this Node through the shebang. */
const FAKE_ELECTRON = `#!NODE
const { writeFileSync } = require('node:fs');
const env = process.env;
const record = {
  argv: process.argv.slice(2),
  origin: env.${DEMO_SYNC_ORIGIN_ENV} ?? null,
  code: env.${DEMO_ENROLLMENT_CODE_ENV} ?? null,
  runAsNode: env.ELECTRON_RUN_AS_NODE ?? null,
  enrolStatus: null,
  enrolledStore: null,
};
(async () => {
  if (record.origin !== null && record.code !== null) {
    const response = await fetch(record.origin + '/api/sync/v1/auth/enroll', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-pos-protocol': '1', 'x-pos-client-version': '0.1.0' },
      body: JSON.stringify({ enrollmentCode: record.code, deviceName: 'Fake Electron', appVersion: '0.1.0' }),
    });
    record.enrolStatus = response.status;
    record.enrolledStore = (await response.json()).storeId ?? null;
  }
  writeFileSync(env.FAKE_ELECTRON_RECORD, JSON.stringify(record));
  if (env.FAKE_ELECTRON_BEHAVIOUR === 'wait') setInterval(() => {}, 1000);
})();
`;

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
