import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Electron faked at the edge: just the calls main.ts makes, recording what it asked for.
const fake = vi.hoisted(() => {
  const windows: { options: Record<string, unknown>; url: string | null }[] = [];
  class FakeBrowserWindow {
    readonly webContents = {};
    constructor(readonly options: Record<string, unknown>) {
      windows.push({ options, url: null });
    }
    once(): void {
      // ready-to-show never fires in tests
    }
    loadURL(url: string): Promise<void> {
      const entry = windows.at(-1);
      if (entry !== undefined) entry.url = url;
      return Promise.resolve();
    }
    static getAllWindows(): unknown[] {
      return [];
    }
  }
  return {
    windows,
    BrowserWindow: FakeBrowserWindow,
    protocol: { registerSchemesAsPrivileged: vi.fn() },
    shell: { openExternal: vi.fn(() => Promise.resolve()) },
    app: {
      commandLine: { hasSwitch: vi.fn(() => false), getSwitchValue: vi.fn(() => '') },
      setPath: vi.fn(),
      requestSingleInstanceLock: vi.fn(() => false),
      quit: vi.fn(),
      on: vi.fn(),
      whenReady: vi.fn(() => Promise.resolve()),
    },
    screen: { getAllDisplays: vi.fn(), getPrimaryDisplay: vi.fn() },
  };
});

vi.mock('electron', () => ({
  BrowserWindow: fake.BrowserWindow,
  app: fake.app,
  protocol: fake.protocol,
  shell: fake.shell,
  screen: fake.screen,
  ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
  safeStorage: {},
  session: {},
}));

const main = await import('./main.ts');
const { silentLogger } = await import('../logging/logger.ts');

type Listener = (event: { preventDefault: () => void }, url: string) => void;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = {
    on: (name: string, listener: Listener) => {
      listeners.set(name, listener);
    },
    setWindowOpenHandler: (handler: (details: { url: string }) => { action: string }) => {
      openHandler = handler;
    },
  };
  const fire = (name: string, url = ''): boolean => {
    const preventDefault = vi.fn();
    listeners.get(name)?.({ preventDefault }, url);
    return preventDefault.mock.calls.length > 0;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }) };
}

beforeEach(() => {
  fake.shell.openExternal.mockClear();
});

describe('secureWebPreferences', () => {
  it('is the hardened set, frozen', () => {
    expect(main.secureWebPreferences).toEqual({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      enableBlinkFeatures: '',
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    });
    expect(Object.isFrozen(main.secureWebPreferences)).toBe(true);
  });

  it('is what every window gets, plus only the preload', () => {
    fake.windows.length = 0;
    main.createMainWindow('/app/preload.cjs');
    fake.screen.getAllDisplays.mockReturnValue([
      { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } },
      { id: 2, bounds: { x: 1920, y: 0, width: 800, height: 480 } },
    ]);
    fake.screen.getPrimaryDisplay.mockReturnValue({
      id: 1,
      bounds: { x: 0, y: 0, width: 1920, height: 1080 },
    });
    main.createCustomerDisplayWindow('/app/preload.cjs');
    expect(fake.windows).toHaveLength(2);
    for (const window of fake.windows) {
      expect(window.options.webPreferences).toEqual({
        ...main.secureWebPreferences,
        preload: '/app/preload.cjs',
      });
    }
    expect(fake.windows[0]?.url).toBe('app://pos/index.html');
    expect(fake.windows[1]?.url).toBe('app://pos/customer-display.html');
    expect(fake.windows[1]?.options).toMatchObject({
      x: 1920,
      y: 0,
      width: 800,
      height: 480,
      fullscreen: true,
    });
  });

  it('opens no customer display on a single screen', () => {
    fake.screen.getAllDisplays.mockReturnValue([{ id: 1, bounds: { x: 0, y: 0, width: 1, height: 1 } }]);
    fake.screen.getPrimaryDisplay.mockReturnValue({ id: 1, bounds: { x: 0, y: 0, width: 1, height: 1 } });
    expect(main.createCustomerDisplayWindow('/p')).toBeNull();
  });
});

