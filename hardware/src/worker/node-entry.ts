/**
 * The hardware worker as a plain Node child process (`child_process.fork`, see host.ts): messages
 * travel over the IPC channel, `process.send` and `process.on('message')`.
 */
import { dataDirFromArgs, runWorker } from './run-worker.ts';

const send = process.send?.bind(process);
if (send === undefined) {
  console.error('The hardware worker must be started with child_process.fork (it needs an IPC channel).');
  process.exit(2);
}

runWorker(
  {
    send: (message) =>
      new Promise((resolve, reject) => {
        send(message, undefined, {}, (error: Error | null) => {
          if (error === null) resolve();
          else reject(error);
        });
      }),
    onMessage: (listener) => {
      process.on('message', listener);
    },
    onDisconnect: (listener) => {
      process.on('disconnect', listener);
    },
    exit: (code) => {
      process.exit(code);
    },
  },
  dataDirFromArgs(process.argv.slice(2)),
);
