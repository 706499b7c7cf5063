/**
 * Runs the web host: `tsx main/src/web-host/start.ts --data <dir> --static <renderer build> [--port N]`.
 * Binds 127.0.0.1 only; there is deliberately no flag for another interface here.
 */
import { parseArgs } from 'node:util';
import { openMainServices } from '../host/main-services.ts';
import { createRotatingFileLogger } from '../logging/file-logger.ts';
import { buildBrowserBridge } from './bridge-bundle.ts';
import { startWebHost } from './web-host.ts';
import { join } from 'node:path';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    static: { type: 'string' },
    port: { type: 'string', default: '0' },
  },
});
if (values.data === undefined || values.static === undefined) {
  console.error('usage: start.ts --data <dir> --static <renderer build> [--port N]');
  process.exit(2);
}
const logger = createRotatingFileLogger({ file: join(values.data, 'logs', 'web-host.log') });
const services = await openMainServices({
  dataDir: values.data,
  logger,
  appInfo: {
    appName: 'Omnitill',
    appVersion: process.env.npm_package_version ?? '0.0.0',
    host: 'web',
    platform: process.platform,
    startedAt: new Date().toISOString(),
  },
});
const origin = services.settings.get().syncServerOrigin;
const host = await startWebHost({
  staticDir: values.static,
  handlers: services.handlers,
  events: services.events,
  logger,
  bridgeScript: await buildBrowserBridge(),
  port: Number(values.port),
  connectSrc: origin === null ? [] : [origin],
});
// The URL only; the token is in the page, never on a command line or in a log.
console.log(`Omnitill web host on ${host.origin}/`);
const stop = (): void => {
  void host
    .close()
    .then(() => services.close())
    .then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
