/**
 * A receipt printer (UPOS POSPrinter) on a bidirectional link: serial, USB-CDC or raw TCP 9100. It
 * prints jobs of ready-made bytes (receipt-renderer.ts makes them) and reports the printer's condition
 * (paper, cover, errors, the drawer sensor) from status polls and automatic status back. The command
 * language is a protocol object (printer-protocol.ts): ESC/POS (DLE EOT, GS a, GS r 1) or StarPRNT
 * (ESC ACK SOH, ESC RS a, ETB counter; star-protocol.ts), picked from the profile's language.
 *
 * A job is printed only when the printer says so: every job ends with the protocol's fence (GS r 1,
 * or Star's ETB), which the printer answers after it has printed everything before it. While waiting
 * for that answer the driver polls status; a printer out of paper or with its cover open keeps the job's bytes in its buffer and
 * finishes it after the cashier fixes it, so the job simply waits. The wait fails only when the link
 * drops (the job's fate is then unknown) or when a printer that reports itself ready stays silent past
 * `fenceTimeoutMs`.
 *
 * All traffic to the printer goes through one queue (#exclusive), so a status poll is never written
 * in the middle of a job's bytes: inside image data a DLE EOT would be taken as a real-time command.
 */
import { BaseDevice, type DeviceOptions } from '../../device/base-device.ts';
import { concatBytes } from '../../device/bytes.ts';
import { DeviceError } from '../../device/errors.ts';
import type { DeviceEvents, OutputCompleteEvent } from '../../device/types.ts';
import type { Transport } from '../../transports/transport.ts';
import type { DrawerPin } from '../drawer/cash-drawer.ts';
import { EscPosProtocol, type PrinterProtocol, type QueryAnswer } from './printer-protocol.ts';
import type { PrinterLanguage, PrinterProfile } from './profiles.ts';
import { StarPrntProtocol } from './star-protocol.ts';
import { describeStatus, isReady, type PrinterStatus } from './status.ts';

export interface PrinterEvents extends DeviceEvents {
  /** Every change of the printer's condition (paper, cover, errors, drawer sensor). */
  readonly printerStatus: PrinterStatus;
  /** A job's end-of-job fence was answered: it is on paper. */
  readonly outputComplete: OutputCompleteEvent;
}

export interface ReceiptPrinterConfig {
  readonly profile: PrinterProfile;
  /** Wait for one DLE EOT reply. */
  readonly responseTimeoutMs: number;
  /** Status poll interval while a job waits for its fence. */
  readonly pollIntervalMs: number;
  /** How long a printer that reports itself ready may take to answer a job's fence. */
  readonly fenceTimeoutMs: number;
  /** Turn on automatic status back (GS a, ESC RS a), so changes arrive without polling. */
  readonly asb: boolean;
  /** The command language's protocol; by default the one of `profile.language`. */
  readonly protocol?: PrinterProtocol;
}

/** A fresh protocol object for a printer language (one per device: it keeps the link's fence state). */
export function protocolFor(language: PrinterLanguage): PrinterProtocol {
  return language === 'star-prnt' ? new StarPrntProtocol() : new EscPosProtocol();
}

export const DEFAULT_PRINTER_TIMING = {
  responseTimeoutMs: 1000,
  pollIntervalMs: 500,
  fenceTimeoutMs: 20_000,
  asb: true,
} as const;

/** The part of the printer the print queue and the drawer use (tests substitute fakes). */
export interface PrintTarget {
  printJob(jobId: string, bytes: Uint8Array): Promise<void>;
  queryStatus(): Promise<PrinterStatus>;
}

