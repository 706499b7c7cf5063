/**
 * The Mettler-Toledo 8217 request/response protocol (also spoken by many other retail scales),
 * usually at 9600 baud 7E1:
 *
 *   till → scale   'W'                          weight request
 *   scale → till   STX <weight> CR              a stable weight in kg, e.g. "001.234"
 *   scale → till   STX '?' <status> CR          no weight to give; the status byte says why
 *
 * Status byte, bit 0 first (bit 7 is parity and ignored): in motion, over capacity, under zero,
 * outside zero capture range, centre of zero, net weight, bad command.
 *
 * Replies are parsed by position, not by searching for CR: a status byte can itself be 0x0D or 0x02.
 * Weights are read as text straight into thousandths of a kilogram (no floats, no rounding): the scale
 * must be set to kilograms with at most three decimals, and anything else is refused as a protocol error.
 */
import { DeviceError } from '../../device/errors.ts';

const STX = 0x02;
const CR = 0x0d;
export const WEIGHT_REQUEST: Uint8Array = Uint8Array.of(0x57); // 'W'
const STATUS_MARK = 0x3f; // '?'
const MAX_WEIGHT_FIELD = 16;

export interface ScaleStatusFlags {
  readonly motion: boolean;
  readonly overCapacity: boolean;
  readonly underZero: boolean;
  readonly outsideZeroCapture: boolean;
  readonly centerOfZero: boolean;
  readonly netWeight: boolean;
  readonly badCommand: boolean;
}

/**
 * stable: a weight the scale vouches for. motion: not settled. not_ready: no weight and no reason
 * that the cashier can fix by waiting (e.g. the scale could not capture zero).
 */
export type ScaleCondition = 'stable' | 'motion' | 'over_capacity' | 'under_zero' | 'not_ready';

export interface ScaleReading {
  readonly condition: ScaleCondition;
  /** Thousandths of a kilogram (QUANTITY_SCALE); null unless `condition` is 'stable'. */
  readonly weight: number | null;
  readonly zero: boolean;
  /** Present when the scale answered with a status byte. */
  readonly flags: ScaleStatusFlags | null;
}

const FLAG_BITS: readonly (keyof ScaleStatusFlags)[] = [
  'motion',
  'overCapacity',
  'underZero',
  'outsideZeroCapture',
  'centerOfZero',
  'netWeight',
  'badCommand',
];

export function decodeStatusByte(byte: number): ScaleStatusFlags {
  const bit = (i: number): boolean => ((byte >> i) & 1) === 1;
  return {
    motion: bit(0),
    overCapacity: bit(1),
    underZero: bit(2),
    outsideZeroCapture: bit(3),
    centerOfZero: bit(4),
    netWeight: bit(5),
    badCommand: bit(6),
  };
}

export function encodeStatusByte(flags: Partial<ScaleStatusFlags>): number {
  return FLAG_BITS.reduce((byte, name, i) => (flags[name] === true ? byte | (1 << i) : byte), 0);
}

/** A status reply as a reading; a bad-command status is a protocol error. */
export function readingFromStatus(flags: ScaleStatusFlags): ScaleReading | DeviceError {
  if (flags.badCommand) {
    return new DeviceError(
      'protocol',
      'The scale did not understand the weight request. Check its protocol setting (8217).',
    );
  }
  const condition: ScaleCondition = flags.overCapacity
    ? 'over_capacity'
    : flags.underZero
      ? 'under_zero'
      : flags.motion
        ? 'motion'
        : 'not_ready';
  return { condition, weight: null, zero: flags.centerOfZero, flags };
}

const WEIGHT_TEXT = /^ *(\d{1,6})(?:\.(\d{0,3}))? *$/;

/** "001.234" → 1234 (thousandths of a kilogram); null when the text is not a weight we accept. */
export function parseWeightText(text: string): number | null {
  const match = WEIGHT_TEXT.exec(text);
  if (match === null) return null;
  const [, whole = '', fraction = ''] = match;
  return Number(whole) * 1000 + Number(fraction.padEnd(3, '0'));
}

export function readingFromWeight(text: string): ScaleReading | DeviceError {
  const weight = parseWeightText(text);
  if (weight === null) {
    return new DeviceError(
      'protocol',
      `The scale sent a weight the till cannot read ("${text}"). Set the scale to kilograms with at most three decimals.`,
      { text },
    );
  }
  return { condition: 'stable', weight, zero: weight === 0, flags: null };
}

/** Frames the scale's replies out of the byte stream; bytes outside STX…CR are line noise and dropped. */
export class Toledo8217ReplyParser {
  #state: 'idle' | 'first' | 'status' | 'status_end' | 'weight' = 'idle';
  #status = 0;
  #weight: number[] = [];

  push(bytes: Uint8Array): (ScaleReading | DeviceError)[] {
    const out: (ScaleReading | DeviceError)[] = [];
    for (const byte of bytes) {
      const result = this.#step(byte & 0x7f);
      if (result !== null) out.push(result);
    }
    return out;
  }

  reset(): void {
    this.#state = 'idle';
    this.#weight = [];
  }

  #step(byte: number): ScaleReading | DeviceError | null {
    switch (this.#state) {
      case 'idle':
        if (byte === STX) this.#state = 'first';
        return null;
      case 'first':
        if (byte === STATUS_MARK) {
          this.#state = 'status';
          return null;
        }
        this.#state = 'weight';
        this.#weight = [];
        return this.#step(byte);
      case 'status':
        this.#status = byte;
        this.#state = 'status_end';
        return null;
      case 'status_end':
        this.#state = byte === STX ? 'first' : 'idle';
        if (byte !== CR) return new DeviceError('protocol', 'The scale sent a malformed status reply.');
        return readingFromStatus(decodeStatusByte(this.#status));
      case 'weight':
        if (byte === CR) {
          this.#state = 'idle';
          return readingFromWeight(String.fromCharCode(...this.#weight));
        }
        if (byte === STX) {
          // A reply started over: the previous one was cut short.
          this.#state = 'first';
          return new DeviceError('protocol', 'The scale sent an incomplete reply.');
        }
        this.#weight.push(byte);
        if (this.#weight.length > MAX_WEIGHT_FIELD) {
          this.reset();
          return new DeviceError(
            'protocol',
            'The scale sent an overlong reply. Check its protocol setting (8217).',
          );
        }
        return null;
    }
  }
}

/** STX "001.234" CR, as a scale answers a stable weight (for simulators and tests). */
export function encodeWeightReply(weight: number): Uint8Array {
  if (!Number.isInteger(weight) || weight < 0 || weight > 999_999) {
    throw new RangeError(`weight must be thousandths of a kg in 0…999999: ${weight}`);
  }
  const text = `${Math.trunc(weight / 1000)
    .toString()
    .padStart(3, '0')}.${(weight % 1000).toString().padStart(3, '0')}`;
  return Uint8Array.from([STX, ...Array.from(text, (char) => char.charCodeAt(0)), CR]);
}

export function encodeStatusReply(flags: Partial<ScaleStatusFlags>): Uint8Array {
  return Uint8Array.of(STX, STATUS_MARK, encodeStatusByte(flags), CR);
}
