/**
 * The hardware worker as an Electron utilityProcess: messages travel over `process.parentPort`.
 * Everything else is shared with the Node entry (run-worker.ts); this is the one hardware file that
 * may name Electron, and it only names its types.
 */
import type { ParentPort } from 'electron';
import { dataDirFromArgs, runWorker } from './run-worker.ts';

const parentPort: ParentPort = process.parentPort;

runWorker(
  {
    send: (message) => {
      parentPort.postMessage(message);
      return Promise.resolve();
    },
    onMessage: (listener) => {
      parentPort.on('message', (event) => {
        listener(event.data);
      });
    },
    // A utilityProcess is killed with its parent; there is no disconnect to watch.
    onDisconnect: () => undefined,
    exit: (code) => {
      process.exit(code);
    },
  },
  dataDirFromArgs(process.argv.slice(2)),
);
