/**
 * The hardware worker's core, independent of how messages travel (process.send in plain Node, a
 * MessagePort in an Electron utilityProcess): it holds the configured devices, brings each one up
 * (open → claim → enable), routes requests to them and forwards what they report as events.
 *
 * Failure is per device. A device whose driver cannot be built, or whose port is missing, is listed
 * with its error and `offline`, and the worker keeps trying to claim it with backoff (re-plugging
 * recovers without a restart); the other devices are unaffected. A device that was claimed and then
 * lost reconnects by itself (BaseDevice). No request handler throws across: every outcome is a
 * response, and a message that is not a valid request gets an error response.
 *
 * Cash drawers are not devices of their own on the wire: they hang off a printer's kick connector.
 * A `cash_drawer` descriptor names its printer in `settings.printer` (default: the first printer);
 * its transport is not used.
 *
 * Payment terminals get a durable intent journal each (`payment-intents-<id>.jsonl` in the data
 * directory), opened before the terminal is; a terminal whose journal cannot be opened is not
 * started at all (it could not keep its promise never to lose or double a payment).
 */
import type { ReceiptModel } from '@pos/app';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy } from '../device/backoff.ts';
import type { BaseDevice } from '../device/base-device.ts';
import { DeviceError, errorText, isDeviceError } from '../device/errors.ts';
import type { DriverRegistry } from '../device/registry.ts';
import { DeviceSettings } from '../device/settings.ts';
import type { DeviceDescriptor, DeviceKind, PowerState } from '../device/types.ts';
import { CashDrawer, DEFAULT_DRAWER_CONFIG, type DrawerPin } from '../devices/drawer/cash-drawer.ts';
import { LineDisplay } from '../devices/display/line-display.ts';
import { PaymentIntentStore, type PaymentStatusInfo } from '../devices/payment/payment-intents.ts';
import { NexoPaymentTerminal } from '../devices/payment/payment-terminal.ts';
import { PrintQueue, type PrintJob } from '../devices/printer/print-queue.ts';
import { ReceiptPrinter } from '../devices/printer/receipt-printer.ts';
import { receiptJobRenderer } from '../devices/printer/receipt-renderer.ts';
import { describeStatus, isReady } from '../devices/printer/status.ts';
import { Toledo8217Scale } from '../devices/scale/scale.ts';
import { BarcodeScanner } from '../devices/scanner/scanner.ts';
import type { TransportFactory } from '../transports/create-transport.ts';
import { describeTransport } from '../transports/transport.ts';
import {
  PROTOCOL_VERSION,
  eventMessage,
  parseRequest,
  responseMessage,
  type CommandOf,
  type CommandValues,
  type DeviceInfo,
  type PrintJobInfo,
  type WorkerCommand,
  type WorkerError,
  type WorkerEvent,
  type WorkerMessage,
} from './protocol.ts';

export interface HardwareWorkerOptions {
  /** Where the print queues keep their journals. */
  readonly dataDir: string;
  /** Delivers a message to the host; may throw when the channel is gone (the worker ignores that). */
  readonly send: (message: WorkerMessage) => void;
  readonly registry: DriverRegistry;
  /** Tests pass fakes; the real transports otherwise. */
  readonly createTransport?: TransportFactory;
  /** Backoff between attempts to claim a device that is not there. */
  readonly claimRetry?: BackoffPolicy;
  readonly claimTimeoutMs?: number;
  /** Print queue poll while a job waits for its printer. */
  readonly printRetryIntervalMs?: number;
  /** Called after the response to `shutdown` has been handed to `send`. */
  readonly onShutdown?: () => void;
}

/** How long `printReceipt` with `wait` waits before answering with the job's current state. */
const PRINT_WAIT_LIMIT_MS = 60_000;
/** How long `startPayment` with `wait` waits before answering with the payment's current state. */
const PAYMENT_WAIT_LIMIT_MS = 300_000;
const LABELS: Readonly<Record<DeviceKind, string>> = {
  scanner: 'scanner',
  scale: 'scale',
  line_display: 'customer display',
  printer: 'receipt printer',
  cash_drawer: 'cash drawer',
  payment_terminal: 'payment terminal',
  card_reader: 'card reader',
};

