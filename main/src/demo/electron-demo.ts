/**
 * `npm start`'s desktop mode: the demo store (sync server and simulators, start-demo.ts) and the
 * till in Electron. Electron main brings its own hardware supervisor and services, so the demo only
 * prepares its user-data folder (`<data-dir>/electron`): the device list for the simulators, and a
 * one-time enrolment code handed over in the environment (Electron keeps the refresh token with
 * safeStorage, which this Node process cannot write; see electron/demo-enrolment.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceDescriptor } from '@pos/hardware';
import { DEMO_ENROLLMENT_CODE_ENV, DEMO_SYNC_ORIGIN_ENV } from '../electron/demo-enrolment.ts';
import { DEVICES_FILE } from '../electron/devices-file.ts';
import { writeFileAtomic } from '../fs/atomic-file.ts';
import { DEMO_STORE_ID, requestEnrolmentCode, startDemoStore, type DemoStore } from './start-demo.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The bundled Electron main entry (electron.vite.config.ts: out/main, `[name].js`). */
export const ELECTRON_ENTRY = join(ROOT, 'out', 'main', 'entry.js');

/** What `require('electron')` found: the binary's path, or why there is none. */
export type ElectronLookup =
  { readonly found: true; readonly path: string } | { readonly found: false; readonly problem: string };

/**
 * The electron package exports its binary's path, read from a file its postinstall download
 * writes; without that download (no network at install time) requiring it throws.
 */
