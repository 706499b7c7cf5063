/**
 * A retail scale speaking the 8217 protocol on the other end of a link. It answers each weight request
 * ('W') with the weight it is set to, or with a status reply while in motion, over capacity or under
 * zero; it can go silent (switched off) and can be told to stay in motion for the next N requests and
 * then settle, which is how an item put on a scale behaves.
 */
import { TypedEmitter, type Listener } from '../device/events.ts';
import { encodeStatusReply, encodeWeightReply, type ScaleStatusFlags } from '../devices/scale/toledo-8217.ts';
import type { Transport } from '../transports/transport.ts';

export interface ScaleSimulatorState {
  /** Thousandths of a kilogram. */
  readonly weight: number;
  readonly motion: boolean;
  readonly overCapacity: boolean;
  readonly underZero: boolean;
  /** Does not answer at all. */
  readonly silent: boolean;
  /** Answers in motion for this many more requests, then settles (motion off). */
  readonly motionForRequests: number;
}

const WEIGHT_COMMAND = 0x57; // 'W'

export class ScaleSimulator {
  #state: ScaleSimulatorState = {
    weight: 0,
    motion: false,
    overCapacity: false,
    underZero: false,
    silent: false,
    motionForRequests: 0,
  };
  readonly #events = new TypedEmitter<{ request: number }>();
  requests = 0;

  constructor(readonly transport: Transport) {
    transport.on('data', (bytes) => {
      for (const byte of bytes) this.#onByte(byte & 0x7f);
    });
  }

  start(): Promise<void> {
    return this.transport.open();
  }

  stop(): Promise<void> {
    return this.transport.close();
  }

  set(change: Partial<ScaleSimulatorState>): void {
    this.#state = { ...this.#state, ...change };
  }

  /** Called with the running request count after each weight request. */
  onRequest(listener: Listener<number>): () => void {
    return this.#events.on('request', listener);
  }

  #onByte(byte: number): void {
    if (byte === 0x0d || byte === 0x0a) return;
    if (byte !== WEIGHT_COMMAND) {
      if (!this.#state.silent) this.#send(encodeStatusReply({ badCommand: true }));
      return;
    }
    this.requests += 1;
    this.#events.emit('request', this.requests);
    if (this.#state.silent) return;
    const inMotion = this.#state.motion || this.#state.motionForRequests > 0;
    if (this.#state.motionForRequests > 0) this.set({ motionForRequests: this.#state.motionForRequests - 1 });
    const flags: Partial<ScaleStatusFlags> = {
      motion: inMotion,
      overCapacity: this.#state.overCapacity,
      underZero: this.#state.underZero,
      centerOfZero: this.#state.weight === 0,
    };
    this.#send(
      inMotion || this.#state.overCapacity || this.#state.underZero
        ? encodeStatusReply(flags)
        : encodeWeightReply(this.#state.weight),
    );
  }

  #send(bytes: Uint8Array): void {
    // A link that closed under the simulator (a test killing socat) is not the simulator's failure.
    this.transport.write(bytes).catch(() => undefined);
  }
}
