/**
 * Typed reads of a descriptor's free-form `settings`, with messages an installer can act on. Settings
 * come from a JSON configuration, so every driver validates what it reads.
 */
import { DeviceError } from './errors.ts';
import type { DeviceDescriptor, SettingValue } from './types.ts';

export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

export class DeviceSettings {
  readonly #values: Readonly<Record<string, SettingValue>>;

  constructor(private readonly descriptor: DeviceDescriptor) {
    this.#values = descriptor.settings ?? {};
  }

  string(key: string, fallback: string): string {
    const value = this.#values[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string') throw this.#invalid(key, 'a text', value);
    return value;
  }

  optionalString(key: string): string | undefined {
    const value = this.#values[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.#invalid(key, 'a text', value);
    return value;
  }

  number(key: string, fallback: number, bounds: NumberBounds = {}): number {
    return this.optionalNumber(key, bounds) ?? fallback;
  }

  optionalNumber(key: string, bounds: NumberBounds = {}): number | undefined {
    const value = this.#values[key];
    if (value === undefined) return undefined;
    const { min = -Infinity, max = Infinity, integer = true } = bounds;
    const expected = `${integer ? 'a whole number' : 'a number'}${describeBounds(min, max)}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.#invalid(key, expected, value);
    if ((integer && !Number.isInteger(value)) || value < min || value > max)
      throw this.#invalid(key, expected, value);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.#values[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw this.#invalid(key, 'true or false', value);
    return value;
  }

  oneOf<const T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.#values[key];
    if (value === undefined) return fallback;
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) throw this.#invalid(key, `one of ${allowed.join(', ')}`, value);
    return match;
  }

  #invalid(key: string, expected: string, actual: SettingValue): DeviceError {
    return new DeviceError(
      'invalid_config',
      `The setting "${key}" of device "${this.descriptor.id}" must be ${expected}; it is ${JSON.stringify(actual)}.`,
      { device: this.descriptor.id, setting: key },
    );
  }
}

function describeBounds(min: number, max: number): string {
  if (min > -Infinity && max < Infinity) return ` from ${min} to ${max}`;
  if (min > -Infinity) return ` of at least ${min}`;
  if (max < Infinity) return ` of at most ${max}`;
  return '';
}
