/** A web host over real main-side services in a temporary data folder, for the host's tests. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandHandlers } from '../src/commands/dispatcher.ts';
import { openMainServices, type MainServices } from '../src/host/main-services.ts';
import { silentLogger } from '../src/logging/logger.ts';
import { startWebHost, type WebHost } from '../src/web-host/web-host.ts';

export const TEST_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Omnitill test page</title></head>
<body><p id="hello">hello</p></body></html>
`;

export interface HostFixture {
  readonly host: WebHost;
  readonly services: MainServices;
  readonly dataDir: string;
  close(): Promise<void>;
}

export async function startHostFixture(
  options: {
    bridgeScript?: string;
    wrapHandlers?: (handlers: CommandHandlers) => CommandHandlers;
  } = {},
): Promise<HostFixture> {
  const root = await mkdtemp(join(tmpdir(), 'omnitill-web-host-'));
  const dataDir = join(root, 'data');
  const staticDir = join(root, 'static');
  await mkdir(staticDir);
  await writeFile(join(staticDir, 'index.html'), TEST_PAGE);
  await writeFile(join(root, 'secret.txt'), 'outside the static folder');
  const services = await openMainServices({
    dataDir,
    logger: silentLogger,
    appInfo: {
      appName: 'Omnitill',
      appVersion: '0.1.0',
      host: 'web',
      platform: 'linux',
      startedAt: '2026-11-23T10:00:00.000Z',
    },
  });
  const handlers = options.wrapHandlers?.(services.handlers) ?? services.handlers;
  const host = await startWebHost({
    staticDir,
    handlers,
    events: services.events,
    logger: silentLogger,
    bridgeScript: options.bridgeScript ?? '/* bridge */',
  });
  return {
    host,
    services,
    dataDir,
    close: async () => {
      await host.close();
      await services.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
