import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Electron faked at the edge (as in main.test.ts): just the calls startElectronMain makes, with a
// reversible safeStorage so the secret store works, and the app:// handler kept for the CSP check.
const fake = vi.hoisted(() => {
  const state = {
    switches: new Map<string, string>(),
    paths: new Map<string, string>(),
    listeners: new Map<string, (() => void)[]>(),
    protocolHandler: null as ((request: Request) => Promise<Response>) | null,
    /** Called as each window is created (the test snapshots the settings then). */
    onWindow: null as (() => void) | null,
  };
  class FakeBrowserWindow {
    readonly webContents = {};
    constructor(readonly options: Record<string, unknown>) {
      state.onWindow?.();
    }
    once(): void {
      // ready-to-show never fires in tests
    }
    loadURL(): Promise<void> {
      return Promise.resolve();
    }
    static getAllWindows(): unknown[] {
      return [];
    }
  }
  const app = {
    commandLine: {
      hasSwitch: (name: string) => state.switches.has(name),
      getSwitchValue: (name: string) => state.switches.get(name) ?? '',
    },
    setPath: (name: string, path: string) => {
      state.paths.set(name, path);
    },
    getPath: (name: string) => {
      const path = state.paths.get(name);
      if (path === undefined) throw new Error(`no ${name} path in the fake`);
      return path;
    },
    getName: () => 'Omnitill',
    getVersion: () => '0.1.0',
    requestSingleInstanceLock: () => true,
    quit: () => undefined,
    on: (name: string, listener: () => void) => {
      state.listeners.set(name, [...(state.listeners.get(name) ?? []), listener]);
    },
    whenReady: () => Promise.resolve(),
  };
  const session = {
    defaultSession: {
      setPermissionRequestHandler: () => undefined,
      setPermissionCheckHandler: () => undefined,
      setDevicePermissionHandler: () => undefined,
      protocol: {
        handle: (_scheme: string, handler: (request: Request) => Promise<Response>) => {
          state.protocolHandler = handler;
        },
      },
    },
  };
  const safeStorage = {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (value: string) => Buffer.from(`sealed:${value}`, 'utf8'),
    decryptString: (buffer: Buffer) => buffer.toString('utf8').replace(/^sealed:/, ''),
  };
  return { state, app, session, safeStorage, BrowserWindow: FakeBrowserWindow };
});

vi.mock('electron', () => ({
  BrowserWindow: fake.BrowserWindow,
  app: fake.app,
  session: fake.session,
  safeStorage: fake.safeStorage,
  protocol: { registerSchemesAsPrivileged: () => undefined },
  shell: { openExternal: () => Promise.resolve() },
  screen: {
    getAllDisplays: () => [{ id: 1, bounds: { x: 0, y: 0, width: 1, height: 1 } }],
    getPrimaryDisplay: () => ({ id: 1, bounds: { x: 0, y: 0, width: 1, height: 1 } }),
  },
  ipcMain: { handle: () => undefined, removeHandler: () => undefined },
}));

const { startElectronMain } = await import('./main.ts');
const { DEMO_ENROLLMENT_CODE_ENV, DEMO_SYNC_ORIGIN_ENV, isLoopbackHttpOrigin, readDemoEnrolment } =
  await import('./demo-enrolment.ts');
const { startDemoSyncServer } = await import('../demo/demo-sync-server.ts');
const { freePort, requestEnrolmentCode, SYNC_API_PREFIX } = await import('../demo/start-demo.ts');

type Server = Awaited<ReturnType<typeof startDemoSyncServer>>;

let root: string;
let rendererDir: string;
let server: Server;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'omnitill-electron-enrol-'));
  rendererDir = join(root, 'renderer');
  await mkdir(rendererDir);
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>till</title>');
  server = await startDemoSyncServer({ dataDir: join(root, 'server'), port: await freePort(), products: 5 });
}, 180_000);

afterAll(async () => {
  await server.stop();
  await rm(root, { recursive: true, force: true });
});

let output: string[];
/** The settings file as it was when the first window was created. */
let settingsAtFirstWindow: string | null;
beforeEach(() => {
  output = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    output.push(args.map(String).join(' '));
  });
  fake.state.listeners.clear();
  fake.state.protocolHandler = null;
  settingsAtFirstWindow = null;
  fake.state.onWindow = () => {
    const file = join(fake.app.getPath('userData'), 'settings.json');
    settingsAtFirstWindow ??= existsSync(file) ? readFileSync(file, 'utf8') : '{}';
  };
});

