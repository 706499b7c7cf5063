/**
 * A serial retail scale on the 8217 protocol (UPOS Scale). Selling by weight uses `readStableWeight`,
 * which only ever returns a weight the scale reported as stable; `readLiveWeight` is one raw reading,
 * for a live display, never for selling.
 *
 * One request is in flight at a time: the protocol has no request ids, so a second concurrent request
 * could take the first one's answer. Concurrent calls are refused with 'busy'.
 */
import { BaseDevice, type DeviceOptions } from '../../device/base-device.ts';
import { DeviceError } from '../../device/errors.ts';
import type { DeviceEvents } from '../../device/types.ts';
import type { Transport } from '../../transports/transport.ts';
import { Toledo8217ReplyParser, WEIGHT_REQUEST, type ScaleReading } from './toledo-8217.ts';

export interface ScaleEvents extends DeviceEvents {
  /** Every reading the scale answered, for a live weight display. */
  readonly reading: ScaleReading;
}

export interface ScaleConfig {
  /** How long one weight request waits for the answer. */
  readonly responseTimeoutMs: number;
  /** Pause between requests while waiting for the scale to settle. */
  readonly pollIntervalMs: number;
  /** UPOS ZeroValid: whether a stable zero is a valid weight (false: keep waiting for an item). */
  readonly zeroValid: boolean;
}

export const DEFAULT_SCALE_CONFIG: ScaleConfig = {
  responseTimeoutMs: 500,
  pollIntervalMs: 100,
  zeroValid: false,
};
export const DEFAULT_STABLE_WEIGHT_TIMEOUT_MS = 5000;

interface PendingRequest {
  readonly resolve: (reading: ScaleReading) => void;
  readonly reject: (error: DeviceError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Why no stable weight came, for the message when time runs out. */
type Unsettled = 'silent' | 'motion' | 'zero' | 'not_ready';

const TIMEOUT_MESSAGES: Readonly<Record<Unsettled, string>> = {
  silent: 'The scale does not answer. Check that it is switched on and connected.',
  motion: 'The scale did not settle. Keep the item still.',
  zero: 'The scale shows no weight. Place the item on the scale.',
  not_ready: 'The scale is not ready to weigh. Clear the platter and zero the scale.',
};

export class Toledo8217Scale extends BaseDevice<ScaleEvents> {
  readonly kind = 'scale';
  readonly label = 'scale';
  readonly #parser = new Toledo8217ReplyParser();
  #pending: PendingRequest | undefined;
  #weighing = false;

  constructor(
    id: string,
    transport: Transport,
    readonly config: ScaleConfig = DEFAULT_SCALE_CONFIG,
    options: DeviceOptions = {},
  ) {
    super(id, transport, options);
  }

  /** One reading as the scale gives it: stable, in motion, over or under. Not for selling. */
  async readLiveWeight(): Promise<ScaleReading> {
    this.requireReady();
    if (this.#weighing) throw this.#busy();
    return this.#request(this.config.responseTimeoutMs);
  }

  /**
   * Resolves with the weight in thousandths of a kilogram once the scale reports it stable. Rejects with
   * 'timeout' when it does not settle (or does not answer) within `timeoutMs`, and at once with
   * 'over_capacity' or 'under_zero'.
   */
  async readStableWeight(timeoutMs = DEFAULT_STABLE_WEIGHT_TIMEOUT_MS): Promise<number> {
    this.requireReady();
    if (this.#weighing || this.#pending !== undefined) throw this.#busy();
    this.#weighing = true;
    try {
      const deadline = Date.now() + timeoutMs;
      let unsettled: Unsettled = 'silent';
      for (;;) {
        // Disabled or unplugged while waiting for the scale to settle: stop with that reason.
        this.requireReady();
        const remaining = deadline - Date.now();
        if (remaining <= 0)
          throw new DeviceError('timeout', TIMEOUT_MESSAGES[unsettled], { reason: unsettled, timeoutMs });
        let reading: ScaleReading;
        try {
          reading = await this.#request(Math.min(this.config.responseTimeoutMs, remaining));
        } catch (error) {
          // No answer in time: ask again. The reason stays what the scale last said (a reply cut
          // short by the deadline does not make a scale in motion a silent one).
          if (error instanceof DeviceError && error.code === 'timeout') continue;
          throw error;
        }
        switch (reading.condition) {
          case 'over_capacity':
            throw new DeviceError(
              'over_capacity',
              'The item is too heavy for the scale. Take it off the scale.',
            );
          case 'under_zero':
            throw new DeviceError(
              'under_zero',
              'The scale reads below zero. Clear the platter and zero the scale.',
            );
          case 'stable':
            if (reading.weight !== null && (reading.weight > 0 || this.config.zeroValid))
              return reading.weight;
            unsettled = 'zero';
            break;
          case 'motion':
            unsettled = 'motion';
            break;
          case 'not_ready':
            unsettled = 'not_ready';
            break;
        }
        await delay(Math.min(this.config.pollIntervalMs, Math.max(0, deadline - Date.now())));
      }
    } finally {
      this.#weighing = false;
    }
  }

  protected onData(bytes: Uint8Array): void {
    for (const result of this.#parser.push(bytes)) {
      const pending = this.#pending;
      this.#pending = undefined;
      if (pending !== undefined) clearTimeout(pending.timer);
      if (result instanceof DeviceError) {
        if (pending === undefined) this.reportError(result, 'input_data');
        else pending.reject(result);
        continue;
      }
      this.setPowerState('online');
      this.events.emit('reading', result);
      pending?.resolve(result);
    }
  }

  protected override onStop(reason: DeviceError): void {
    this.#parser.reset();
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    pending.reject(reason);
  }

  protected override async probe(): Promise<string> {
    const reading = await this.readLiveWeight();
    return `The scale answers on ${this.transport.description} (${reading.condition}).`;
  }

  #request(timeoutMs: number): Promise<ScaleReading> {
    if (this.#pending !== undefined) return Promise.reject(this.#busy());
    return new Promise<ScaleReading>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#pending?.timer !== timer) return;
        this.#pending = undefined;
        // The link is up but the scale is silent: switched off behind its adapter, or miswired.
        this.setPowerState('off');
        reject(new DeviceError('timeout', TIMEOUT_MESSAGES.silent, { reason: 'silent', timeoutMs }));
      }, timeoutMs);
      this.#pending = { resolve, reject, timer };
      this.transport.write(WEIGHT_REQUEST).catch((error: unknown) => {
        if (this.#pending?.timer !== timer) return;
        this.#pending = undefined;
        clearTimeout(timer);
        reject(this.asDeviceError(error));
      });
    });
  }

  #busy(): DeviceError {
    return new DeviceError('busy', 'The scale is already weighing. Wait for that weight first.');
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
