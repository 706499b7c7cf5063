/**
 * The whole store on one machine, for `npm start` and the end-to-end tests: the sync server on
 * embedded PGlite with the demo seed (first run), the device simulators speaking their real wire
 * protocols, the hardware worker driving them under the supervisor, and a till enrolled with the
 * server automatically, served by the web host. Everything binds to 127.0.0.1.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHardwareWorker, startSimulatedDevices, type SimulatedDevices } from '@pos/hardware';
import { EventHub } from '../commands/events.ts';
import { HardwareSupervisor } from '../hardware/hardware-supervisor.ts';
import { openMainServices, type MainServices } from '../host/main-services.ts';
import { createRotatingFileLogger } from '../logging/file-logger.ts';
import type { Logger } from '../logging/logger.ts';
import { buildBrowserBridge } from '../web-host/bridge-bundle.ts';
import { startWebHost, type WebHost } from '../web-host/web-host.ts';
import { startDemoSyncServer, type DemoSyncServer } from './demo-sync-server.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RENDERER_DIR = join(ROOT, 'out', 'renderer');

/** Where the sync server mounts its API (sync-server/src/server.ts API_PREFIX). */
export const SYNC_API_PREFIX = '/api/sync/v1';

/** The store the demo till belongs to (sync-server/src/seed/demo-seed.ts DEMO_STORES). */
export const DEMO_STORE_ID = 'S01';

export interface DemoOptions {
  /** Holds the server's PGlite folder, the till's data and the hardware worker's queue. */
  readonly dataDir: string;
  /** 0 picks free ports (tests). */
  readonly serverPort: number;
  readonly tillPort: number;
  readonly products: number;
  /** Build the renderer first (vite); off when the caller already built it. */
  readonly buildRenderer: boolean;
  readonly log?: (line: string) => void;
  readonly logger?: Logger;
}

export interface Demo {
  readonly tillUrl: string;
  readonly server: DemoSyncServer;
  readonly devices: SimulatedDevices;
  readonly supervisor: HardwareSupervisor;
  readonly services: MainServices;
  readonly webHost: WebHost;
  readonly enrolledDeviceId: string;
  close(): Promise<void>;
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const log = options.log ?? (() => undefined);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const tillDir = join(options.dataDir, 'till');
  const logger = options.logger ?? createRotatingFileLogger({ file: join(tillDir, 'logs', 'till.log') });
  const cleanups: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`while stopping: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    cleanups.length = 0;
  };

  try {
    if (options.buildRenderer || !existsSync(join(RENDERER_DIR, 'index.html'))) {
      log('Building the till (vite)…');
      await buildRenderer();
    }

    const serverPort = options.serverPort === 0 ? await freePort() : options.serverPort;
    const server = await startDemoSyncServer({
      dataDir: join(options.dataDir, 'server'),
      port: serverPort,
      products: options.products,
      log,
    });
    cleanups.push(() => server.stop());
    log(`Sync server on ${server.origin} (embedded PGlite, ${join(options.dataDir, 'server')}).`);

    const devices = await startSimulatedDevices();
    cleanups.push(() => devices.close());
    const { descriptors } = devices;
    log(`Simulated devices: ${descriptors.map((d) => `${d.id} (${d.kind})`).join(', ')}.`);

    const events = new EventHub(logger);
    const supervisor = new HardwareSupervisor({
      launch: () =>
        startHardwareWorker({ descriptors, dataDir: join(tillDir, 'hardware'), output: 'ignore' }),
      events,
      logger,
    });
    await supervisor.start();
    cleanups.push(() => supervisor.close());

    const services = await openMainServices({
      dataDir: tillDir,
      logger,
      events,
      hardware: supervisor,
      appInfo: {
        appName: 'Omnitill',
        appVersion: process.env.npm_package_version ?? '0.1.0',
        host: 'web',
        platform: process.platform,
        startedAt: new Date().toISOString(),
      },
    });
    cleanups.push(() => services.close());

    const enrolledDeviceId = await enrolTill(services, server, log);

    const webHost = await startWebHost({
      staticDir: RENDERER_DIR,
      handlers: services.handlers,
      events: services.events,
      logger,
      bridgeScript: await buildBrowserBridge(),
      port: options.tillPort,
      connectSrc: [server.origin],
    });
    cleanups.push(() => webHost.close());

    return {
      tillUrl: `${webHost.origin}/`,
      server,
      devices,
      supervisor,
      services,
      webHost,
      enrolledDeviceId,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Enrols the till once (an enrolment code from HQ, then the till's own enrolment call), as a store
 * manager would by typing the code; later starts reuse the stored refresh token.
 */
async function enrolTill(
  services: MainServices,
  server: DemoSyncServer,
  log: (line: string) => void,
): Promise<string> {
  const settings = services.settings.get();
  const token = await services.secrets.get('sync.refreshToken');
  if (token !== null && settings.syncDeviceId !== null && settings.syncServerOrigin === server.origin) {
    return settings.syncDeviceId;
  }
  const codeResponse = await fetch(`${server.origin}${SYNC_API_PREFIX}/admin/enrollment-codes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.hqToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ storeId: DEMO_STORE_ID }),
  });
  if (!codeResponse.ok) throw new Error(`HQ refused an enrolment code: ${await codeResponse.text()}`);
  const { code } = (await codeResponse.json()) as { code: string };
  const enrolResponse = await fetch(`${server.origin}${SYNC_API_PREFIX}/auth/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pos-protocol': '1', 'x-pos-client-version': '0.1.0' },
    body: JSON.stringify({ enrollmentCode: code, deviceName: 'Demo till 1', appVersion: '0.1.0' }),
  });
  if (!enrolResponse.ok) throw new Error(`the sync server refused enrolment: ${await enrolResponse.text()}`);
  const enrolment = (await enrolResponse.json()) as {
    deviceId: string;
    storeId: string;
    refreshToken: string;
  };
  await services.secrets.set('sync.refreshToken', enrolment.refreshToken);
  await services.settings.update({
    syncServerOrigin: server.origin,
    storeId: enrolment.storeId,
    syncDeviceId: enrolment.deviceId,
    tillName: 'Till 1',
  });
  log(`Till enrolled with store ${enrolment.storeId} as device ${enrolment.deviceId}.`);
  return enrolment.deviceId;
}

export async function buildRenderer(): Promise<void> {
  const [{ build }, { rendererConfig }] = await Promise.all([
    import('vite'),
    import('../../../vite.renderer.config.ts'),
  ]);
  await build({ ...rendererConfig, logLevel: 'warn', configFile: false });
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}
