import { describe, expect, it } from 'vitest';
import { FakeTransport } from '../transports/fake-transport.ts';
import type { Transport, TransportConfig } from '../transports/transport.ts';
import { BaseDevice } from './base-device.ts';
import { DriverRegistry, type DriverFactory } from './registry.ts';
import { DeviceSettings } from './settings.ts';
import type { DeviceDescriptor, DeviceKind } from './types.ts';

class NamedDevice extends BaseDevice {
  readonly kind: DeviceKind = 'line_display';
  readonly label = 'display';
  constructor(
    readonly driverId: string,
    descriptor: DeviceDescriptor,
    transport: Transport,
  ) {
    super(descriptor.id, transport);
  }
  protected onData(): void {
    return;
  }
}

function driver(id: string, priority: number, extra: Partial<DriverFactory> = {}): DriverFactory {
  return {
    id,
    kind: 'line_display',
    transports: ['serial'],
    priority,
    create: (descriptor, { transport }) => new NamedDevice(id, descriptor, transport),
    ...extra,
  };
}

const serial: TransportConfig = { type: 'serial', path: '/dev/ttyS1', baudRate: 9600 };

function descriptor(extra: Partial<DeviceDescriptor> = {}): DeviceDescriptor {
  return { id: 'pole', kind: 'line_display', transport: serial, ...extra };
}

describe('DriverRegistry', () => {
  const registry = new DriverRegistry()
    .register(driver('generic', 0))
    .register(driver('generic-too', 0))
    .register(driver('cd5220', 10, { supports: (d) => d.model === 'CD5220' }))
    .register(driver('network-only', 50, { transports: ['tcp'] }))
    .register(driver('scanner', 99, { kind: 'scanner' }));

  it.each([
    ['no model: the first of the generic drivers', descriptor(), 'generic'],
    [
      'a model a specific driver supports: it outranks the generic ones',
      descriptor({ model: 'CD5220' }),
      'cd5220',
    ],
    ['an unknown model: generic', descriptor({ model: 'XYZ' }), 'generic'],
    [
      'a network display: only the driver for that transport',
      descriptor({ transport: { type: 'tcp', host: '10.0.0.9', port: 9100 } }),
      'network-only',
    ],
  ])('picks for %s', (_case, wanted, id) => {
    expect(registry.select(wanted).id).toBe(id);
  });

  it('lists every supporting driver, best first, ties in registration order', () => {
    expect(registry.candidates(descriptor({ model: 'CD5220' })).map((d) => d.id)).toEqual([
      'cd5220',
      'generic',
      'generic-too',
    ]);
  });

  it('refuses a descriptor no driver supports with a message naming it', () => {
    expect(() =>
      registry.select({ id: 'deli-scale', kind: 'scale', transport: serial, model: 'Bizerba' }),
    ).toThrow(
      expect.objectContaining({
        code: 'no_driver',
        message: 'No driver can run the scale "deli-scale" on a serial connection (model Bizerba).',
      }) as Error,
    );
  });

  it('refuses two drivers with one id', () => {
    expect(() => new DriverRegistry().register(driver('a', 0)).register(driver('a', 1))).toThrow(RangeError);
  });

  it('creates the device of the selected driver over the transport the factory makes', () => {
    const made: TransportConfig[] = [];
    const device = registry.create(descriptor({ model: 'CD5220' }), {
      createTransport: (config) => {
        made.push(config);
        return new FakeTransport();
      },
    });
    expect(device instanceof NamedDevice ? device.driverId : device).toBe('cd5220');
    expect(made).toEqual([serial]);
  });
});

describe('DeviceSettings', () => {
  const settings = new DeviceSettings(
    descriptor({
      settings: { columns: 20, charset: 'ascii', zeroValid: true, prefix: '\u0002', ratio: 1.5 },
    }),
  );

  it('reads typed values and falls back when a setting is absent', () => {
    expect(settings.number('columns', 40)).toBe(20);
    expect(settings.number('rows', 2)).toBe(2);
    expect(settings.optionalNumber('brightness')).toBeUndefined();
    expect(settings.oneOf('charset', ['ascii', 'wpc1252'], 'wpc1252')).toBe('ascii');
    expect(settings.boolean('zeroValid', false)).toBe(true);
    expect(settings.string('prefix', '')).toBe('\u0002');
    expect(settings.number('ratio', 1, { integer: false })).toBe(1.5);
  });

  it.each([
    [
      () => settings.number('columns', 20, { min: 1, max: 16 }),
      'The setting "columns" of device "pole" must be a whole number from 1 to 16; it is 20.',
    ],
    [
      () => settings.number('ratio', 1),
      'The setting "ratio" of device "pole" must be a whole number; it is 1.5.',
    ],
    [
      () => settings.oneOf('charset', ['pc437'], 'pc437'),
      'The setting "charset" of device "pole" must be one of pc437; it is "ascii".',
    ],
    [
      () => settings.boolean('columns', false),
      'The setting "columns" of device "pole" must be true or false; it is 20.',
    ],
    [
      () => settings.string('zeroValid', ''),
      'The setting "zeroValid" of device "pole" must be a text; it is true.',
    ],
  ])('refuses a wrong value with invalid_config (%#)', (read, message) => {
    expect(read).toThrow(expect.objectContaining({ code: 'invalid_config', message }) as Error);
  });
});
