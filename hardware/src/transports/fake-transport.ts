/**
 * An in-memory transport for unit tests and in-process demos. Two fakes made with `pair()` are wired
 * back to back like the two ends of a null-modem cable, so a driver and a simulator can talk without a
 * pty. `inject` plays bytes from the device side synchronously (handy with fake timers), `vanish` and
 * `plugIn` play unplugging and re-plugging, and `written` records every write.
 */
import { DeviceError } from '../device/errors.ts';
import { BaseTransport } from './transport.ts';

export class FakeTransport extends BaseTransport {
  readonly type = 'fake';
  readonly written: Uint8Array[] = [];
  /** Counts `open` calls, so tests can see reconnect attempts. */
  openCount = 0;
  #open = false;
  #present = true;
  #peer: FakeTransport | undefined;

  constructor(readonly description = 'test device') {
    super();
  }

  /** Two transports whose writes arrive at each other (on a microtask, like a real link). */
  static pair(first = 'test device', second = 'test simulator'): [FakeTransport, FakeTransport] {
    const a = new FakeTransport(first);
    const b = new FakeTransport(second);
    a.#peer = b;
    b.#peer = a;
    return [a, b];
  }

  get isOpen(): boolean {
    return this.#open;
  }

  open(): Promise<void> {
    this.openCount += 1;
    if (!this.#present) {
      return Promise.reject(new DeviceError('offline', `The ${this.description} is not connected.`));
    }
    this.#open = true;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#open = false;
    return Promise.resolve();
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.#open) return Promise.reject(this.notOpenError());
    const copy = Uint8Array.from(bytes);
    this.written.push(copy);
    const peer = this.#peer;
    if (peer !== undefined) {
      queueMicrotask(() => {
        if (peer.#open) peer.emitData(copy);
      });
    }
    return Promise.resolve();
  }

  /** Bytes "from the device", delivered synchronously. Ignored while closed, as a real port would. */
  inject(bytes: Uint8Array | string): void {
    if (!this.#open) return;
    this.emitData(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Unplugs the device: the open link drops and further opens fail until `plugIn`. */
  vanish(): void {
    this.#present = false;
    if (!this.#open) return;
    this.#open = false;
    this.emitLost(new Error('device unplugged'));
  }

  plugIn(): void {
    this.#present = true;
  }

  /** Everything written so far, as one byte string (latin1, so every byte maps to one char). */
  get writtenText(): string {
    return Buffer.concat(this.written).toString('latin1');
  }
}
