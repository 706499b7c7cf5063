/**
 * The printer simulator as a network printer: a raw TCP server (port 9100 style) on loopback that
 * feeds the connected socket to an EscPosPrinterSimulator. Like a real network printer it serves one
 * connection at a time; a new connection replaces the old one (a till that reconnected after a
 * network blip gets the printer, the stale socket is dropped). Listen on port 0 in tests.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { DeviceError } from '../device/errors.ts';
import { BaseTransport } from '../transports/transport.ts';
import { EscPosPrinterSimulator, type EscPosPrinterSimulatorOptions } from './escpos-printer-simulator.ts';

/** The server side of one accepted connection, as a Transport for the simulator. */
export class AcceptedSocketTransport extends BaseTransport {
  readonly type = 'fake';
  readonly description = 'printer simulator socket';
  #socket: Socket | undefined;

  get isOpen(): boolean {
    return this.#socket !== undefined;
  }

  attach(socket: Socket): void {
    this.#socket?.destroy();
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.#socket === socket)
        this.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
  }

  /** The server is already listening; nothing to open. */
  open(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#socket?.destroy();
    this.#socket = undefined;
    return Promise.resolve();
  }

  /** Drops the client's connection (the network cable pulled). */
  drop(): void {
    this.#socket?.destroy();
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) {
      return Promise.reject(new DeviceError('offline', 'No till is connected to the printer simulator.'));
    }
    return new Promise((resolve, reject) => {
      socket.write(bytes, (error) => {
        if (error === null || error === undefined) resolve();
        else reject(this.lostError(error));
      });
    });
  }
}

export interface TcpPrinterSimulator {
  readonly simulator: EscPosPrinterSimulator;
  readonly transport: AcceptedSocketTransport;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a simulated network printer on 127.0.0.1 (port 0: any free port). */
export async function startTcpPrinterSimulator(
  port = 0,
  options: EscPosPrinterSimulatorOptions = {},
): Promise<TcpPrinterSimulator> {
  const transport = new AcceptedSocketTransport();
  const simulator = new EscPosPrinterSimulator(transport, options);
  const server: Server = createServer((socket) => {
    transport.attach(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new RangeError('the simulator has no TCP address');
  return {
    simulator,
    transport,
    host: '127.0.0.1',
    port: address.port,
    close: async () => {
      await transport.close();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