interface DeviceEntry {
  readonly descriptor: DeviceDescriptor;
  device?: BaseDevice;
  driver?: string;
  error?: WorkerError;
  queue?: PrintQueue<ReceiptModel>;
  intents?: PaymentIntentStore;
  retryTimer?: ReturnType<typeof setTimeout>;
  retryAttempt: number;
  weighing: boolean;
  closed: boolean;
  readonly offs: (() => void)[];
}

interface DrawerEntry {
  readonly descriptor: DeviceDescriptor;
  printerId?: string;
  drawer?: CashDrawer;
  error?: WorkerError;
}

export class HardwareWorker {
  readonly #devices = new Map<string, DeviceEntry>();
  readonly #drawers = new Map<string, DrawerEntry>();
  readonly #claimRetry: BackoffPolicy;
  /** configure and shutdown run alone; other requests wait for the one in progress. */
  #exclusive: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(private readonly options: HardwareWorkerOptions) {
    this.#claimRetry = options.claimRetry ?? DEFAULT_BACKOFF;
  }

  /** Tells the host the worker is listening. */
  announce(): void {
    this.#emit({ type: 'ready', version: PROTOCOL_VERSION, pid: process.pid });
  }

  /** Handles one incoming message; never rejects. */
  async handle(raw: unknown): Promise<void> {
    const parsed = parseRequest(raw);
    if (!parsed.ok) {
      this.#send(responseMessage(parsed.id, { ok: false, error: parsed.error }));
      return;
    }
    const { id, command } = parsed.request;
    try {
      const value = await this.#route(command);
      this.#send(responseMessage(id, { ok: true, value }));
    } catch (error) {
      this.#send(responseMessage(id, { ok: false, error: toWorkerError(error) }));
    }
    if (command.type === 'shutdown') this.options.onShutdown?.();
  }

  /** Closes every device and print queue. */
  async close(): Promise<void> {
    this.#stopped = true;
    await this.#closeAll();
  }

  get devices(): DeviceInfo[] {
    return [
      ...[...this.#devices.values()].map((entry) => this.#info(entry)),
      ...[...this.#drawers.values()].map((entry) => this.#drawerInfo(entry)),
    ];
  }

  #route(command: WorkerCommand): Promise<CommandValues[WorkerCommand['type']]> {
    if (this.#stopped) {
      return Promise.reject(workerError('worker_unavailable', 'The hardware worker is shutting down.'));
    }
    switch (command.type) {
      case 'configure':
        return this.#alone(() => this.#configure(command.devices));
      case 'shutdown':
        return this.#alone(async () => {
          await this.close();
          return { stopped: true as const };
        });
      case 'listDevices':
        return this.#after(() => Promise.resolve({ devices: this.devices }));
      case 'printReceipt':
        return this.#after(() => this.#print(command));
      case 'openDrawer':
        return this.#after(() => this.#openDrawer(command));
      case 'showLines':
        return this.#after(() => this.#showLines(command));
      case 'readWeight':
        return this.#after(() => this.#readWeight(command));
      case 'startPayment':
        return this.#after(() => this.#startPayment(command));
      case 'cancelPayment':
        return this.#after(() =>
          this.#paymentOf(command.paymentId, command.terminalId).cancel(command.paymentId),
        );
      case 'paymentStatus':
        return this.#after(() =>
          Promise.resolve(
            this.#paymentOf(command.paymentId, command.terminalId).transactionStatus(command.paymentId),
          ),
        );
    }
  }

  #alone<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#exclusive.then(operation);
    this.#exclusive = run.catch(() => undefined);
    return run;
  }

  #after<T>(operation: () => Promise<T>): Promise<T> {
    return this.#exclusive.then(operation);
  }

  // -------------------------------------------------------------------------------------------
  // Configuration and lifecycle
  // -------------------------------------------------------------------------------------------

  async #configure(descriptors: readonly DeviceDescriptor[]): Promise<{ devices: DeviceInfo[] }> {
    await this.#closeAll();
    const starting: Promise<void>[] = [];
    for (const descriptor of descriptors) {
      if (descriptor.kind === 'cash_drawer') continue;
      const entry: DeviceEntry = { descriptor, retryAttempt: 0, weighing: false, closed: false, offs: [] };
      this.#devices.set(descriptor.id, entry);
      starting.push(this.#start(entry));
    }
    await Promise.all(starting);
    for (const descriptor of descriptors) {
      if (descriptor.kind === 'cash_drawer') this.#attachDrawer(descriptor);
    }
    return { devices: this.devices };
  }

  async #start(entry: DeviceEntry): Promise<void> {
    const { descriptor } = entry;
    let device: BaseDevice;
    try {
      device = this.options.registry.create(
        descriptor,
        this.options.createTransport === undefined ? {} : { createTransport: this.options.createTransport },
      );
      entry.driver = this.options.registry.select(descriptor).id;
    } catch (error) {
      entry.error = toWorkerError(error);
      this.#emitStatus(entry);
      return;
    }
    entry.device = device;
    entry.offs.push(
      device.on('status', () => {
        this.#emitStatus(entry);
      }),
      device.on('error', ({ error, locus }) => {
        this.#emit({ type: 'deviceError', deviceId: descriptor.id, locus, error: toWorkerError(error) });
      }),
    );
    if (device instanceof BarcodeScanner) {
      entry.offs.push(
        device.on('data', (scan) => {
          this.#emit({
            type: 'scanned',
            deviceId: descriptor.id,
            text: scan.text,
            source: scan.source,
            result: scan.result,
          });
        }),
      );
    }
    if (device instanceof NexoPaymentTerminal) {
      try {
        await this.#openIntents(entry, device);
      } catch (error) {
        entry.error = {
          code: 'unavailable',
          message: `The payment journal of the terminal "${descriptor.id}" could not be opened (${errorText(error)}); card payments are off. Check the till's disk.`,
        };
        this.#emitStatus(entry);
        return;
      }
      if (isClosed(entry)) return;
    }
    if (device instanceof ReceiptPrinter) {
      try {
        await this.#openQueue(entry, device);
      } catch (error) {
        entry.error = toWorkerError(error);
      }
      entry.offs.push(
        device.on('printerStatus', () => {
          this.#emitStatus(entry);
        }),
      );
    }
    try {
      await device.open();
    } catch (error) {
      entry.error = toWorkerError(error);
      this.#emitStatus(entry);
      return;
    }
    await this.#claim(entry, device);
  }

  async #openQueue(entry: DeviceEntry, printer: ReceiptPrinter): Promise<void> {
    const queue = await PrintQueue.open<ReceiptModel>({
      dataDir: this.options.dataDir,
      fileName: `print-queue-${entry.descriptor.id}.jsonl`,
      target: printer,
      render: receiptJobRenderer(printer.profile),
      subscribeStatus: (listener) => printer.on('printerStatus', listener),
      ...(this.options.printRetryIntervalMs === undefined
        ? {}
        : { retryIntervalMs: this.options.printRetryIntervalMs }),
    });
    if (entry.closed) {
      await queue.close();
      return;
    }
    entry.queue = queue;
    entry.offs.push(
      queue.on('job', (job) => {
        this.#emit({ type: 'printJob', job: jobInfo(entry.descriptor.id, job) });
      }),
      queue.on('error', (error) => {
        this.#emit({
          type: 'deviceError',
          deviceId: entry.descriptor.id,
          locus: 'output',
          error: { code: 'failure', message: `The print queue could not be saved: ${errorText(error)}` },
        });
      }),
    );
    queue.start();
  }

  async #openIntents(entry: DeviceEntry, terminal: NexoPaymentTerminal): Promise<void> {
    const store = await PaymentIntentStore.open({
      dataDir: this.options.dataDir,
      fileName: `payment-intents-${entry.descriptor.id}.jsonl`,
    });
    if (entry.closed) {
      await store.close();
      return;
    }
    entry.intents = store;
    terminal.attachIntentStore(store);
    entry.offs.push(
      terminal.on('payment', (payment) => {
        this.#emit({ type: 'paymentUpdated', terminalId: entry.descriptor.id, payment });
      }),
    );
  }

  /** Claims and enables; on failure reports the device offline and tries again with backoff. */
  async #claim(entry: DeviceEntry, device: BaseDevice): Promise<void> {
    if (entry.closed) return;
    try {
      await device.claim(this.options.claimTimeoutMs);
      await device.enable();
      entry.retryAttempt = 0;
      if (entry.error !== undefined) {
        delete entry.error;
        this.#emitStatus(entry);
      }
    } catch (error) {
      // Read through a call: the compiler still narrows `entry.closed` to the value it had before the await.
      if (isClosed(entry)) return;
      entry.error = toWorkerError(error);
      this.#emitStatus(entry);
      const delay = backoffDelay(this.#claimRetry, Math.min(entry.retryAttempt, 30));
      entry.retryAttempt += 1;
      entry.retryTimer = setTimeout(() => {
        delete entry.retryTimer;
        void this.#claim(entry, device);
      }, delay);
    }
  }

  #attachDrawer(descriptor: DeviceDescriptor): void {
    const entry: DrawerEntry = { descriptor };
    this.#drawers.set(descriptor.id, entry);
    try {
      const settings = new DeviceSettings(descriptor);
      const printerId =
        settings.optionalString('printer') ??
        [...this.#devices.values()].find((d) => d.descriptor.kind === 'printer')?.descriptor.id;
      const printer = printerId === undefined ? undefined : this.#devices.get(printerId);
      if (printer === undefined || printerId === undefined) {
        throw new DeviceError(
          'invalid_config',
          `The cash drawer "${descriptor.id}" needs a receipt printer to hang off; set settings.printer to a printer's id.`,
          { device: descriptor.id },
        );
      }
      entry.printerId = printerId;
      if (!(printer.device instanceof ReceiptPrinter)) {
        entry.error = {
          code: 'unavailable',
          message: `The cash drawer "${descriptor.id}" cannot open: its printer "${printerId}" is not running.`,
        };
        return;
      }
      const pin = settings.number('pin', DEFAULT_DRAWER_CONFIG.pin, { integer: true, min: 2, max: 5 });
      if (pin !== 2 && pin !== 5) {
        throw new DeviceError('invalid_config', `The cash drawer's pin must be 2 or 5, not ${pin}.`);
      }
      const drawerPin: DrawerPin = pin;
      const drawer = new CashDrawer(printer.device, {
        pin: drawerPin,
        onMs: settings.number('onMs', DEFAULT_DRAWER_CONFIG.onMs, { min: 2, max: 510 }),
        offMs: settings.number('offMs', DEFAULT_DRAWER_CONFIG.offMs, { min: 2, max: 510 }),
        openLevel: settings.oneOf('openLevel', ['high', 'low'] as const, DEFAULT_DRAWER_CONFIG.openLevel),
        leftOpenAfterMs: settings.number('leftOpenAfterMs', DEFAULT_DRAWER_CONFIG.leftOpenAfterMs, {
          min: 1000,
          max: 3_600_000,
        }),
        pollIntervalMs: settings.number('pollIntervalMs', DEFAULT_DRAWER_CONFIG.pollIntervalMs, {
          min: 20,
          max: 10_000,
        }),
      });
      entry.drawer = drawer;
      drawer.on('drawer', ({ open }) => {
        this.#emit({ type: 'drawer', drawerId: descriptor.id, open });
      });
      drawer.on('leftOpen', ({ openForMs }) => {
        this.#emit({ type: 'drawerLeftOpen', drawerId: descriptor.id, openForMs });
      });
    } catch (error) {
      entry.error = toWorkerError(error);
    }
  }

  async #closeAll(): Promise<void> {
    for (const entry of this.#drawers.values()) entry.drawer?.dispose();
    this.#drawers.clear();
    const entries = [...this.#devices.values()];
    this.#devices.clear();
    await Promise.all(
      entries.map(async (entry) => {
        entry.closed = true;
        clearTimeout(entry.retryTimer);
        for (const off of entry.offs) off();
        await entry.queue?.close().catch(() => undefined);
        await entry.device?.close().catch(() => undefined);
        // After the device: its last exchanges may still record what they learnt.
        await entry.intents?.close().catch(() => undefined);
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Requests
  // -------------------------------------------------------------------------------------------

  async #print(command: CommandOf<'printReceipt'>): Promise<PrintJobInfo> {
    const entry = this.#pick('printer', command.printerId);
    const queue = entry.queue;
    if (queue === undefined) {
      if (!(entry.device instanceof ReceiptPrinter)) throw this.#notRunning(entry);
      throw workerError(
        'unavailable',
        `The print queue of the receipt printer "${entry.descriptor.id}" could not be opened. Check the till's disk.`,
      );
    }
    const job = await queue.enqueue({ id: command.jobId, payload: command.receipt, copy: command.copy });
    if (command.wait !== true) return jobInfo(entry.descriptor.id, job);
    return jobInfo(entry.descriptor.id, await settled(queue, job.id));
  }

  async #openDrawer(command: CommandOf<'openDrawer'>): Promise<{ drawerId: string }> {
    const entry = this.#pickDrawer(command.drawerId);
    if (entry.drawer === undefined) {
      throw workerError(
        entry.error?.code ?? 'unavailable',
        entry.error?.message ?? `The cash drawer "${entry.descriptor.id}" is not available.`,
      );
    }
    await entry.drawer.openDrawer();
    return { drawerId: entry.descriptor.id };
  }

  async #showLines(command: CommandOf<'showLines'>): Promise<{ displayId: string }> {
    const entry = this.#pick('line_display', command.displayId);
    const display = entry.device;
    if (!(display instanceof LineDisplay) || !this.#enabled(entry)) throw this.#notRunning(entry);
    const [first = '', second = ''] = command.lines;
    await display.showLines(first, second);
    return { displayId: entry.descriptor.id };
  }

  async #readWeight(command: CommandOf<'readWeight'>): Promise<CommandValues['readWeight']> {
    const entry = this.#pick('scale', command.scaleId);
    const scale = entry.device;
    if (!(scale instanceof Toledo8217Scale) || !this.#enabled(entry)) throw this.#notRunning(entry);
    // The 8217 protocol has no request ids: a second weigh would steal the first one's answer.
    if (entry.weighing) {
      throw new DeviceError('busy', 'The scale is already weighing. Wait for that weight first.', {
        device: entry.descriptor.id,
      });
    }
    entry.weighing = true;
    try {
      const weight = await scale.readStableWeight(command.timeoutMs);
      return { weight, unit: 'kg', scaleId: entry.descriptor.id };
    } finally {
      entry.weighing = false;
    }
  }

  async #startPayment(command: CommandOf<'startPayment'>): Promise<PaymentStatusInfo> {
    const entry = this.#pick('payment_terminal', command.terminalId);
    const terminal = entry.device;
    if (!(terminal instanceof NexoPaymentTerminal) || entry.intents === undefined)
      throw this.#notRunning(entry);
    // A known payment is answered whatever the terminal's state; a new one needs it running.
    if (terminal.payment(command.paymentId) === undefined && !this.#enabled(entry))
      throw this.#notRunning(entry);
    const status = await terminal.start({
      paymentId: command.paymentId,
      kind: command.kind,
      amount: command.amount,
      currency: command.currency,
    });
    if (command.wait !== true) return status;
    return terminal.settled(command.paymentId, PAYMENT_WAIT_LIMIT_MS);
  }

  /** The terminal that holds the payment (on the named terminal only, when one is named). */
  #paymentOf(paymentId: string, terminalId: string | undefined): NexoPaymentTerminal {
    for (const entry of this.#devices.values()) {
      if (entry.descriptor.kind !== 'payment_terminal') continue;
      if (terminalId !== undefined && entry.descriptor.id !== terminalId) continue;
      const terminal = entry.device;
      if (terminal instanceof NexoPaymentTerminal && terminal.payment(paymentId) !== undefined)
        return terminal;
    }
    throw workerError('not_found', `No payment "${paymentId}" is known to this till's payment terminals.`);
  }

  #pick(kind: DeviceKind, deviceId: string | undefined): DeviceEntry {
    const entries = [...this.#devices.values()].filter((entry) => entry.descriptor.kind === kind);
    const entry =
      deviceId === undefined ? entries[0] : entries.find((candidate) => candidate.descriptor.id === deviceId);
    if (entry === undefined) {
      throw workerError(
        'not_found',
        deviceId === undefined
          ? `No ${LABELS[kind]} is configured on this till.`
          : `No ${LABELS[kind]} "${deviceId}" is configured on this till.`,
      );
    }
    return entry;
  }

  #pickDrawer(drawerId: string | undefined): DrawerEntry {
    const entries = [...this.#drawers.values()];
    const entry = drawerId === undefined ? entries[0] : this.#drawers.get(drawerId);
    if (entry === undefined) {
      throw workerError(
        'not_found',
        drawerId === undefined
          ? 'No cash drawer is configured on this till.'
          : `No cash drawer "${drawerId}" is configured on this till.`,
      );
    }
    return entry;
  }

  /** Enabled (its link may be down: the device then says so itself). */
  #enabled(entry: DeviceEntry): boolean {
    return entry.device?.state === 'enabled';
  }

  #notRunning(entry: DeviceEntry): WorkerRefusal {
    return workerError(
      entry.error?.code ?? 'unavailable',
      entry.error?.message ?? `The ${LABELS[entry.descriptor.kind]} "${entry.descriptor.id}" is not running.`,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Status and events
  // -------------------------------------------------------------------------------------------

  #info(entry: DeviceEntry): DeviceInfo {
    const { descriptor, device, error } = entry;
    const label = LABELS[descriptor.kind];
    const base = {
      id: descriptor.id,
      kind: descriptor.kind,
      ...(entry.driver === undefined ? {} : { driver: entry.driver }),
      ...(error === undefined ? {} : { error }),
    };
    if (device === undefined) {
      return {
        ...base,
        state: 'closed',
        powerState: 'unknown',
        ready: false,
        text: error?.message ?? `The ${label} is not running.`,
      };
    }
    const { state } = device;
    // A device we keep failing to claim is, to the cashier, a device that is not plugged in.
    const powerState: PowerState =
      device.powerState === 'unknown' && error !== undefined && !isConfigError(error)
        ? 'offline'
        : device.powerState;
    const printerStatus = device instanceof ReceiptPrinter ? device.printerStatus : undefined;
    const ready =
      state === 'enabled' &&
      powerState === 'online' &&
      (printerStatus === undefined || isReady(printerStatus));
    return {
      ...base,
      state,
      powerState,
      ready,
      text: describe(label, descriptor, state, powerState, error, printerStatus),
      ...(printerStatus === undefined ? {} : { printerStatus }),
    };
  }

  #drawerInfo(entry: DrawerEntry): DeviceInfo {
    const printer = entry.printerId === undefined ? undefined : this.#devices.get(entry.printerId);
    const printerInfo = printer === undefined ? undefined : this.#info(printer);
    const error = entry.error ?? printerInfo?.error;
    const open = entry.drawer?.isOpen;
    const ready =
      entry.drawer !== undefined && printerInfo?.state === 'enabled' && printerInfo.powerState === 'online';
    return {
      id: entry.descriptor.id,
      kind: 'cash_drawer',
      state: printerInfo?.state ?? 'closed',
      powerState: printerInfo?.powerState ?? 'unknown',
      ready,
      text: ready
        ? `The cash drawer is ${open === true ? 'open' : 'ready'}.`
        : (error?.message ?? 'The cash drawer is not available: its printer is not ready.'),
      ...(error === undefined || ready ? {} : { error }),
      ...(open === undefined ? {} : { drawerOpen: open }),
    };
  }

  #emitStatus(entry: DeviceEntry): void {
    if (entry.closed) return;
    this.#emit({ type: 'deviceStatus', device: this.#info(entry) });
    for (const drawer of this.#drawers.values()) {
      if (drawer.printerId === entry.descriptor.id) {
        this.#emit({ type: 'deviceStatus', device: this.#drawerInfo(drawer) });
      }
    }
  }

  #emit(event: WorkerEvent): void {
    this.#send(eventMessage(event));
  }

  #send(message: WorkerMessage): void {
    try {
      this.options.send(message);
    } catch {
      // The host is gone; it restarts us if it still wants us. Nothing to tell anybody.
    }
  }
}