/** One Electron start with `userData` from the switch, then its quit (services closed). */
async function startTill(userData: string, env: Record<string, string>): Promise<void> {
  fake.state.switches.set('user-data-dir', userData);
  Object.assign(process.env, env);
  try {
    await startElectronMain({ rendererDir, preload: '/p/preload.cjs' });
  } finally {
    Reflect.deleteProperty(process.env, DEMO_SYNC_ORIGIN_ENV);
    Reflect.deleteProperty(process.env, DEMO_ENROLLMENT_CODE_ENV);
  }
}

async function quitTill(): Promise<void> {
  for (const listener of fake.state.listeners.get('will-quit') ?? []) listener();
  // The journal closes asynchronously after will-quit.
  await new Promise((resolve) => setTimeout(resolve, 100));
}

async function settingsOf(userData: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(userData, 'settings.json'), 'utf8')) as Record<string, unknown>;
}

async function enrolledDevices(): Promise<{ deviceId: string }[]> {
  const response = await fetch(`${server.origin}${SYNC_API_PREFIX}/admin/devices`, {
    headers: { authorization: `Bearer ${server.hqToken}` },
  });
  expect(response.ok).toBe(true);
  const body = (await response.json()) as { devices: { deviceId: string }[] };
  return body.devices;
}

describe('Electron main enrols from the demo environment', () => {
  const userData = () => join(root, 'till-a');

  it('enrols once when not enrolled, before the first window, and the CSP lets the page reach the server', async () => {
    const before = (await enrolledDevices()).length;
    const code = await requestEnrolmentCode(server);
    await startTill(userData(), { [DEMO_SYNC_ORIGIN_ENV]: server.origin, [DEMO_ENROLLMENT_CODE_ENV]: code });
    try {
      const settings = await settingsOf(userData());
      expect(settings.syncServerOrigin).toBe(server.origin);
      expect(settings.storeId).toBe('S01');
      expect(typeof settings.syncDeviceId).toBe('string');
      expect(JSON.parse(settingsAtFirstWindow ?? '{}')).toMatchObject({
        syncServerOrigin: server.origin,
      });
      const devices = await enrolledDevices();
      expect(devices).toHaveLength(before + 1);
      expect(devices.map((d) => d.deviceId)).toContain(settings.syncDeviceId);

      // The refresh token went through safeStorage, not to disk in the clear.
      const secrets = JSON.parse(await readFile(join(userData(), 'secrets.json'), 'utf8')) as Record<
        string,
        string
      >;
      const sealed = Buffer.from(secrets['sync.refreshToken'] ?? '', 'base64').toString('utf8');
      expect(sealed).toMatch(/^sealed:.+/);

      const response = await fake.state.protocolHandler!(new Request('app://pos/index.html'));
      expect(response.headers.get('content-security-policy')).toContain(
        `connect-src 'self' ${server.origin}`,
      );

      // The variables are gone before anything Electron starts could inherit them.
      expect(process.env[DEMO_SYNC_ORIGIN_ENV]).toBeUndefined();
      expect(process.env[DEMO_ENROLLMENT_CODE_ENV]).toBeUndefined();
      expect(output.join('\n')).toContain('till enrolled with store S01');
      const log = await readFile(join(userData(), 'logs', 'main.log'), 'utf8');
      expect(log).toContain('enrolled from the demo environment');
      for (const text of [output.join('\n'), log, JSON.stringify(settings)]) expect(text).not.toContain(code);
    } finally {
      await quitTill();
    }
  }, 60_000);

  it('ignores the variables when already enrolled, and leaves the code unused', async () => {
    const enrolledAs = (await settingsOf(userData())).syncDeviceId;
    const before = (await enrolledDevices()).length;
    const code = await requestEnrolmentCode(server);
    await startTill(userData(), { [DEMO_SYNC_ORIGIN_ENV]: server.origin, [DEMO_ENROLLMENT_CODE_ENV]: code });
    try {
      expect((await settingsOf(userData())).syncDeviceId).toBe(enrolledAs);
      expect(await enrolledDevices()).toHaveLength(before);
      expect(output.join('\n')).toContain('already enrolled');
      expect(process.env[DEMO_ENROLLMENT_CODE_ENV]).toBeUndefined();
    } finally {
      await quitTill();
    }
    // Not consumed: the code still enrols another device.
    const response = await fetch(`${server.origin}${SYNC_API_PREFIX}/auth/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-pos-protocol': '1', 'x-pos-client-version': '0.1.0' },
      body: JSON.stringify({ enrollmentCode: code, deviceName: 'Other till', appVersion: '0.1.0' }),
    });
    expect(response.status).toBe(201);
  }, 60_000);

  it('refuses a non-loopback origin: nothing is sent, the till starts unenrolled, and it says why', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const dir = join(root, 'till-b');
    const code = await requestEnrolmentCode(server);
    fetchSpy.mockClear();
    await startTill(dir, {
      [DEMO_SYNC_ORIGIN_ENV]: 'http://sync.example.com:4100',
      [DEMO_ENROLLMENT_CODE_ENV]: code,
    });
    try {
      expect(fetchSpy).not.toHaveBeenCalled();
      const settings = await settingsOf(dir).catch((): Record<string, unknown> => ({}));
      expect(settings.syncServerOrigin ?? null).toBeNull();
      expect(output.join('\n')).toContain('not enrolling from the environment');
      expect(output.join('\n')).not.toContain(code);
      const log = await readFile(join(dir, 'logs', 'main.log'), 'utf8');
      expect(log).toContain('demo enrolment variables refused');
      expect(log).not.toContain(code);
      const response = await fake.state.protocolHandler!(new Request('app://pos/index.html'));
      expect(response.headers.get('content-security-policy')).toContain("connect-src 'self';");
    } finally {
      fetchSpy.mockRestore();
      await quitTill();
    }
  }, 60_000);
});

describe('the demo enrolment variables', () => {
  it.each([
    ['http://127.0.0.1:4100', true],
    ['http://localhost:4100', true],
    ['http://127.0.0.1', false], // a port is required
    ['http://127.0.0.1:4100/', false],
    ['http://127.0.0.1:4100/api', false],
    ['http://user@127.0.0.1:4100', false],
    ['https://127.0.0.1:4100', false],
    ['http://127.0.0.2:4100', false],
    ['http://localhost.example.com:4100', false],
    ['http://192.168.1.10:4100', false],
    ['http://[::1]:4100', false],
    ['not a url', false],
  ])('isLoopbackHttpOrigin(%s) = %s', (origin, expected) => {
    expect(isLoopbackHttpOrigin(origin)).toBe(expected);
  });

  it.each<[Record<string, string>, string]>([
    [{}, 'none'],
    [
      { [DEMO_SYNC_ORIGIN_ENV]: 'http://127.0.0.1:4100', [DEMO_ENROLLMENT_CODE_ENV]: 'ABCD-EFGH-JKLM' },
      'valid',
    ],
    [{ [DEMO_SYNC_ORIGIN_ENV]: 'http://127.0.0.1:4100' }, 'refused'],
    [{ [DEMO_ENROLLMENT_CODE_ENV]: 'ABCD-EFGH-JKLM' }, 'refused'],
    [{ [DEMO_SYNC_ORIGIN_ENV]: 'http://127.0.0.1:4100', [DEMO_ENROLLMENT_CODE_ENV]: '' }, 'refused'],
    [
      { [DEMO_SYNC_ORIGIN_ENV]: 'http://127.0.0.1:4100', [DEMO_ENROLLMENT_CODE_ENV]: 'A'.repeat(65) },
      'refused',
    ],
    [{ [DEMO_SYNC_ORIGIN_ENV]: 'http://127.0.0.1:4100', [DEMO_ENROLLMENT_CODE_ENV]: 'AB CD' }, 'refused'],
  ])('%o: %s', (env, kind) => {
    const request = readDemoEnrolment(env);
    expect(request.kind).toBe(kind);
    if (request.kind === 'refused') {
      const code = env[DEMO_ENROLLMENT_CODE_ENV];
      if (code !== undefined && code !== '') expect(request.reason).not.toContain(code);
    }
  });
});
