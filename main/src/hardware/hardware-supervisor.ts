/**
 * Device supervision (architecture.md: main supervises the hardware worker). Starts the worker,
 * restarts it with backoff when it crashes, relays its device status, scans, print jobs and drawer
 * changes to the renderer as contract events, and answers the `hardware.*` commands through it.
 *
 * A crash of the worker never reaches the till UI as anything but device states: while it is down
 * every device shows `offline` with the reason, commands answer `unavailable` with a sentence the
 * cashier can act on, and the print queue and payment intents the worker keeps on disk are picked up
 * again by the restarted worker (it resumes them itself; nothing is re-sent from here).
 */
import type { DeviceInfo, HardwareWorkerClient, PrintJobInfo, WorkerEvent } from '@pos/hardware';
import {
  HardwareWorkerError,
  toBridgeDeviceStatus,
  toBridgePaymentStatus,
  toBridgeScaleReading,
  toPosErrorCode,
} from '@pos/hardware';
import type { DeviceStatus, PrintJobStatus, ScaleReading } from '../contract.ts';
import { CommandError } from '../commands/command-error.ts';
import type { EventHub } from '../commands/events.ts';
import type { HardwareHost, PrintRequest, StartPayment } from '../commands/hardware-host.ts';
import type { PaymentStatus } from '../contract.ts';
import { describeError, type Logger } from '../logging/logger.ts';

/** The part of the worker client supervision uses; the Node and Electron launchers both return it. */
export type WorkerConnection = Pick<
  HardwareWorkerClient,
  'on' | 'call' | 'shutdown' | 'kill' | 'initialDevices' | 'exited'
>;

export interface HardwareSupervisorOptions {
  /** Starts and configures a worker; rejects when it cannot. */
  readonly launch: () => Promise<WorkerConnection>;
  readonly events: EventHub;
  readonly logger: Logger;
  /** First restart delay; doubles per consecutive failure up to `maxRestartDelayMs`. */
  readonly restartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
  /** A worker that ran this long without crashing resets the backoff. */
  readonly stableAfterMs?: number;
  readonly now?: () => number;
}

const DEFAULT_RESTART_DELAY_MS = 1000;
const DEFAULT_MAX_RESTART_DELAY_MS = 30_000;
const DEFAULT_STABLE_AFTER_MS = 60_000;

export type SupervisorState = 'starting' | 'running' | 'restarting' | 'stopped';

export class HardwareSupervisor implements HardwareHost {
  readonly #options: HardwareSupervisorOptions;
  readonly #now: () => number;
  #worker: WorkerConnection | null = null;
  #state: SupervisorState = 'stopped';
  #failures = 0;
  #startedAt = 0;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #closing = false;
  /** Last known status of every device, so a restart can mark them offline and the UI can list them. */
  readonly #devices = new Map<string, DeviceStatus>();
  #restarts = 0;

  constructor(options: HardwareSupervisorOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /** How many times the worker was started again after it stopped unasked. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Starts the worker; never rejects (a failed start is retried with backoff). */
  async start(): Promise<void> {
    this.#closing = false;
    await this.#launch();
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#state = 'stopped';
    clearTimeout(this.#restartTimer);
    const worker = this.#worker;
    this.#worker = null;
    if (worker !== null && worker.exited === undefined) {
      try {
        await worker.shutdown();
      } catch (error) {
        this.#options.logger.warn('hardware worker did not shut down cleanly', {
          error: describeError(error),
        });
        worker.kill('SIGKILL');
      }
    }
  }

