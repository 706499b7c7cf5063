/**
 * The host side of the worker protocol in plain Node: forks node-entry.ts (through tsx, the worker is
 * TypeScript source), correlates responses with requests by id, times requests out, and re-emits the
 * worker's events. Restarting a crashed worker is the supervisor's job (main/); this module reports
 * the exit (`exit` event) and fails whatever was in flight with 'worker_unavailable', so nothing waits
 * forever on a dead process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TypedEmitter, type Listener } from '../device/events.ts';
import type { DeviceDescriptor } from '../device/types.ts';
import type { PaymentStatusInfo } from '../devices/payment/payment-intents.ts';
import {
  PROTOCOL_VERSION,
  parseWorkerMessage,
  requestMessage,
  type CommandOf,
  type CommandValues,
  type DeviceInfo,
  type PrintJobInfo,
  type WeightReading,
  type WorkerCommand,
  type WorkerError,
  type WorkerEvent,
  type WorkerResult,
} from './protocol.ts';

export const DEFAULT_NODE_ENTRY = fileURLToPath(new URL('./node-entry.ts', import.meta.url));
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_START_TIMEOUT_MS = 20_000;
/** Extra time a weigh may take beyond the scale's own deadline (the round trip). */
const WEIGH_MARGIN_MS = 2000;
const DEFAULT_WEIGH_TIMEOUT_MS = 5000;
/** A cancel asks the terminal to abort, then waits a few seconds for the payment to settle. */
const CANCEL_PAYMENT_TIMEOUT_MS = 30_000;
/** `startPayment` with `wait` lasts as long as the customer (the worker stops waiting at 300 s). */
const WAIT_PAYMENT_TIMEOUT_MS = 310_000;

export interface StartHardwareWorkerOptions {
  /** The worker script; node-entry.ts beside this file by default. */
  readonly entry?: string;
  /** Configured right after start; the configure response is `initialDevices`. */
  readonly descriptors: readonly DeviceDescriptor[];
  readonly dataDir: string;
  readonly requestTimeoutMs?: number;
  readonly startTimeoutMs?: number;
  /** Node flags of the child; `--import tsx` by default. */
  readonly execArgv?: readonly string[];
  /** The child's stdout and stderr: inherited by default (the worker logs there). */
  readonly output?: 'inherit' | 'ignore';
}

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface HardwareWorkerHostEvents {
  readonly event: WorkerEvent;
  readonly exit: WorkerExit;
}

/** A refusal or failure the worker reported (or 'worker_unavailable' when it did not answer). */
export class HardwareWorkerError extends Error {
  override readonly name = 'HardwareWorkerError';

  constructor(
    readonly code: WorkerError['code'],
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  readonly resolve: (result: WorkerResult<unknown>) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The worker's process as the client needs it. Two implementations: a Node child process
 * (`childProcessChannel`) and, in Electron main, a utilityProcess (main/src/electron/utility-worker.ts).
 */
export interface WorkerChannel {
  readonly pid: number | undefined;
  /** False once the message channel is closed. */
  readonly connected: boolean;
  /** Throws when the channel closed meanwhile. */
  send(message: unknown): void;
  kill(signal?: NodeJS.Signals): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: WorkerExit) => void): void;
}

export function childProcessChannel(child: ChildProcess): WorkerChannel {
  // A send on a closed channel reports as 'error'; the exit handler already failed what was pending.
  child.on('error', () => undefined);
  return {
    get pid() {
      return child.pid;
    },
    get connected() {
      return child.connected;
    },
    send: (message) => {
      child.send(message as object);
    },
    kill: (signal) => {
      child.kill(signal);
    },
    onMessage: (listener) => {
      child.on('message', listener);
    },
    onExit: (listener) => {
      child.on('exit', (code, signal) => {
        listener({ code, signal });
      });
    },
  };
}

export class HardwareWorkerClient {
  readonly #events = new TypedEmitter<HardwareWorkerHostEvents>();
  readonly #pending = new Map<string, Pending>();
  readonly #timeoutMs: number;
  #nextId = 1;
  #exit: WorkerExit | undefined;
  /** What the worker answered to the initial configure. */
  initialDevices: readonly DeviceInfo[] = [];

