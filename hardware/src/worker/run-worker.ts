/**
 * What both worker entries share: build the worker over a message port, announce it, and stop the
 * process once the host asked it to shut down or went away. The entries differ only in the port.
 */
import { join } from 'node:path';
import { createDefaultRegistry } from '../index.ts';
import type { WorkerMessage } from './protocol.ts';
import { HardwareWorker } from './worker.ts';

export interface WorkerPort {
  /** Resolves once the message is handed to the channel (the process may then exit). */
  send(message: WorkerMessage): Promise<void>;
  onMessage(listener: (raw: unknown) => void): void;
  /** The host closed the channel. */
  onDisconnect(listener: () => void): void;
  exit(code: number): void;
}

/** `--data-dir <dir>` or `--data-dir=<dir>`; the working directory's `.omnitill-hardware` otherwise. */
export function dataDirFromArgs(args: readonly string[]): string {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--data-dir' && args[i + 1] !== undefined) return args[i + 1] ?? '';
    if (arg.startsWith('--data-dir=')) return arg.slice('--data-dir='.length);
  }
  return join(process.cwd(), '.omnitill-hardware');
}

export function runWorker(port: WorkerPort, dataDir: string): HardwareWorker {
  const pending = new Set<Promise<void>>();
  const send = (message: WorkerMessage): void => {
    const sent = port.send(message).catch(() => undefined);
    pending.add(sent);
    void sent.finally(() => pending.delete(sent));
  };
  const stop = (): void => {
    // Lets the shutdown response reach the host before the process goes.
    void Promise.all([...pending]).finally(() => {
      port.exit(0);
    });
  };
  const worker = new HardwareWorker({
    dataDir,
    send,
    registry: createDefaultRegistry(),
    onShutdown: stop,
  });
  port.onMessage((raw) => {
    void worker.handle(raw);
  });
  port.onDisconnect(() => {
    void worker.close().finally(() => {
      port.exit(0);
    });
  });
  worker.announce();
  return worker;
}
