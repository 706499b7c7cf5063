/**
 * `npm start`: the demo store on this machine. Runs the till in Electron when its binary is
 * installed, otherwise through the web host in any browser, and says which and why.
 *
 *   npm start [-- --data-dir DIR] [--server-port N] [--till-port N] [--products N] [--web]
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseDemoMode, findElectronBinary, hasDisplay, launchElectronDemo } from './electron-demo.ts';
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

const dataDir = resolve(values['data-dir']);
const serverPort = port('server-port', values['server-port']);
const tillPort = port('till-port', values['till-port']);
const log = (line: string): void => {
  console.log(line);
};

const mode = chooseDemoMode({
  web: values.web,
  // Not even looked up with --web: the answer would not change anything.
  electron: values.web ? { found: false, problem: 'not looked up' } : findElectronBinary(),
  display: hasDisplay(process.env, process.platform),
});
console.log(`Omnitill demo — ${mode.reason}.`);

if (mode.mode === 'electron') {
  console.log(`Data: ${dataDir} (the sync server in server/, the till's user data in electron/).`);
  const demo = await launchElectronDemo({ binary: mode.binary, dataDir, serverPort, products, log });
  console.log('');
  console.log(`The till opens in an Electron window. Store ${DEMO_STORE_ID}.`);
  console.log('Sign in as cashier 102 with PIN 3333, or manager 100 with PIN 1111.');
  console.log('Close the window or press Ctrl+C to stop.');
  // A property, so the check after `await demo.done` sees what the signal handler set.
  const state = { stopping: false };
  const stop = (): void => {
    if (state.stopping) return;
    state.stopping = true;
    console.log('Stopping…');
    void demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await demo.done;
  // After Ctrl+C, `stop` exits once everything has stopped; otherwise Electron quit by itself.
  if (!state.stopping) {
    if (code !== 0) {
      console.log(
        'If Electron cannot run on this machine, `npm start -- --web` serves the till to a browser.',
      );
    }
    process.exit(code);
  }
} else {
  console.log(`Data: ${dataDir} (the sync server in server/, the till in till/).`);
  const demo = await startDemo({
    dataDir,
    serverPort,
    tillPort,
    products,
    buildRenderer: true,
    log,
  });

  console.log('');
  console.log(`Open the till:  ${demo.tillUrl}`);
  console.log(`Store ${DEMO_STORE_ID}. Sign in as cashier 102 with PIN 3333, or manager 100 with PIN 1111.`);
  console.log(`Logs: ${join(dataDir, 'till', 'logs')}. Stop with Ctrl+C.`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    void demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
