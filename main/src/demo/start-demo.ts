/**
 * The whole store on one machine, for `npm start` and the end-to-end tests: the sync server on
 * embedded PGlite with the demo seed (first run), the device simulators speaking their real wire
 * protocols, the hardware worker driving them under the supervisor, and a till enrolled with the
 * server automatically, served by the web host. Everything binds to 127.0.0.1.
 *
 * `startDemoStore` is the store half alone (server and simulators): the desktop mode runs the till
 * in Electron, whose main process brings its own supervisor and services (electron-demo.ts).
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
import { enrolWithCode, SYNC_API_PREFIX } from '../host/enrolment.ts';
import { buildBrowserBridge } from '../web-host/bridge-bundle.ts';
import { startWebHost, type WebHost } from '../web-host/web-host.ts';
import { startDemoSyncServer, type DemoSyncServer } from './demo-sync-server.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RENDERER_DIR = join(ROOT, 'out', 'renderer');

export { SYNC_API_PREFIX };

/** The store the demo till belongs to (sync-server/src/seed/demo-seed.ts DEMO_STORES). */
export const DEMO_STORE_ID = 'S01';

export interface DemoStoreOptions {
  /** Holds the server's PGlite folder (`server/`) and the HQ token. */
  readonly dataDir: string;
  /** 0 picks a free port (tests). */
  readonly serverPort: number;
  /** Catalog size of the first-run seed. */
  readonly products: number;
  readonly log?: (line: string) => void;
}

/** The store without a till: the sync server and the simulated devices. */
export interface DemoStore {
  readonly server: DemoSyncServer;
  readonly devices: SimulatedDevices;
  /** Stops the simulators, then the server; never throws (problems go to `log`). */
  close(): Promise<void>;
}

export async function startDemoStore(options: DemoStoreOptions): Promise<DemoStore> {
  const log = options.log ?? (() => undefined);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const serverPort = options.serverPort === 0 ? await freePort() : options.serverPort;
  const server = await startDemoSyncServer({
    dataDir: join(options.dataDir, 'server'),
    port: serverPort,
    products: options.products,
    log,
  });
  log(`Sync server on ${server.origin} (embedded PGlite, ${join(options.dataDir, 'server')}).`);

  let devices: SimulatedDevices;
  try {
    devices = await startSimulatedDevices();
  } catch (error) {
    await server.stop();
    throw error;
  }
  log(`Simulated devices: ${devices.descriptors.map((d) => `${d.id} (${d.kind})`).join(', ')}.`);

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      for (const [what, stop] of [
        ['the simulated devices', () => devices.close()],
        ['the sync server', () => server.stop()],
      ] as const) {
        try {
          await stop();
        } catch (error) {
          log(`while stopping ${what}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return closed;
  };
  return { server, devices, close };
}

/** `dataDir` also holds the till's data (`till/`) and the hardware worker's queue. */
export interface DemoOptions extends DemoStoreOptions {
  /** 0 picks a free port (tests). */
  readonly tillPort: number;
  /** Build the renderer first (vite); off when the caller already built it. */
  readonly buildRenderer: boolean;
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

    const store = await startDemoStore(options);
    cleanups.push(() => store.close());
    const { server, devices } = store;
    const { descriptors } = devices;

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

    const enrolledDeviceId = await enrolDemoTill(services, server, log);

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
 * Enrols the web till once, as a store manager would by typing a code HQ gave them; later starts
 * reuse the stored refresh token.
 */
async function enrolDemoTill(
  services: MainServices,
  server: DemoSyncServer,
  log: (line: string) => void,
): Promise<string> {
  const settings = services.settings.get();
  const token = await services.secrets.get('sync.refreshToken');
  if (token !== null && settings.syncDeviceId !== null && settings.syncServerOrigin === server.origin) {
    return settings.syncDeviceId;
  }
  const code = await requestEnrolmentCode(server);
  const enrolment = await enrolWithCode(services, server.origin, code, {
    deviceName: 'Demo till 1',
    tillName: 'Till 1',
    appVersion: '0.1.0',
  });
  log(`Till enrolled with store ${enrolment.storeId} as device ${enrolment.deviceId}.`);
  return enrolment.deviceId;
}

/** HQ's step of an enrolment: a one-time code for the demo store, made with the HQ token. */
export async function requestEnrolmentCode(
  server: Pick<DemoSyncServer, 'origin' | 'hqToken'>,
  storeId: string = DEMO_STORE_ID,
): Promise<string> {
  const response = await fetch(`${server.origin}${SYNC_API_PREFIX}/admin/enrollment-codes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.hqToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ storeId }),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`HQ refused an enrolment code: ${await response.text()}`);
  const { code } = (await response.json()) as { code: unknown };
  if (typeof code !== 'string') throw new Error('HQ answered without an enrolment code');
  return code;
}

export async function buildRenderer(): Promise<void> {
  const [{ build }, { rendererConfig }] = await Promise.all([
    import('vite'),
    import('../../../vite.renderer.config.ts'),
  ]);
  await build({ ...rendererConfig, logLevel: 'warn', configFile: false });
}

/** A loopback port free at the moment of asking (for the demo's "0 picks free ports" and tests). */
export async function freePort(): Promise<number> {
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