  constructor(
    private readonly child: WorkerChannel,
    timeoutMs: number,
  ) {
    this.#timeoutMs = timeoutMs;
    child.onMessage((raw) => {
      this.#receive(raw);
    });
    child.onExit((exit) => {
      this.#exit = exit;
      for (const [id, pending] of this.#pending) {
        clearTimeout(pending.timer);
        this.#pending.delete(id);
        pending.resolve(unavailable('The hardware worker stopped before it answered.'));
      }
      this.#events.emit('exit', exit);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Set once the process has exited. */
  get exited(): WorkerExit | undefined {
    return this.#exit;
  }

  on<K extends keyof HardwareWorkerHostEvents>(
    event: K,
    listener: Listener<HardwareWorkerHostEvents[K]>,
  ): () => void {
    return this.#events.on(event, listener);
  }

  /** Sends a command; resolves with the worker's Result (never rejects). */
  request<T extends WorkerCommand['type']>(
    command: CommandOf<T>,
    timeoutMs = this.#timeoutMs,
  ): Promise<WorkerResult<CommandValues[T]>> {
    if (this.#exit !== undefined || !this.child.connected) {
      return Promise.resolve(unavailable('The hardware worker is not running.'));
    }
    const id = `r${this.#nextId}`;
    this.#nextId += 1;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(unavailable(`The hardware worker did not answer within ${timeoutMs} ms.`));
      }, timeoutMs);
      // The worker's value for a command of type T is CommandValues[T] (protocol.ts pairs them).
      this.#pending.set(id, { resolve: resolve as (result: WorkerResult<unknown>) => void, timer });
      this.#post(requestMessage(id, command));
    });
  }

  /** Like `request`, but returns the value and throws HardwareWorkerError for a refusal. */
  async call<T extends WorkerCommand['type']>(
    command: CommandOf<T>,
    timeoutMs?: number,
  ): Promise<CommandValues[T]> {
    const result = await this.request(command, timeoutMs);
    if (!result.ok) throw new HardwareWorkerError(result.error.code, result.error.message);
    return result.value;
  }

  /** Sends anything at all (tests use it to check that the worker survives garbage). */
  postRaw(message: unknown): void {
    this.#post(message);
  }

  async configure(devices: readonly DeviceDescriptor[]): Promise<readonly DeviceInfo[]> {
    return (await this.call({ type: 'configure', devices: [...devices] })).devices;
  }

  async listDevices(): Promise<readonly DeviceInfo[]> {
    return (await this.call({ type: 'listDevices' })).devices;
  }

  printReceipt(job: Omit<CommandOf<'printReceipt'>, 'type'>, timeoutMs?: number): Promise<PrintJobInfo> {
    return this.call({ type: 'printReceipt', ...job }, timeoutMs);
  }

  async openDrawer(drawerId?: string): Promise<void> {
    await this.call({ type: 'openDrawer', ...(drawerId === undefined ? {} : { drawerId }) });
  }

  async showLines(lines: readonly string[], displayId?: string): Promise<void> {
    await this.call({
      type: 'showLines',
      lines: [...lines],
      ...(displayId === undefined ? {} : { displayId }),
    });
  }

  readWeight(
    options: { readonly scaleId?: string; readonly timeoutMs?: number } = {},
  ): Promise<WeightReading> {
    return this.call(
      { type: 'readWeight', ...options },
      (options.timeoutMs ?? DEFAULT_WEIGH_TIMEOUT_MS) + WEIGH_MARGIN_MS,
    );
  }

  /**
   * Starts a payment (idempotent by payment id). Resolves with `pending` once the intent is durable
   * and the terminal is called, or, with `wait`, once the payment has settled; `paymentUpdated`
   * events report every change. Refusals: busy (another payment is unsettled), not_found (no
   * terminal), offline / unavailable (the terminal cannot be used), illegal (the id was used for
   * another amount).
   */
  startPayment(
    request: {
      readonly paymentId: string;
      readonly kind: 'sale' | 'refund';
      readonly amount: number;
      readonly currency: string;
      readonly terminalId?: string;
      readonly wait?: boolean;
    },
    timeoutMs?: number,
  ): Promise<PaymentStatusInfo> {
    return this.call(
      { type: 'startPayment', ...request },
      timeoutMs ?? (request.wait === true ? WAIT_PAYMENT_TIMEOUT_MS : undefined),
    );
  }

  /** The cashier cancels: aborts, or reverses an approval that comes anyway. not_found for unknown ids. */
  cancelPayment(paymentId: string, terminalId?: string): Promise<PaymentStatusInfo> {
    return this.call(
      { type: 'cancelPayment', paymentId, ...(terminalId === undefined ? {} : { terminalId }) },
      CANCEL_PAYMENT_TIMEOUT_MS,
    );
  }

  /** The payment as recorded (an unsettled one is checked with the terminal meanwhile). */
  paymentStatus(paymentId: string, terminalId?: string): Promise<PaymentStatusInfo> {
    return this.call({
      type: 'paymentStatus',
      paymentId,
      ...(terminalId === undefined ? {} : { terminalId }),
    });
  }

  /** Asks the worker to close its devices and exit; resolves once it has exited. */
  async shutdown(timeoutMs = 5000): Promise<WorkerExit> {
    if (this.#exit !== undefined) return this.#exit;
    const exited = new Promise<WorkerExit>((resolve) => {
      this.on('exit', resolve);
    });
    await this.request({ type: 'shutdown' }, timeoutMs);
    const timer = setTimeout(() => {
      this.child.kill('SIGKILL');
    }, timeoutMs);
    const exit = await exited;
    clearTimeout(timer);
    return exit;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }

  #post(message: unknown): void {
    if (!this.child.connected) return;
    try {
      this.child.send(message);
    } catch {
      // The channel closed between the check and the send: the exit handler answers.
    }
  }

  #receive(raw: unknown): void {
    const message = parseWorkerMessage(raw);
    if (message === undefined) return;
    if (message.kind === 'event') {
      this.#events.emit('event', message.event);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    pending.resolve(message.result);
  }
}