export function findElectronBinary(
  load: () => unknown = () => createRequire(import.meta.url)('electron'),
  exists: (path: string) => boolean = existsSync,
): ElectronLookup {
  let path: unknown;
  try {
    path = load();
  } catch (error) {
    const notInstalled =
      error instanceof Error && (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    return {
      found: false,
      problem: notInstalled
        ? 'the electron package is not installed'
        : 'the electron package is installed, but its binary download never ran: it needs the network at install time',
    };
  }
  if (typeof path !== 'string' || path === '') {
    return { found: false, problem: 'the electron package did not name a binary' };
  }
  if (!exists(path)) return { found: false, problem: `the electron package names ${path}, which is missing` };
  return { found: true, path };
}

/** Linux needs an X11 or Wayland display for a window; other systems always have one. */
export function hasDisplay(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
): boolean {
  if (platform !== 'linux') return true;
  return (env.DISPLAY ?? '') !== '' || (env.WAYLAND_DISPLAY ?? '') !== '';
}

export type DemoMode =
  | { readonly mode: 'electron'; readonly binary: string; readonly reason: string }
  | { readonly mode: 'web'; readonly reason: string };

export interface DemoModeInput {
  /** `--web` was given. */
  readonly web: boolean;
  readonly electron: ElectronLookup;
  readonly display: boolean;
}

/** Which way the till runs, and a sentence saying why, for the first line `npm start` prints. */
export function chooseDemoMode(input: DemoModeInput): DemoMode {
  if (input.web) return { mode: 'web', reason: 'web mode: --web was given' };
  if (!input.electron.found) {
    return {
      mode: 'web',
      reason: `web mode: no Electron binary is installed here (${input.electron.problem})`,
    };
  }
  if (!input.display) {
    return {
      mode: 'web',
      reason: `web mode: Electron is installed (${input.electron.path}) but there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)`,
    };
  }
  return {
    mode: 'electron',
    binary: input.electron.path,
    reason: `desktop mode: Electron found at ${input.electron.path}`,
  };
}

/** `npm run build` (electron-vite build): main, preload and renderer into out/. */
export async function buildDesktopApp(): Promise<void> {
  const { build } = await import('electron-vite');
  await build({ configFile: join(ROOT, 'electron.vite.config.ts'), root: ROOT, logLevel: 'warn' });
}

export interface ElectronDemoOptions {
  readonly binary: string;
  /** The demo folder: the store's data, and the till's user data in `electron/`. */
  readonly dataDir: string;
  /** 0 picks a free port (tests). */
  readonly serverPort: number;
  readonly products: number;
  readonly log?: (line: string) => void;
  /** Builds the app that `entry` names; the real build by default. */
  readonly build?: () => Promise<void>;
  /** Electron's main entry; the built one by default. */
  readonly entry?: string;
  /** Added to Electron's environment (tests). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long Electron gets to quit after SIGTERM before SIGKILL. */
  readonly quitGraceMs?: number;
}

export interface ElectronDemo {
  readonly store: DemoStore;
  /** Electron's userData: settings, journal, secrets, the browser profile and devices.json. */
  readonly userDataDir: string;
  readonly child: ChildProcess;
  /** Settles once Electron has exited and the store has stopped, with Electron's exit code. */
  readonly done: Promise<number>;
  /** Asks Electron to quit (SIGKILL after the grace period), then stops the store. */
  close(): Promise<number>;
}

export async function launchElectronDemo(options: ElectronDemoOptions): Promise<ElectronDemo> {
  const log = options.log ?? (() => undefined);
  const entry = options.entry ?? ELECTRON_ENTRY;
  const userDataDir = join(options.dataDir, 'electron');

  log('Building the desktop app (electron-vite build)…');
  await (options.build ?? buildDesktopApp)();
  if (!existsSync(entry)) throw new Error(`the desktop build did not produce ${entry}`);

  const store = await startDemoStore(options);
  let child: ChildProcess;
  try {
    await mkdir(userDataDir, { recursive: true, mode: 0o700 });
    await writeDevicesFile(userDataDir, store.devices.descriptors);
    log(`Devices for the till: ${join(userDataDir, DEVICES_FILE)}.`);

    const env: Record<string, string | undefined> = { ...process.env, ...options.env };
    // Set in this shell, it would make Electron a plain Node and the entry would fail at `app`.
    delete env.ELECTRON_RUN_AS_NODE;
    Reflect.deleteProperty(env, DEMO_SYNC_ORIGIN_ENV);
    Reflect.deleteProperty(env, DEMO_ENROLLMENT_CODE_ENV);
    const enrolled = await desktopTillEnrolment(userDataDir);
    if (enrolled === null) {
      env[DEMO_SYNC_ORIGIN_ENV] = store.server.origin;
      env[DEMO_ENROLLMENT_CODE_ENV] = await requestEnrolmentCode(store.server);
      log(
        `The till enrols with store ${DEMO_STORE_ID} as it starts (a one-time code from HQ, passed to Electron).`,
      );
    } else if (enrolled.origin === store.server.origin) {
      log(`The till is already enrolled with ${enrolled.origin}.`);
    } else {
      log(
        `The till in ${userDataDir} is enrolled with ${enrolled.origin}, not this server (${store.server.origin}): ` +
          'it will not sync. Start with the same --server-port, or delete that folder to enrol anew.',
      );
    }

    child = spawn(options.binary, [entry, `--user-data-dir=${userDataDir}`], {
      stdio: 'inherit',
      env,
    });
  } catch (error) {
    await store.close();
    throw error;
  }

  const done = new Promise<number>((resolve) => {
    let settled = false;
    const finish = (code: number, line: string): void => {
      if (settled) return;
      settled = true;
      log(line);
      void store.close().then(() => {
        resolve(code);
      });
    };
    child.once('error', (error) => {
      finish(1, `Electron could not start: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      finish(
        code ?? 1,
        signal === null ? `Electron exited (code ${String(code)}).` : `Electron was stopped (${signal}).`,
      );
    });
  });

  const close = (): Promise<number> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), options.quitGraceMs ?? 10_000);
      void done.finally(() => {
        clearTimeout(timer);
      });
    }
    return done;
  };

  return { store, userDataDir, child, done, close };
}

/** The device list Electron main reads at start (electron/main.ts readDeviceConfig). */
export async function writeDevicesFile(
  userDataDir: string,
  descriptors: readonly DeviceDescriptor[],
): Promise<void> {
  await writeFileAtomic(join(userDataDir, DEVICES_FILE), `${JSON.stringify(descriptors, null, 2)}\n`, 0o600);
}

/**
 * The server the desktop till is enrolled with, from its plain files: settings.json names the
 * origin and device, secrets.json holds the (encrypted) token under its name. Null when either is
 * missing or unreadable: the till then takes a code (and ignores it if it finds itself enrolled).
 */
export async function desktopTillEnrolment(userDataDir: string): Promise<{ origin: string } | null> {
  const settings = await readJsonObject(join(userDataDir, 'settings.json'));
  const secrets = await readJsonObject(join(userDataDir, 'secrets.json'));
  if (settings === null || secrets === null) return null;
  const origin = settings.syncServerOrigin;
  if (typeof origin !== 'string' || typeof settings.syncDeviceId !== 'string') return null;
  if (typeof secrets['sync.refreshToken'] !== 'string') return null;
  return { origin };
}

async function readJsonObject(file: string): Promise<Record<string, unknown> | null> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
