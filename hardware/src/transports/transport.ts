/**
 * The one interface every device talks through, whatever the wire: a serial port, a HID device, a TCP
 * socket or an in-memory fake. A transport is a single connection: `open` connects, `close` disconnects,
 * and when the link drops on its own it emits `closed` once with a DeviceError that says what happened.
 * Reconnecting is the device's job (see BaseDevice), so every transport gets the same backoff and the
 * same power-state reporting.
 */
import { DeviceError, capitalize } from '../device/errors.ts';
import { TypedEmitter, type Listener } from '../device/events.ts';

export type SerialParity = 'none' | 'even' | 'odd' | 'mark' | 'space';

export interface SerialTransportConfig {
  readonly type: 'serial';
  /** Named explicitly: ptys and some USB adapters never appear in a port listing. */
  readonly path: string;
  readonly baudRate: number;
  readonly dataBits?: 5 | 6 | 7 | 8;
  readonly parity?: SerialParity;
  readonly stopBits?: 1 | 1.5 | 2;
}

export interface HidTransportConfig {
  readonly type: 'hid';
  readonly vendorId: number;
  readonly productId: number;
  /** Picks one interface of a composite device, e.g. 0x8C for the HID POS bar code scanner page. */
  readonly usagePage?: number;
  readonly usage?: number;
  readonly serialNumber?: string;
}

export interface TcpTransportConfig {
  readonly type: 'tcp';
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs?: number;
}

export type TransportConfig = SerialTransportConfig | HidTransportConfig | TcpTransportConfig;
export type TransportType = TransportConfig['type'] | 'fake';

export interface TransportEvents {
  /** Bytes from the device. A HID transport delivers exactly one input report per event. */
  readonly data: Uint8Array;
  /** The link dropped without `close()` being called (unplugged, socket reset, pty gone). */
  readonly closed: DeviceError;
}

export interface Transport {
  readonly type: TransportType;
  /** Names the link in messages, e.g. "serial port /dev/ttyUSB0". */
  readonly description: string;
  readonly isOpen: boolean;
  /** Connects; a no-op when already open. Rejects with a DeviceError (offline, in_use, access_denied…). */
  open(): Promise<void>;
  /** Disconnects; idempotent; never emits `closed`. */
  close(): Promise<void>;
  /** Resolves once the bytes are handed to the OS; rejects with DeviceError 'offline' when not open. */
  write(bytes: Uint8Array): Promise<void>;
  on<K extends keyof TransportEvents>(event: K, listener: Listener<TransportEvents[K]>): () => void;
  /** HID only: some scanners need a feature report to switch into HID POS mode. */
  sendFeatureReport?(bytes: Uint8Array): Promise<void>;
}

/** Event plumbing shared by the transports, so each one reports a lost link exactly once. */
export abstract class BaseTransport implements Transport {
  abstract readonly type: TransportType;
  abstract readonly description: string;
  abstract readonly isOpen: boolean;
  readonly #events = new TypedEmitter<TransportEvents>();

  abstract open(): Promise<void>;
  abstract close(): Promise<void>;
  abstract write(bytes: Uint8Array): Promise<void>;

  on<K extends keyof TransportEvents>(event: K, listener: Listener<TransportEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  protected emitData(bytes: Uint8Array): void {
    this.#events.emit('data', bytes);
  }

  protected emitLost(cause: unknown): void {
    this.#events.emit('closed', this.lostError(cause));
  }

  protected lostError(cause: unknown): DeviceError {
    return new DeviceError(
      'offline',
      `${capitalize(this.description)} was disconnected. Check the cable; the till reconnects by itself.`,
      { link: this.description },
      { cause },
    );
  }

  protected notOpenError(): DeviceError {
    return new DeviceError('offline', `${capitalize(this.description)} is not connected.`, {
      link: this.description,
    });
  }
}

export function describeTransport(config: TransportConfig): string {
  switch (config.type) {
    case 'serial':
      return `serial port ${config.path}`;
    case 'hid':
      return `USB device ${hex4(config.vendorId)}:${hex4(config.productId)}`;
    case 'tcp':
      return `network device ${config.host}:${config.port}`;
  }
}

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}