interface PendingQuery {
  readonly resolve: (answer: QueryAnswer) => void;
  readonly reject: (error: DeviceError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

interface PendingFence {
  readonly resolve: () => void;
  readonly reject: (error: DeviceError) => void;
}

/** Marks a failure that happened before any byte of the job was written (so it can be retried as is). */
export const BEFORE_SEND = 'before_send';

export class ReceiptPrinter extends BaseDevice<PrinterEvents> implements PrintTarget {
  readonly kind = 'printer';
  readonly label = 'receipt printer';
  readonly #protocol: PrinterProtocol;
  #io: Promise<unknown> = Promise.resolve();
  #query: PendingQuery | undefined;
  #fence: PendingFence | undefined;
  #status: PrinterStatus | undefined;

  constructor(
    id: string,
    transport: Transport,
    readonly config: ReceiptPrinterConfig,
    options: DeviceOptions = {},
  ) {
    super(id, transport, options);
    this.#protocol = config.protocol ?? protocolFor(config.profile.language);
  }

  get language(): PrinterLanguage {
    return this.#protocol.language;
  }

  get profile(): PrinterProfile {
    return this.config.profile;
  }

  /** The last condition the printer reported; undefined until it answered once. */
  get printerStatus(): PrinterStatus | undefined {
    return this.#status;
  }

  /** Asks the printer (DLE EOT 1, 2, 4 and maybe 3; or ESC ACK SOH), between jobs' bytes. */
  queryStatus(): Promise<PrinterStatus> {
    return this.#exclusive(async () => {
      this.requireReady();
      const status = await this.#protocol.queryStatus((request) => this.#ask(request));
      this.#setPrinterStatus(status);
      return status;
    });
  }

