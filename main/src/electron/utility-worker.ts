/**
 * The hardware worker as an Electron utilityProcess (architecture.md: a crash there never takes the
 * UI down), seen through the same `WorkerChannel` the Node host uses, so one supervisor and one
 * client serve both hosts. The worker's entry is hardware/src/worker/electron-entry.ts, bundled.
 */
import type { UtilityProcess } from 'electron';
import { utilityProcess } from 'electron';
import type { WorkerChannel, WorkerExit } from '@pos/hardware';

export function utilityProcessChannel(child: UtilityProcess): WorkerChannel {
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  return {
    get pid() {
      return child.pid;
    },
    get connected() {
      return !exited && child.pid !== undefined;
    },
    send: (message) => {
      child.postMessage(message);
    },
    // A utilityProcess takes no signal name; any kill is a kill.
    kill: () => {
      child.kill();
    },
    onMessage: (listener) => {
      child.on('message', listener);
    },
    onExit: (listener) => {
      child.once('exit', (code) => {
        const exit: WorkerExit = { code, signal: null };
        listener(exit);
      });
    },
  };
}

/** Starts the worker in a utilityProcess with its data folder. */
export function forkUtilityWorker(entry: string, dataDir: string): WorkerChannel {
  const child = utilityProcess.fork(entry, ['--data-dir', dataDir], {
    serviceName: 'Omnitill devices',
    stdio: 'inherit',
  });
  return utilityProcessChannel(child);
}