function describe(
  label: string,
  descriptor: DeviceDescriptor,
  state: DeviceInfo['state'],
  powerState: PowerState,
  error: WorkerError | undefined,
  printerStatus: DeviceInfo['printerStatus'],
): string {
  const where = describeTransport(descriptor.transport);
  if (state === 'enabled' && powerState === 'online') {
    if (printerStatus !== undefined && !isReady(printerStatus)) return describeStatus(printerStatus);
    return `The ${label} on ${where} is ready.`;
  }
  if (error !== undefined) return error.message;
  switch (powerState) {
    case 'offline':
      return `The ${label} on ${where} is disconnected; the till keeps trying to reconnect.`;
    case 'off':
      return `The ${label} on ${where} does not answer. Check that it is switched on.`;
    case 'online':
    case 'unknown':
      return `The ${label} on ${where} is ${state}.`;
  }
}

function isClosed(entry: DeviceEntry): boolean {
  return entry.closed;
}

function isConfigError(error: WorkerError): boolean {
  return error.code === 'invalid_config' || error.code === 'no_driver';
}

function jobInfo(printerId: string, job: PrintJob<ReceiptModel>): PrintJobInfo {
  return {
    printerId,
    jobId: job.id,
    state: job.state,
    copy: job.copy,
    attempts: job.attempts,
    ...(job.error === undefined ? {} : { error: toWorkerError(job.error) }),
  };
}