  /**
   * Sends the job followed by the protocol's fence and resolves once the printer answered the fence.
   * Rejects with the DeviceError that stopped it; when nothing was written yet the error's params
   * carry `stage: 'before_send'`, so the caller knows no paper can have come out.
   */
  async printJob(jobId: string, bytes: Uint8Array): Promise<void> {
    try {
      this.requireReady();
    } catch (error) {
      throw this.#beforeSend(this.asDeviceError(error));
    }
    if (this.#fence !== undefined) {
      throw new DeviceError('busy', 'The receipt printer is still printing the previous receipt.', {
        device: this.id,
        stage: BEFORE_SEND,
      });
    }
    const fence = new Promise<void>((resolve, reject) => {
      this.#fence = { resolve, reject };
    });
    // Observed here so a rejection while we are still writing is not reported as unhandled.
    fence.catch(() => undefined);
    try {
      await this.#exclusive(async () => {
        this.requireReady();
        await this.transport.write(concatBytes([bytes, this.#protocol.fence()]));
      });
    } catch (error) {
      this.#fence = undefined;
      throw this.asDeviceError(error);
    }
    await this.#awaitFence(fence);
    this.events.emit('outputComplete', { outputId: jobId });
  }

  /** Bytes that need no fence (a drawer pulse), queued behind any job being written. */
  sendCommand(bytes: Uint8Array): Promise<void> {
    return this.#exclusive(async () => {
      this.requireReady();
      await this.transport.write(bytes);
    });
  }

  /** The bytes that kick a drawer on this printer's connector (CashDrawer sends them). */
  drawerPulse(pin: DrawerPin, onMs: number, offMs: number): Uint8Array {
    return this.#protocol.drawerPulse(pin, onMs, offMs);
  }

  /**
   * After the cashier cleared a recoverable error (a cutter jam), restarts the printer (ESC/POS DLE
   * ENQ 1). With `clearBuffer` (DLE ENQ 2) the printer also drops what it held of the interrupted job,
   * which the print queue then prints again as a copy. Star printers resume by themselves.
   */
  async recoverFromError(clearBuffer = false): Promise<void> {
    const command = this.#protocol.recoverCommand(clearBuffer);
    if (command.length > 0) await this.sendCommand(command);
  }

  protected override async onStart(): Promise<void> {
    this.#protocol.reset();
    const start = this.#protocol.startCommands(this.config.asb);
    if (start.length > 0) await this.#exclusive(() => this.transport.write(start));
    await this.queryStatus();
  }

  protected override onStop(reason: DeviceError): void {
    this.#protocol.reset();
    const query = this.#query;
    this.#query = undefined;
    if (query !== undefined) {
      clearTimeout(query.timer);
      query.reject(reason);
    }
    const fence = this.#fence;
    this.#fence = undefined;
    fence?.reject(reason);
  }

  protected onData(bytes: Uint8Array): void {
    for (const event of this.#protocol.push(bytes)) {
      switch (event.kind) {
        case 'answer': {
          const query = this.#query;
          this.#query = undefined;
          if (query === undefined) break;
          clearTimeout(query.timer);
          query.resolve(event.answer);
          break;
        }
        case 'status':
          this.#setPrinterStatus(event.status);
          break;
        case 'fenced': {
          const fence = this.#fence;
          this.#fence = undefined;
          fence?.resolve();
          break;
        }
      }
    }
  }

  protected override async probe(): Promise<string> {
    const status = await this.queryStatus();
    return `The receipt printer answers on ${this.transport.description}. ${describeStatus(status)}`;
  }

  async #awaitFence(fence: Promise<void>): Promise<void> {
    let readySince: number | undefined;
    const done = fence.then(() => true);
    done.catch(() => undefined);
    for (;;) {
      const answered = await Promise.race([done, delay(this.config.pollIntervalMs, false)]);
      if (answered) return;
      // Polls only now that every byte of the job is written (see the module comment).
      const status = await this.queryStatus().catch((error: unknown) => {
        throw this.asDeviceError(error);
      });
      if (this.#fence === undefined) {
        await fence;
        return;
      }
      if (!isReady(status)) {
        readySince = undefined;
        continue;
      }
      const now = Date.now();
      readySince ??= now;
      if (now - readySince >= this.config.fenceTimeoutMs) {
        const pending = this.#fence;
        this.#fence = undefined;
        // A printer that dropped the job never answers its fence; counting on that answer would leave
        // every later job waiting for one fence too many.
        this.#protocol.abandonFences();
        const error = new DeviceError(
          'timeout',
          'The receipt printer did not confirm the receipt. Check whether it printed before printing a copy.',
          { device: this.id, timeoutMs: this.config.fenceTimeoutMs },
        );
        pending.reject(error);
        throw error;
      }
    }
  }

  #ask(request: Uint8Array): Promise<QueryAnswer> {
    return new Promise<QueryAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#query?.timer !== timer) return;
        this.#query = undefined;
        // The link is up but the printer is silent: switched off behind its adapter.
        this.setPowerState('off');
        reject(
          new DeviceError('timeout', 'The receipt printer does not answer. Check that it is switched on.', {
            device: this.id,
          }),
        );
      }, this.config.responseTimeoutMs);
      this.#query = {
        resolve: (answer) => {
          this.setPowerState('online');
          resolve(answer);
        },
        reject,
        timer,
      };
      this.transport.write(request).catch((error: unknown) => {
        if (this.#query?.timer !== timer) return;
        this.#query = undefined;
        clearTimeout(timer);
        reject(this.asDeviceError(error));
      });
    });
  }

  #setPrinterStatus(status: PrinterStatus): void {
    const before = this.#status;
    this.#status = status;
    if (before === undefined || !sameStatus(before, status)) this.events.emit('printerStatus', status);
  }

  #exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#io.then(operation);
    this.#io = run.catch(() => undefined);
    return run;
  }

  #beforeSend(error: DeviceError): DeviceError {
    return new DeviceError(
      error.code,
      error.message,
      { ...error.params, stage: BEFORE_SEND },
      { cause: error },
    );
  }
}

function sameStatus(a: PrinterStatus, b: PrinterStatus): boolean {
  return (
    a.online === b.online &&
    a.coverOpen === b.coverOpen &&
    a.paper === b.paper &&
    a.drawerPin3High === b.drawerPin3High &&
    a.feedButton === b.feedButton &&
    a.error === b.error &&
    a.errorCause === b.errorCause
  );
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => {
    setTimeout(() => {
      resolve(value);
    }, ms);
  });
}
