/**
 * Serial ports (RS-232, USB-CDC virtual COM ports, ptys) through serialport's stream over a binding.
 * The native binding is loaded on first open, not at import, so a broken prebuild only takes serial
 * devices down. Tests pass `@serialport/binding-mock`'s MockBinding instead.
 *
 * Modem lines (DTR/RTS) are never touched: ptys reject those ioctls and none of our devices needs them.
 */
import { SerialPortStream } from '@serialport/stream';
import { DeviceError, errorText, linkOpenError } from '../device/errors.ts';
import { BaseTransport, describeTransport, type SerialTransportConfig } from './transport.ts';

/**
 * A serialport binding: the platform one, or MockBinding in unit tests. Declared structurally because
 * the serialport packages' own binding types do not resolve here (they publish `exports` without type
 * conditions, so the compiler sees them as unknown).
 */
export interface SerialBinding {
  list(): Promise<unknown[]>;
  open(options: { readonly path: string; readonly baudRate: number }): Promise<unknown>;
}

export interface SerialTransportOptions {
  /** Defaults to the platform binding of the `serialport` package. */
  readonly binding?: SerialBinding;
}

let systemBinding: Promise<SerialBinding> | undefined;

function loadSystemBinding(): Promise<SerialBinding> {
  systemBinding ??= import('serialport').then((module) => module.SerialPort.binding as SerialBinding);
  return systemBinding;
}

export class SerialTransport extends BaseTransport {
  readonly type = 'serial';
  readonly description: string;
  #port: SerialPortStream | undefined;

  constructor(
    readonly config: SerialTransportConfig,
    private readonly options: SerialTransportOptions = {},
  ) {
    super();
    this.description = describeTransport(config);
  }

  get isOpen(): boolean {
    return this.#port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.#port !== undefined) return;
    let binding: SerialBinding;
    try {
      binding = this.options.binding ?? (await loadSystemBinding());
    } catch (error) {
      throw new DeviceError(
        'unavailable',
        `Serial ports cannot be used on this computer (${errorText(error)}).`,
        { link: this.description },
        { cause: error },
      );
    }
    const { path, baudRate, dataBits = 8, parity = 'none', stopBits = 1 } = this.config;
    const port = new SerialPortStream({
      binding,
      path,
      baudRate,
      dataBits,
      parity,
      stopBits,
      autoOpen: false,
      lock: true,
    });
    // Without an 'error' listener a stream error is an uncaught exception in the worker.
    port.on('error', () => undefined);
    this.#port = port;
    try {
      await new Promise<void>((resolve, reject) => {
        port.open((error) => {
          if (error === null) resolve();
          else reject(error);
        });
      });
    } catch (error) {
      this.#port = undefined;
      throw linkOpenError(error, this.description);
    }
    port.on('data', (chunk: Buffer) => {
      this.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    // serialport emits 'close' with a DisconnectedError when the device vanished; an intended close
    // has already detached this port (#port !== port) and is not reported.
    port.on('close', (error: unknown) => {
      if (this.#port !== port) return;
      this.#port = undefined;
      this.emitLost(error);
    });
  }

  async close(): Promise<void> {
    const port = this.#port;
    if (port === undefined) return;
    this.#port = undefined;
    if (!port.isOpen) return;
    await new Promise<void>((resolve) => {
      // A port that vanished in the meantime fails to close; it is closed either way.
      port.close(() => {
        resolve();
      });
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    const port = this.#port;
    if (port?.isOpen !== true) throw this.notOpenError();
    await new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(bytes), (error) => {
        if (error === null || error === undefined) resolve();
        else reject(this.lostError(error));
      });
    });
  }
}
