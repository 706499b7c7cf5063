/**
 * The UPOS-shaped lifecycle every device shares: open → claim (opens the link) → enable (starts the
 * device) → disable → release (closes the link) → close. Lifecycle calls run one at a time, in call
 * order, so a close() issued during a claim() waits for it instead of racing it.
 *
 * The link is watched for the whole claim: when it drops, the device reports `offline` (status and an
 * error event), rejects what was pending (onStop), and reopens the link with exponential backoff until
 * it comes back or the device is released; if it was enabled, it is started again (onStart). Nothing
 * in that path throws: a lost device is a status, not a crash.
 */
import { DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff.ts';
import { DeviceError, errorText, isDeviceError } from './errors.ts';
import { TypedEmitter, type Listener } from './events.ts';
import type {
  DeviceEvents,
  DeviceKind,
  DeviceState,
  DeviceStatus,
  ErrorLocus,
  HealthLevel,
  HealthReport,
  PowerState,
} from './types.ts';
import type { Transport } from '../transports/transport.ts';

export const DEFAULT_CLAIM_TIMEOUT_MS = 5000;

export interface DeviceOptions {
  readonly reconnect?: BackoffPolicy;
  /** How long a reconnect attempt may take to open the link. */
  readonly reconnectOpenTimeoutMs?: number;
}

/** Cap on the exponent so a device offline for days does not overflow the backoff arithmetic. */
const MAX_BACKOFF_ATTEMPT = 30;

export abstract class BaseDevice<E extends DeviceEvents = DeviceEvents> {
  abstract readonly kind: DeviceKind;
  /** Lower-case noun for messages: 'scanner', 'scale', 'customer display'. */
  abstract readonly label: string;

  protected readonly events = new TypedEmitter<E>();
  readonly #baseEvents: TypedEmitter<DeviceEvents> = this.events;
  readonly #reconnect: BackoffPolicy;
  readonly #reconnectOpenTimeoutMs: number;
  #state: DeviceState = 'closed';
  #powerState: PowerState = 'unknown';
  #linkUp = false;
  #queue: Promise<unknown> = Promise.resolve();
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectAttempt = 0;

  constructor(
    readonly id: string,
    protected readonly transport: Transport,
    options: DeviceOptions = {},
  ) {
    this.#reconnect = options.reconnect ?? DEFAULT_BACKOFF;
    this.#reconnectOpenTimeoutMs = options.reconnectOpenTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;
    transport.on('data', (bytes) => {
      if (this.#state !== 'enabled' || !this.#linkUp) return;
      try {
        this.onData(bytes);
      } catch (error) {
        this.reportError(this.asDeviceError(error), 'input');
      }
    });
    transport.on('closed', (error) => {
      this.#linkLost(error);
    });
  }

  get state(): DeviceState {
    return this.#state;
  }

  get powerState(): PowerState {
    return this.#powerState;
  }

  get status(): DeviceStatus {
    return { state: this.#state, powerState: this.#powerState };
  }

  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): () => void {
    return this.events.on(event, listener);
  }

  once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): () => void {
    return this.events.once(event, listener);
  }

  off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): void {
    this.events.off(event, listener);
  }

  open(): Promise<void> {
    return this.#serially(() => {
      if (this.#state !== 'closed') throw new DeviceError('illegal', `The ${this.label} is already open.`);
      this.#setStatus('opened', this.#powerState);
      return Promise.resolve();
    });
  }

  /** Takes exclusive access: opens the link. Rejects with the link's error (offline, in_use…) or 'timeout'. */
  claim(timeoutMs = DEFAULT_CLAIM_TIMEOUT_MS): Promise<void> {
    return this.#serially(async () => {
      if (this.#state === 'closed') throw this.#closedError();
      if (this.#state !== 'opened') return;
      await this.#openLink(timeoutMs);
      this.#linkUp = true;
      this.#reconnectAttempt = 0;
      this.#setStatus('claimed', 'online');
    });
  }

  /**
   * Starts the device. While the link is down the device is enabled all the same and starts as soon as
   * the link is back, so a till configured with an unplugged display comes up and the display joins later.
   */
  enable(): Promise<void> {
    return this.#serially(async () => {
      this.#requireClaimed();
      if (this.#state === 'enabled') return;
      this.#setStatus('enabled', this.#powerState);
      if (!this.#linkUp) return;
      try {
        await this.onStart();
      } catch (error) {
        // Lost during start: the reconnect restarts it. Otherwise the device refused to start.
        if (!this.#isLinkUp()) return;
        const failure = this.asDeviceError(error);
        this.#stop(failure);
        this.#setStatus('claimed', this.#powerState);
        throw failure;
      }
    });
  }

  disable(): Promise<void> {
    return this.#serially(() => {
      this.#requireClaimed();
      if (this.#state === 'enabled') this.#disable();
      return Promise.resolve();
    });
  }

  /** Gives up exclusive access: stops reconnecting and closes the link. */
  release(): Promise<void> {
    return this.#serially(async () => {
      if (this.#state === 'closed') throw this.#closedError();
      if (this.#state === 'opened') throw this.#notClaimedError();
      await this.#release();
    });
  }

  /** Closes from any state, releasing first; a no-op when already closed. */
  close(): Promise<void> {
    return this.#serially(async () => {
      if (this.#state === 'closed') return;
      if (this.#state !== 'opened') await this.#release();
      this.#setStatus('closed', 'unknown');
    });
  }

  /**
   * UPOS checkHealth. 'internal' looks at the model only (no I/O, any state); 'external' asks the device
   * (needs it enabled) and reports a failure in the report rather than throwing, for the settings screen.
   */
  async checkHealth(level: HealthLevel = 'internal'): Promise<HealthReport> {
    if (level === 'internal') {
      const ok =
        this.#linkUp &&
        (this.#state === 'claimed' || this.#state === 'enabled') &&
        this.#powerState === 'online';
      return { ok, level, status: this.status, text: this.#describeStatus() };
    }
    this.requireReady();
    try {
      const text = await this.probe();
      return { ok: true, level, status: this.status, text };
    } catch (error) {
      return { ok: false, level, status: this.status, text: this.asDeviceError(error).message };
    }
  }

  /** Runs when the device becomes enabled with its link up, and again after every reconnect. */
  protected onStart(): Promise<void> {
    return Promise.resolve();
  }

  /** Runs when the device stops being usable (disable, release, link lost); rejects pending work. */
  protected onStop?(reason: DeviceError): void;

  /** Bytes from the device, delivered only while enabled and online. */
  protected abstract onData(bytes: Uint8Array): void;

  /** The external health check; resolves with a sentence, rejects with a DeviceError. */
  protected probe(): Promise<string> {
    return Promise.resolve(`The ${this.label} is connected on ${this.transport.description}.`);
  }

  protected get linkUp(): boolean {
    return this.#linkUp;
  }

  /** For devices that can tell "link up but device silent" (off) from "answering" (online). */
  protected setPowerState(powerState: 'online' | 'off'): void {
    if (!this.#linkUp || this.#powerState === powerState) return;
    this.#setStatus(this.#state, powerState);
  }

  protected reportError(error: DeviceError, locus: ErrorLocus): void {
    this.#baseEvents.emit('error', { error, locus });
  }

  /** Throws unless the device is enabled (the link may be down). */
  protected requireEnabled(): void {
    this.#requireClaimed();
    if (this.#state !== 'enabled') {
      throw new DeviceError('disabled', `The ${this.label} is not enabled.`, { device: this.id });
    }
  }

  /** Throws unless the device is enabled and its link is up; device operations start with this. */
  protected requireReady(): void {
    this.requireEnabled();
    if (!this.#linkUp) {
      throw new DeviceError(
        'offline',
        `The ${this.label} on ${this.transport.description} is disconnected. Check the cable; the till reconnects by itself.`,
        { device: this.id },
      );
    }
  }

  protected asDeviceError(error: unknown): DeviceError {
    if (isDeviceError(error)) return error;
    return new DeviceError(
      'failure',
      `The ${this.label} failed: ${errorText(error)}`,
      { device: this.id },
      { cause: error },
    );
  }

  /** Re-reads the flag after an await (a direct read there is narrowed by the compiler to its old value). */
  #isLinkUp(): boolean {
    return this.#linkUp;
  }

  #serially<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #requireClaimed(): void {
    if (this.#state === 'closed') throw this.#closedError();
    if (this.#state === 'opened') throw this.#notClaimedError();
  }

  #closedError(): DeviceError {
    return new DeviceError('closed', `The ${this.label} is not open.`, { device: this.id });
  }

  #notClaimedError(): DeviceError {
    return new DeviceError('not_claimed', `The ${this.label} is not claimed by this till.`, {
      device: this.id,
    });
  }

  #setStatus(state: DeviceState, powerState: PowerState): void {
    if (state === this.#state && powerState === this.#powerState) return;
    this.#state = state;
    this.#powerState = powerState;
    this.#baseEvents.emit('status', this.status);
  }

  #stop(reason: DeviceError): void {
    try {
      this.onStop?.(reason);
    } catch (error) {
      this.reportError(this.asDeviceError(error), 'device');
    }
  }

  #disable(): void {
    this.#setStatus('claimed', this.#powerState);
    this.#stop(new DeviceError('disabled', `The ${this.label} was disabled.`, { device: this.id }));
  }

  async #release(): Promise<void> {
    if (this.#state === 'enabled') this.#disable();
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#linkUp = false;
    await this.transport.close();
    this.#setStatus('opened', 'unknown');
  }

  async #openLink(timeoutMs: number): Promise<void> {
    const opening = this.transport.open();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new DeviceError(
            'timeout',
            `The ${this.label} on ${this.transport.description} did not open within ${timeoutMs} ms.`,
            { device: this.id },
          ),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([opening, timeout]);
    } catch (error) {
      // An open that completes after we gave up must not leave the port held.
      opening.then(
        () => this.transport.close(),
        () => undefined,
      );
      throw this.asDeviceError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  #linkLost(error: DeviceError): void {
    if (!this.#linkUp) return;
    this.#linkUp = false;
    if (this.#state === 'enabled') this.#stop(error);
    this.#setStatus(this.#state, 'offline');
    this.reportError(error, 'device');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#reconnectTimer !== undefined) return;
    const delay = backoffDelay(this.#reconnect, Math.min(this.#reconnectAttempt, MAX_BACKOFF_ATTEMPT));
    this.#reconnectAttempt += 1;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#serially(() => this.#tryReconnect());
    }, delay);
  }

  async #tryReconnect(): Promise<void> {
    if ((this.#state !== 'claimed' && this.#state !== 'enabled') || this.#linkUp) return;
    try {
      await this.#openLink(this.#reconnectOpenTimeoutMs);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#linkUp = true;
    this.#reconnectAttempt = 0;
    this.#setStatus(this.#state, 'online');
    if (this.#state !== 'enabled') return;
    try {
      await this.onStart();
    } catch (error) {
      if (this.#isLinkUp()) this.reportError(this.asDeviceError(error), 'device');
    }
  }

  #describeStatus(): string {
    const where = `${this.label} on ${this.transport.description}`;
    switch (this.#state) {
      case 'closed':
        return `The ${this.label} is closed.`;
      case 'opened':
        return `The ${this.label} is open but not claimed.`;
      case 'claimed':
      case 'enabled':
        break;
    }
    switch (this.#powerState) {
      case 'online':
        return `The ${where} is ${this.#state === 'enabled' ? 'ready' : 'connected but not enabled'}.`;
      case 'off':
        return `The ${where} does not answer. Check that it is switched on.`;
      case 'offline':
        return `The ${where} is disconnected; the till keeps trying to reconnect.`;
      case 'unknown':
        return `The ${where} is in an unknown state.`;
    }
  }
}
