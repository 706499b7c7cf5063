/**
 * Network devices over raw TCP (receipt printers on 9100, ZVT terminals on 20007, LAN pole displays).
 * One socket per open; a socket that ends, errors or goes silent past the keep-alive probes is reported
 * as a lost link and the owning device reconnects with its backoff policy (BaseDevice).
 */
import { Socket } from 'node:net';
import { DeviceError, linkOpenError, systemErrorCode } from '../device/errors.ts';
import { BaseTransport, describeTransport, type TcpTransportConfig } from './transport.ts';

const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
/** Half-open connections (a printer power-cycled mid-job) are only noticed through keep-alive. */
const KEEP_ALIVE_DELAY_MS = 5000;

export class TcpTransport extends BaseTransport {
  readonly type = 'tcp';
  readonly description: string;
  #socket: Socket | undefined;

  constructor(readonly config: TcpTransportConfig) {
    super();
    this.description = describeTransport(config);
  }

  get isOpen(): boolean {
    return this.#socket !== undefined;
  }

  async open(): Promise<void> {
    if (this.#socket !== undefined) return;
    const socket = new Socket();
    const timeoutMs = this.config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new DeviceError(
              'timeout',
              `${this.description} did not accept a connection within ${timeoutMs} ms.`,
              {
                link: this.description,
              },
            ),
          );
        }, timeoutMs);
        socket.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        socket.connect({ host: this.config.host, port: this.config.port }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    } catch (error) {
      socket.destroy();
      throw systemErrorCode(error) === 'ECONNREFUSED'
        ? new DeviceError(
            'offline',
            `${this.description} refused the connection. Check that it is switched on.`,
            {
              link: this.description,
            },
            { cause: error },
          )
        : linkOpenError(error, this.description);
    }
    socket.removeAllListeners('error');
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    let lastError: unknown;
    socket.on('error', (error) => {
      lastError = error;
    });
    // 'close' follows 'error' and 'end' alike, so the loss is reported once, from here.
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.emitLost(lastError ?? new Error('connection closed by the device'));
    });
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    await new Promise<void>((resolve) => {
      socket.once('close', () => {
        resolve();
      });
      socket.end();
      // A peer that never acknowledges the FIN must not keep close() waiting.
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) throw this.notOpenError();
    await new Promise<void>((resolve, reject) => {
      socket.write(bytes, (error) => {
        if (error === null || error === undefined) resolve();
        else reject(this.lostError(error));
      });
    });
  }
}