/**
 * Forks the worker, waits for its `ready` event (checking the protocol version), and configures the
 * devices. Rejects when the worker does not start in time or exits first.
 */
export async function startHardwareWorker(
  options: StartHardwareWorkerOptions,
): Promise<HardwareWorkerClient> {
  const output = options.output ?? 'inherit';
  const child = fork(options.entry ?? DEFAULT_NODE_ENTRY, ['--data-dir', options.dataDir], {
    execArgv: [...(options.execArgv ?? ['--import', 'tsx'])],
    stdio: [output === 'inherit' ? 'inherit' : 'ignore', output, output, 'ipc'],
    serialization: 'json',
  });
  return connectHardwareWorker(childProcessChannel(child), options);
}

/**
 * The handshake with a started worker, whatever process it runs in (a forked Node child, an
 * Electron utilityProcess): waits for `ready`, checks the protocol version, configures the devices.
 * Kills the process when that fails.
 */
export async function connectHardwareWorker(
  child: WorkerChannel,
  options: Pick<StartHardwareWorkerOptions, 'descriptors' | 'requestTimeoutMs' | 'startTimeoutMs'>,
): Promise<HardwareWorkerClient> {
  const client = new HardwareWorkerClient(child, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(
          new HardwareWorkerError(
            'worker_unavailable',
            `The hardware worker did not start within ${startTimeoutMs} ms.`,
          ),
        );
      }, startTimeoutMs);
      const offEvent = client.on('event', (event) => {
        if (event.type !== 'ready') return;
        done();
        if (event.version === PROTOCOL_VERSION) resolve();
        else {
          reject(
            new HardwareWorkerError(
              'unsupported_version',
              `The hardware worker speaks protocol version ${event.version}, the till ${PROTOCOL_VERSION}.`,
            ),
          );
        }
      });
      const offExit = client.on('exit', ({ code, signal }) => {
        done();
        reject(
          new HardwareWorkerError(
            'worker_unavailable',
            `The hardware worker exited while starting (code ${String(code)}, signal ${String(signal)}).`,
          ),
        );
      });
      function done(): void {
        clearTimeout(timer);
        offEvent();
        offExit();
      }
    });
    client.initialDevices = await client.configure(options.descriptors);
  } catch (error) {
    if (client.exited === undefined) child.kill('SIGKILL');
    throw error;
  }
  return client;
}

function unavailable(message: string): { readonly ok: false; readonly error: WorkerError } {
  return { ok: false, error: { code: 'worker_unavailable', message } };
}
