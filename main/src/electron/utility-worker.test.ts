/**
 * The utilityProcess seen as a WorkerChannel, with Electron's utilityProcess faked at the edge:
 * messages both ways, the exit reported once with its code, and no send after the exit.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

class FakeUtilityProcess extends EventEmitter {
  pid: number | undefined = 4242;
  readonly posted: unknown[] = [];
  killed = false;
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

const forks: { entry: string; args: string[]; options: unknown; child: FakeUtilityProcess }[] = [];

vi.mock('electron', () => ({
  utilityProcess: {
    fork: (entry: string, args: string[], options: unknown) => {
      const child = new FakeUtilityProcess();
      forks.push({ entry, args, options, child });
      return child;
    },
  },
}));

const { forkUtilityWorker } = await import('./utility-worker.ts');

describe('utilityProcess worker channel', () => {
  it('forks the worker entry with its data folder and relays messages both ways', () => {
    const channel = forkUtilityWorker('/app/out/main/hardware-worker.js', '/data/hardware');
    const fork = forks.at(-1);
    expect(fork?.entry).toBe('/app/out/main/hardware-worker.js');
    expect(fork?.args).toEqual(['--data-dir', '/data/hardware']);
    const received: unknown[] = [];
    channel.onMessage((message) => received.push(message));
    fork?.child.emit('message', { v: 1, kind: 'event', event: { type: 'ready' } });
    expect(received).toEqual([{ v: 1, kind: 'event', event: { type: 'ready' } }]);
    channel.send({ v: 1, kind: 'request', id: 'r1', command: { type: 'listDevices' } });
    expect(fork?.child.posted).toEqual([
      { v: 1, kind: 'request', id: 'r1', command: { type: 'listDevices' } },
    ]);
    expect(channel.pid).toBe(4242);
  });

  it('reports the exit with its code and is no longer connected', () => {
    const channel = forkUtilityWorker('/w.js', '/d');
    const child = forks.at(-1)?.child;
    const exits: unknown[] = [];
    channel.onExit((exit) => exits.push(exit));
    expect(channel.connected).toBe(true);
    child?.emit('exit', 9);
    expect(exits).toEqual([{ code: 9, signal: null }]);
    expect(channel.connected).toBe(false);
    channel.kill('SIGKILL');
    expect(child?.killed).toBe(true);
  });
});