describe('app:// scheme', () => {
  it('registers app: as standard and secure', () => {
    main.registerAppScheme();
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    ]);
  });

  it.each([
    ['app://pos/index.html', true],
    ['app://pos/', true],
    ['app://pos.evil.example/', false],
    ['app://evil/', false],
    ['app://pos:8080/', false],
    ['app://user@pos/', false],
    ['https://pos/', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('isAppUrl(%s) = %s', (url, expected) => {
    expect(main.isAppUrl(url)).toBe(expected);
  });
});

describe('navigation, window and webview guards', () => {
  const guards = { logger: silentLogger, externalHosts: ['help.omnitill.example'] };

  it.each([
    ['will-navigate', 'https://evil.example/', true],
    ['will-navigate', 'app://pos.evil.example/', true],
    ['will-navigate', 'file:///etc/passwd', true],
    ['will-navigate', 'app://pos/other.html', false],
    ['will-redirect', 'https://evil.example/', true],
    ['will-redirect', 'app://pos/index.html', false],
  ])('%s to %s: prevented = %s', (event, url, prevented) => {
    const { contents, fire } = fakeContents();
    main.hardenWebContents(contents as never, guards);
    expect(fire(event, url)).toBe(prevented);
  });

  it('prevents every webview attach', () => {
    const { contents, fire } = fakeContents();
    main.hardenWebContents(contents as never, guards);
    expect(fire('will-attach-webview')).toBe(true);
  });

  it('denies every window.open; only an allow-listed https URL reaches the system browser', () => {
    const { contents, open } = fakeContents();
    main.hardenWebContents(contents as never, guards);
    expect(open('https://help.omnitill.example/refunds')).toEqual({ action: 'deny' });
    expect(open('https://help.omnitill.example.evil.example/')).toEqual({ action: 'deny' });
    expect(open('http://help.omnitill.example/')).toEqual({ action: 'deny' });
    expect(open('app://pos/index.html')).toEqual({ action: 'deny' });
    expect(fake.shell.openExternal.mock.calls).toEqual([['https://help.omnitill.example/refunds']]);
  });
});

describe('session permissions', () => {
  it('denies permission requests, checks and device grants', () => {
    let request:
      ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
    let check: (() => boolean) | null = null;
    let device: (() => boolean) | null = null;
    const ses = {
      setPermissionRequestHandler: (handler: typeof request) => (request = handler),
      setPermissionCheckHandler: (handler: typeof check) => (check = handler),
      setDevicePermissionHandler: (handler: typeof device) => (device = handler),
    };
    main.hardenSession(ses as never);
    for (const permission of ['media', 'geolocation', 'notifications', 'hid', 'serial', 'clipboard-read']) {
      const callback = vi.fn();
      request!({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    expect(check!()).toBe(false);
    expect(device!()).toBe(false);
  });
});

describe('app:// protocol handler', () => {
  let root: string;
  let rendererDir: string;
  const csp = "default-src 'none'; script-src 'self'";
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'omnitill-protocol-'));
    rendererDir = join(root, 'renderer');
    await mkdir(join(rendererDir, 'assets'), { recursive: true });
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>till</title>');
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'export {};');
    await writeFile(join(root, 'secret.txt'), 'outside');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('serves the renderer with the CSP header and nosniff', async () => {
    const response = await main.serveAppRequest(new Request('app://pos/assets/app.js'), rendererDir, csp);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(csp);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe('export {};');
  });

  it('serves index.html for /', async () => {
    const response = await main.serveAppRequest(new Request('app://pos/'), rendererDir, csp);
    expect(await response.text()).toBe('<!doctype html><title>till</title>');
  });

  it.each([
    ['app://pos/../secret.txt'],
    ['app://pos/%2e%2e/secret.txt'],
    ['app://pos/assets/..%2f..%2fsecret.txt'],
    ['app://pos/..%5csecret.txt'],
    ['app://pos/index.html%00'],
    ['app://other/index.html'],
    ['app://pos:99/index.html'],
  ])('refuses %s', async (url) => {
    const response = await main.serveAppRequest(new Request(url), rendererDir, csp);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('outside');
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await main.serveAppRequest(
      new Request('app://pos/', { method: 'POST', body: 'x' }),
      rendererDir,
      csp,
    );
    expect(response.status).toBe(405);
  });
});

describe('--user-data-dir', () => {
  it.each([
    ['absent', null, null],
    ['an absolute path', '/srv/omnitill/electron', '/srv/omnitill/electron'],
    ['a relative path', 'electron-data', null],
    ['empty', '', null],
  ])('%s: userData = %s', (_case, value, expected) => {
    fake.app.setPath.mockClear();
    fake.app.commandLine.hasSwitch.mockReturnValue(value !== null);
    fake.app.commandLine.getSwitchValue.mockReturnValue(value ?? '');
    expect(main.applyUserDataDirSwitch()).toBe(expected);
    expect(fake.app.setPath.mock.calls).toEqual(expected === null ? [] : [['userData', expected]]);
    fake.app.commandLine.hasSwitch.mockReturnValue(false);
  });
});

describe('startElectronMain', () => {
  it('quits at once when another instance holds the lock', async () => {
    fake.app.requestSingleInstanceLock.mockReturnValue(false);
    await main.startElectronMain({ rendererDir: '/r', preload: '/p' });
    expect(fake.app.quit).toHaveBeenCalled();
    expect(fake.app.whenReady).not.toHaveBeenCalled();
  });
});
