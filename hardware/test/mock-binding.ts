/**
 * A typed handle on `@serialport/binding-mock` for unit tests. Its own type declarations do not
 * resolve under this project's module resolution (the package's `exports` has no types), so it is
 * loaded through `createRequire` and described here with what the tests use.
 *
 * `createMockSerial` wraps MockBinding so a test can reach the port binding a SerialTransport opened:
 * `emitData` plays bytes from the device, `recording` holds every byte the transport wrote.
 */
import { createRequire } from 'node:module';
import type { SerialBinding } from '../src/transports/serial-transport.ts';

export interface MockPortBinding {
  readonly isOpen: boolean;
  readonly recording: Buffer;
  emitData(data: Buffer | string): void;
}

interface MockBindingModule {
  readonly MockBinding: {
    createPort(path: string, options?: { echo?: boolean; record?: boolean }): void;
    reset(): void;
    list(): Promise<unknown[]>;
    open(options: { readonly path: string; readonly baudRate: number }): Promise<MockPortBinding>;
  };
}

const load = createRequire(import.meta.url);
const { MockBinding } = load('@serialport/binding-mock') as MockBindingModule;

export interface MockSerial {
  readonly binding: SerialBinding;
  /** Port bindings in the order the transports opened them. */
  readonly opened: MockPortBinding[];
  /** The last opened port; throws when none was opened. */
  port(): MockPortBinding;
}

/** Resets MockBinding and creates the given ports (echo off, recording on). */
export function createMockSerial(...paths: string[]): MockSerial {
  MockBinding.reset();
  for (const path of paths) MockBinding.createPort(path, { echo: false, record: true });
  const opened: MockPortBinding[] = [];
  return {
    opened,
    binding: {
      list: () => MockBinding.list(),
      open: async (options) => {
        const port = await MockBinding.open(options);
        opened.push(port);
        return port;
      },
    },
    port: () => {
      const port = opened.at(-1);
      if (port === undefined) throw new Error('no mock port was opened');
      return port;
    },
  };
}
