/**
 * Driver selection, after Odoo's IoT box: each driver says which descriptors it supports and with what
 * priority, and the registry picks the highest priority among the drivers that match (the first
 * registered wins a tie). A model-specific driver thus outranks a generic one for the same port.
 */
import { createTransport, type TransportFactory } from '../transports/create-transport.ts';
import type { Transport, TransportType } from '../transports/transport.ts';
import type { BaseDevice, DeviceOptions } from './base-device.ts';
import { DeviceError } from './errors.ts';
import type { DeviceDescriptor, DeviceKind } from './types.ts';

export type AnyDevice = BaseDevice;

export interface DriverContext {
  readonly transport: Transport;
  readonly options: DeviceOptions;
}

export interface DriverFactory<D extends AnyDevice = AnyDevice> {
  /** Stable id for logs and settings, e.g. 'scanner.serial'. */
  readonly id: string;
  readonly kind: DeviceKind;
  readonly transports: readonly TransportType[];
  /** Higher wins. Generic drivers use 0; model-specific ones more. */
  readonly priority: number;
  /** Extra matching beyond kind and transport type (model names, HID usage page). */
  supports?(descriptor: DeviceDescriptor): boolean;
  /** Builds the device; validates the descriptor's settings (DeviceError 'invalid_config'). */
  create(descriptor: DeviceDescriptor, context: DriverContext): D;
}

export interface CreateDeviceOptions extends DeviceOptions {
  /** Defaults to the real transports; tests pass fakes. */
  readonly createTransport?: TransportFactory;
}

export class DriverRegistry {
  readonly #drivers: DriverFactory[] = [];

  register(driver: DriverFactory): this {
    if (this.#drivers.some((known) => known.id === driver.id)) {
      throw new RangeError(`A driver with id '${driver.id}' is already registered`);
    }
    this.#drivers.push(driver);
    return this;
  }

  get drivers(): readonly DriverFactory[] {
    return this.#drivers;
  }

  /** Every driver that supports the descriptor, best first. */
  candidates(descriptor: DeviceDescriptor): DriverFactory[] {
    return this.#drivers
      .map((driver, order) => ({ driver, order }))
      .filter(
        ({ driver }) =>
          driver.kind === descriptor.kind &&
          driver.transports.includes(descriptor.transport.type) &&
          (driver.supports?.(descriptor) ?? true),
      )
      .sort((a, b) => b.driver.priority - a.driver.priority || a.order - b.order)
      .map(({ driver }) => driver);
  }

  select(descriptor: DeviceDescriptor): DriverFactory {
    const [best] = this.candidates(descriptor);
    if (best === undefined) {
      const model = descriptor.model === undefined ? '' : ` (model ${descriptor.model})`;
      throw new DeviceError(
        'no_driver',
        `No driver can run the ${descriptor.kind.replace('_', ' ')} "${descriptor.id}" on a ${descriptor.transport.type} connection${model}.`,
        { device: descriptor.id },
      );
    }
    return best;
  }

  create(descriptor: DeviceDescriptor, options: CreateDeviceOptions = {}): AnyDevice {
    const driver = this.select(descriptor);
    const { createTransport: makeTransport = createTransport, ...deviceOptions } = options;
    return driver.create(descriptor, {
      transport: makeTransport(descriptor.transport),
      options: deviceOptions,
    });
  }
}