  async #launch(): Promise<void> {
    this.#state = this.#restarts === 0 && this.#failures === 0 ? 'starting' : 'restarting';
    let worker: WorkerConnection;
    try {
      worker = await this.#options.launch();
    } catch (error) {
      this.#options.logger.error('hardware worker failed to start', { error: describeError(error) });
      this.#scheduleRestart();
      return;
    }
    if (this.#closing) {
      await worker.shutdown().catch(() => undefined);
      return;
    }
    this.#worker = worker;
    this.#startedAt = this.#now();
    this.#state = 'running';
    worker.on('event', (event) => {
      this.#relay(event);
    });
    worker.on('exit', (exit) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      if (this.#closing) return;
      this.#options.logger.error('hardware worker stopped', { code: exit.code, signal: exit.signal });
      if (this.#now() - this.#startedAt >= (this.#options.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS)) {
        this.#failures = 0;
      }
      this.#markAllOffline('The device service stopped; restarting it.');
      this.#scheduleRestart();
    });
    for (const device of worker.initialDevices) this.#publishDevice(device);
  }

  #scheduleRestart(): void {
    if (this.#closing) return;
    this.#state = 'restarting';
    const base = this.#options.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
    const max = this.#options.maxRestartDelayMs ?? DEFAULT_MAX_RESTART_DELAY_MS;
    const delay = Math.min(max, base * 2 ** Math.min(this.#failures, 16));
    this.#failures += 1;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      this.#restarts += 1;
      void this.#launch();
    }, delay);
  }

  #markAllOffline(detail: string): void {
    for (const device of this.#devices.values()) {
      this.#publish({ ...device, state: 'offline', detail });
    }
  }

  #publish(status: DeviceStatus): void {
    this.#devices.set(status.deviceId, status);
    this.#options.events.publish('hardware.deviceStatus', status);
  }

  #publishDevice(device: DeviceInfo): void {
    const status = toBridgeDeviceStatus(device);
    if (status !== undefined) this.#publish(status);
  }

  #relay(event: WorkerEvent): void {
    const hub = this.#options.events;
    switch (event.type) {
      case 'ready':
        return;
      case 'deviceStatus':
        this.#publishDevice(event.device);
        return;
      case 'deviceError': {
        const known = this.#devices.get(event.deviceId);
        if (known !== undefined)
          this.#publish({ ...known, state: 'error', detail: clip(event.error.message, 200) });
        return;
      }
      case 'scanned':
        hub.publish('hardware.scanned', {
          data: event.text,
          symbology: event.result.symbology,
          deviceId: event.deviceId,
        });
        return;
      case 'printJob':
        hub.publish('hardware.printJob', toPrintJobStatus(event.job));
        return;
      case 'drawer':
        hub.publish('hardware.drawer', { drawerId: event.drawerId, open: event.open, leftOpenMs: 0 });
        return;
      case 'drawerLeftOpen':
        hub.publish('hardware.drawer', { drawerId: event.drawerId, open: true, leftOpenMs: event.openForMs });
        return;
      case 'paymentUpdated':
        hub.publish('hardware.paymentUpdated', toBridgePaymentStatus(event.payment));
        return;
      default:
        this.#relayOther(event);
    }
  }

  /** Events a newer worker sends that this host does not map (yet): logged, never fatal. */
  #relayOther(event: { readonly type: string }): void {
    this.#options.logger.info('hardware event not relayed', { type: event.type });
  }

  #running(): WorkerConnection {
    const worker = this.#worker;
    if (worker === null) {
      throw new CommandError(
        'unavailable',
        this.#state === 'stopped'
          ? 'The device service is not running on this till.'
          : 'The device service is restarting. Try again in a moment.',
      );
    }
    return worker;
  }

  async #call<T>(run: (worker: WorkerConnection) => Promise<T>): Promise<T> {
    const worker = this.#running();
    try {
      return await run(worker);
    } catch (error) {
      throw toCommandError(error);
    }
  }

  // ------------------------------------------------------------------------------------------
  // HardwareHost
  // ------------------------------------------------------------------------------------------

  printReceipt(job: PrintRequest): Promise<PrintJobStatus> {
    return this.#call(async (worker) =>
      toPrintJobStatus(
        await worker.call({ type: 'printReceipt', jobId: job.jobId, receipt: job.receipt, copy: job.copy }),
      ),
    );
  }

  openDrawer(drawerId: string | undefined): Promise<void> {
    return this.#call(async (worker) => {
      await worker.call({ type: 'openDrawer', ...(drawerId === undefined ? {} : { drawerId }) });
    });
  }

  showOnDisplay(lines: readonly string[]): Promise<void> {
    return this.#call(async (worker) => {
      await worker.call({ type: 'showLines', lines: [...lines] });
    });
  }

  readScale(): Promise<ScaleReading> {
    return this.#call(async (worker) => {
      // The worker answers only with a stable weight (or an error saying why not).
      return toBridgeScaleReading(await worker.call({ type: 'readWeight' }, 7000));
    });
  }

  /** Answers `pending` once the intent is durable in the worker; `hardware.paymentUpdated` tells the rest. */
  startPayment(request: StartPayment): Promise<PaymentStatus> {
    return this.#call(async (worker) =>
      toBridgePaymentStatus(
        await worker.call({
          type: 'startPayment',
          paymentId: request.paymentId,
          kind: request.kind,
          amount: request.amount,
          currency: request.currency,
        }),
      ),
    );
  }

  cancelPayment(paymentId: string): Promise<PaymentStatus> {
    // The worker answers once the cancel settled (or after a few seconds); allow for that.
    return this.#call(async (worker) =>
      toBridgePaymentStatus(await worker.call({ type: 'cancelPayment', paymentId }, 15_000)),
    );
  }

  paymentStatus(paymentId: string): Promise<PaymentStatus> {
    return this.#call(async (worker) =>
      toBridgePaymentStatus(await worker.call({ type: 'paymentStatus', paymentId })),
    );
  }

  listDevices(): Promise<readonly DeviceStatus[]> {
    const worker = this.#worker;
    if (worker === null) return Promise.resolve([...this.#devices.values()]);
    return this.#call(async (running) => {
      const { devices } = await running.call({ type: 'listDevices' });
      const statuses = devices.flatMap((device) => toBridgeDeviceStatus(device) ?? []);
      for (const status of statuses) this.#devices.set(status.deviceId, status);
      return statuses;
    });
  }
}

export function toPrintJobStatus(job: PrintJobInfo): PrintJobStatus {
  const waiting = job.state === 'queued' && job.error !== undefined;
  return {
    jobId: job.jobId,
    state: waiting ? 'waiting' : job.state,
    detail: clip(job.error?.message ?? '', 200),
  };
}

/** Worker refusals keep their message (written for cashiers); the code maps onto the contract's. */
export function toCommandError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  if (error instanceof HardwareWorkerError) {
    return new CommandError(
      toPosErrorCode({ code: error.code, message: error.message }),
      clip(error.message, 1000),
      {
        cause: error,
      },
    );
  }
  return new CommandError('internal', 'The device service failed. Call support if it keeps happening.', {
    cause: error,
  });
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
