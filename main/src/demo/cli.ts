/**
 * `npm start`: the demo store on this machine. Runs the till in Electron when its binary is
 * installed, otherwise through the web host in any browser, and says which and why.
 *
 *   npm start [-- --data-dir DIR] [--server-port N] [--till-port N] [--products N] [--web]
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_STORE_ID, startDemo } from './start-demo.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '.demo-data' },
    'server-port': { type: 'string', default: '4100' },
    'till-port': { type: 'string', default: '5170' },
    products: { type: 'string', default: '2000' },
    web: { type: 'boolean', default: false },
  },
});

function port(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    console.error(`--${name} must be a port number (0–65535), not "${text}".`);
    process.exit(2);
  }
  return value;
}

const products = Number(values.products);
if (!Number.isInteger(products) || products < 1 || products > 2_000_000) {
  console.error(`--products must be a whole number from 1 to 2,000,000, not "${values.products}".`);
  process.exit(2);
}

/** The Electron binary, when its postinstall download ran (it cannot on machines without internet). */
function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = values.web ? null : electronBinary();
const reason = values.web
  ? 'web mode: --web was given'
  : 'web mode: no Electron binary is installed here (its download is unavailable), so the till runs through the web host';
if (binary !== null) {
  console.log(
    `Electron is installed (${binary}), but the desktop build runs with "npm run build" and electron out/main/entry.js; ` +
      'this demo serves the same till through the web host so it works on every machine.',
  );
} else {
  console.log(`Omnitill demo — ${reason}.`);
}

const dataDir = resolve(values['data-dir']);
const demo = await startDemo({
  dataDir,
  serverPort: port('server-port', values['server-port']),
  tillPort: port('till-port', values['till-port']),
  products,
  buildRenderer: true,
  log: (line) => {
    console.log(line);
  },
});

console.log('');
console.log(`Open the till:  ${demo.tillUrl}`);
console.log(`Store ${DEMO_STORE_ID}. Sign in as cashier 102 with PIN 3333, or manager 100 with PIN 1111.`);
console.log('Stop with Ctrl+C.');

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  console.log('Stopping…');
  void demo.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