/** The job once it is printed or has failed (or as it is after PRINT_WAIT_LIMIT_MS). */
function settled(queue: PrintQueue<ReceiptModel>, jobId: string): Promise<PrintJob<ReceiptModel>> {
  const done = (job: PrintJob<ReceiptModel> | undefined): job is PrintJob<ReceiptModel> =>
    job !== undefined && (job.state === 'printed' || job.state === 'failed');
  return new Promise((resolve, reject) => {
    const finish = (job: PrintJob<ReceiptModel>): void => {
      off();
      clearTimeout(timer);
      resolve(job);
    };
    const off = queue.on('job', (job) => {
      if (job.id === jobId && done(job)) finish(job);
    });
    const timer = setTimeout(() => {
      const job = queue.job(jobId);
      off();
      if (job === undefined) reject(workerError('internal', `The print job "${jobId}" vanished.`));
      else resolve(job);
    }, PRINT_WAIT_LIMIT_MS);
    // It may have settled between the enqueue and this subscription.
    const current = queue.job(jobId);
    if (done(current)) finish(current);
  });
}

class WorkerRefusal extends Error {
  override readonly name = 'WorkerRefusal';

  constructor(readonly error: WorkerError) {
    super(error.message);
  }
}

function workerError(code: WorkerError['code'], message: string): WorkerRefusal {
  return new WorkerRefusal({ code, message });
}

/** Whatever a handler threw, as a wire error: device errors keep their code and message. */
export function toWorkerError(error: unknown): WorkerError {
  if (error instanceof WorkerRefusal) return error.error;
  if (isDeviceError(error)) return { code: error.code, message: error.message };
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const { code, message } = error;
    if (typeof code === 'string' && typeof message === 'string' && isWireCode(code)) {
      return { code, message };
    }
  }
  return { code: 'internal', message: `The hardware worker failed: ${errorText(error)}` };
}

const DEVICE_ERROR_CODES = new Set<string>([
  'closed',
  'not_claimed',
  'disabled',
  'illegal',
  'invalid_config',
  'no_driver',
  'unavailable',
  'offline',
  'in_use',
  'access_denied',
  'timeout',
  'busy',
  'failure',
  'protocol',
  'partial_scan',
  'invalid_scan',
  'over_capacity',
  'under_zero',
  'not_ready',
  'render_failed',
]);

function isWireCode(code: string): code is WorkerError['code'] {
  return DEVICE_ERROR_CODES.has(code);
}
