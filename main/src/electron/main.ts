/**
 * Electron main: windows, the `app://pos` protocol and the security policy. Everything a
 * reviewer needs to check is an exported value or function here (and tested with Electron faked
 * at the edge, see main.test.ts); `startElectronMain` only wires them together. The entry point
 * (entry.ts) calls it, so importing this module has no side effects.
 */
import { isAbsolute, join } from 'node:path';
import { connectHardwareWorker } from '@pos/hardware';
import {
  BrowserWindow,
  app,
  ipcMain,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  type Display,
  type Event as ElectronEvent,
  type Session,
  type WebContents,
  type WebPreferences,
} from 'electron';
import { createDispatcher } from '../commands/dispatcher.ts';
import { EventHub } from '../commands/events.ts';
import { HardwareSupervisor } from '../hardware/hardware-supervisor.ts';
import { openMainServices } from '../host/main-services.ts';
import { createRotatingFileLogger } from '../logging/file-logger.ts';
import type { Logger } from '../logging/logger.ts';
import { buildCsp, securityHeaders } from '../security/csp.ts';
import { openExternalSafely } from '../security/external-links.ts';
import { readStaticFile } from '../security/static-files.ts';
import { createWebContentsSink, isTrustedIpcSender, registerIpcCommands } from './ipc-binding.ts';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, isAppUrl } from './app-origin.ts';
import { enrolFromEnvironment } from './demo-enrolment.ts';
import { DEVICES_FILE, readDeviceConfig } from './devices-file.ts';
import { createSafeStorageCodec } from './safe-storage-codec.ts';
import { forkUtilityWorker } from './utility-worker.ts';

export { APP_HOST, APP_ORIGIN, APP_SCHEME, isAppUrl };
export { DEVICES_FILE, readDeviceConfig };

export const MAIN_PAGE_URL = `${APP_ORIGIN}/index.html`;
export const CUSTOMER_DISPLAY_URL = `${APP_ORIGIN}/customer-display.html`;

/**
 * The one set of web preferences every window uses (tests included: no test-only relaxations).
 * Each line closes a way for page content to reach Node or escape the renderer sandbox.
 */
export const secureWebPreferences = Object.freeze({
  sandbox: true, // checklist #4: the renderer is an OS-sandboxed process; the preload too
  contextIsolation: true, // checklist #3: the preload's world is not the page's world
  nodeIntegration: false, // checklist #2: no require/process in the page
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true, // checklist #5: same-origin policy stays on
  allowRunningInsecureContent: false, // checklist #8
  experimentalFeatures: false, // checklist #9
  enableBlinkFeatures: '', // checklist #10
  webviewTag: false, // checklist #12: no <webview> (will-attach-webview also refuses)
  navigateOnDragDrop: false, // a file dropped on the window must not replace the till UI
  safeDialogs: true, // a page cannot loop alert() to lock the till
  spellcheck: false, // the spellchecker downloads dictionaries from Google
} as const satisfies WebPreferences);

/** Registers `app:` as a standard, secure scheme. Must run before `app` is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      // standard: real origins and relative URLs; secure: treated like https (IndexedDB, crypto.subtle).
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
}

/** The protocol handler's answer to one request, factored out for tests. */
export async function serveAppRequest(request: Request, rendererDir: string, csp: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
  if (!isAppUrl(request.url)) return new Response(null, { status: 404 });
  const file = await readStaticFile(rendererDir, new URL(request.url).pathname);
  if (file === null)
    return new Response('Not found', { status: 404, headers: securityHeaders('text/plain', csp) });
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(file.body), {
    status: 200,
    headers: securityHeaders(file.contentType, csp),
  });
}

/**
 * Serves the built renderer on `app://pos` for `ses`, with the CSP as a response header. The CSP
 * is asked for per request, so a changed sync-server origin applies on the next page load.
 */
export function installAppProtocol(ses: Session, rendererDir: string, csp: () => string): void {
  ses.protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, rendererDir, csp()));
}

export interface GuardOptions {
  readonly logger: Logger;
  /** Hosts the validated openExternal helper may open (https only). */
  readonly externalHosts: readonly string[];
}

/**
 * Navigation, window-open and webview guards for every web contents (checklist #12–#14). The
 * till never navigates away from `app://pos`; an https link to an allow-listed host opens in the
 * system browser through the validated helper; everything else is dropped and logged.
 */
export function hardenWebContents(contents: WebContents, options: GuardOptions): void {
  const refuseForeign = (event: ElectronEvent, url: string): void => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    options.logger.warn('navigation blocked', { url: url.slice(0, 200) });
  };
  contents.on('will-navigate', refuseForeign);
  contents.on('will-redirect', refuseForeign);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    void openExternalSafely(shell, url, options.externalHosts).catch(() => undefined);
    return { action: 'deny' };
  });
}

/** Permission requests and checks denied by default (camera, geolocation, HID, serial, …). */
export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => {
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  // Devices are the hardware worker's job; the page gets no WebHID/WebSerial/WebUSB grants.
  ses.setDevicePermissionHandler(() => false);
}

/** A second display (not the primary), for the customer-facing window, or null. */
export function pickCustomerDisplay(displays: readonly Display[], primary: Display): Display | null {
  return displays.find((display) => display.id !== primary.id) ?? null;
}

export function createMainWindow(preload: string): BrowserWindow {
  const window = new BrowserWindow({
    show: false,
    width: 1280,
    height: 800,
    backgroundColor: '#ffffff',
    webPreferences: { ...secureWebPreferences, preload },
  });
  window.once('ready-to-show', () => {
    window.show();
  });
  void window.loadURL(MAIN_PAGE_URL);
  return window;
}

/** The customer display: frameless, full screen on the second display; none when there is one screen. */
export function createCustomerDisplayWindow(preload: string): BrowserWindow | null {
  const display = pickCustomerDisplay(screen.getAllDisplays(), screen.getPrimaryDisplay());
  if (display === null) return null;
  const window = new BrowserWindow({
    ...display.bounds,
    frame: false,
    fullscreen: true,
    focusable: false,
    webPreferences: { ...secureWebPreferences, preload },
  });
  void window.loadURL(CUSTOMER_DISPLAY_URL);
  return window;
}

export interface ElectronMainOptions {
  /** The built renderer folder served on app://pos. */
  readonly rendererDir: string;
  /** The bundled (CommonJS) preload. */
  readonly preload: string;
  readonly externalHosts?: readonly string[];
  /** Allow safeStorage's Linux `basic_text` backend (no keyring): encryption with a fixed key. */
  readonly allowWeakLinuxSecretBackend?: boolean;
  /** The bundled hardware worker entry (hardware/src/worker/electron-entry.ts), run as a utilityProcess. */
  readonly hardwareWorker?: string;
}

/**
 * Chromium's `--user-data-dir` switch as Electron's userData path, so one folder holds the till's
 * data and the browser profile (the demo runs each till in its own folder this way). Set
 * explicitly rather than trusting the switch alone, and before anything reads the path (the
 * single-instance lock lives there). A relative or empty value is ignored: it would depend on the
 * working directory.
 */
export function applyUserDataDirSwitch(): string | null {
  if (!app.commandLine.hasSwitch('user-data-dir')) return null;
  const dir = app.commandLine.getSwitchValue('user-data-dir');
  if (dir === '' || !isAbsolute(dir)) return null;
  app.setPath('userData', dir);
  return dir;
}

export async function startElectronMain(options: ElectronMainOptions): Promise<void> {
  registerAppScheme();
  applyUserDataDirSwitch();
  // A second till process would fight over the journal lock and the devices.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  const dataDir = app.getPath('userData');
  const logger = createRotatingFileLogger({ file: join(dataDir, 'logs', 'main.log') });
  const guards: GuardOptions = { logger, externalHosts: options.externalHosts ?? [] };
  // Registered before any window exists, so no web contents is ever unguarded.
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, guards);
  });

  await app.whenReady();
  hardenSession(session.defaultSession);

  const events = new EventHub(logger);
  const workerEntry = options.hardwareWorker;
  const supervisor =
    workerEntry === undefined
      ? null
      : new HardwareSupervisor({
          launch: async () =>
            connectHardwareWorker(forkUtilityWorker(workerEntry, join(dataDir, 'hardware')), {
              descriptors: await readDeviceConfig(join(dataDir, DEVICES_FILE), logger),
            }),
          events,
          logger,
        });
  const services = await openMainServices({
    dataDir,
    logger,
    events,
    ...(supervisor === null ? {} : { hardware: supervisor }),
    appInfo: {
      appName: app.getName().slice(0, 64),
      appVersion: app.getVersion().slice(0, 32),
      host: 'electron',
      platform: process.platform,
      startedAt: new Date().toISOString(),
    },
    secretCodec: createSafeStorageCodec(safeStorage, options.allowWeakLinuxSecretBackend ?? false),
  });
  // Before the first window: the page reads the settings once at boot, and the CSP below lets it
  // reach the origin the settings name, so an enrolment made here is in force from the first load.
  await enrolFromEnvironment(services, process.env, {
    logger,
    details: {
      deviceName: 'Demo till (desktop)',
      tillName: 'Till 1',
      appVersion: app.getVersion().slice(0, 32),
    },
  });
  installAppProtocol(session.defaultSession, options.rendererDir, () => {
    const origin = services.settings.get().syncServerOrigin;
    return buildCsp({ connectSrc: origin === null ? [] : [origin] });
  });

  const dispatcher = createDispatcher({
    handlers: services.handlers,
    isTrustedSender: isTrustedIpcSender,
    logger,
  });
  registerIpcCommands(ipcMain, dispatcher);
  services.events.subscribe(
    createWebContentsSink(() => BrowserWindow.getAllWindows().map((w) => w.webContents)),
  );

  let mainWindow = createMainWindow(options.preload);
  if (services.settings.get().customerDisplayEnabled) createCustomerDisplayWindow(options.preload);

  app.on('second-instance', () => {
    if (mainWindow.isDestroyed()) mainWindow = createMainWindow(options.preload);
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    app.quit();
  });
  // Devices start after the window: a slow port never delays the till's first paint.
  void supervisor?.start();
  app.on('will-quit', () => {
    void supervisor?.close();
    void services.close();
  });
}
