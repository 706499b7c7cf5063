import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceErrorEvent } from '../../device/types.ts';
import { createDefaultRegistry } from '../../index.ts';
import { FakeTransport } from '../../transports/fake-transport.ts';
import { encodeHidPosReports } from './hid-pos.ts';
import type { ScanData } from './scan.ts';
import { HidPosBarcodeScanner, SerialBarcodeScanner } from './scanner.ts';

class FakeHidTransport extends FakeTransport {
  readonly featureReports: number[][] = [];
  sendFeatureReport(bytes: Uint8Array): Promise<void> {
    this.featureReports.push([...bytes]);
    return Promise.resolve();
  }
}

function watch(scanner: SerialBarcodeScanner | HidPosBarcodeScanner) {
  const scans: string[] = [];
  const errors: DeviceErrorEvent[] = [];
  scanner.on('data', (scan: ScanData) => scans.push(scan.text));
  scanner.on('error', (event) => errors.push(event));
  return { scans, errors };
}

async function enable(scanner: SerialBarcodeScanner | HidPosBarcodeScanner): Promise<void> {
  await scanner.open();
  await scanner.claim();
  await scanner.enable();
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SerialBarcodeScanner', () => {
  const config = { terminator: 'CR', prefix: '', maxLength: 1024, partialScanTimeoutMs: 100 } as const;

  it('waits for the terminator while bytes keep coming, measuring the timeout from the last byte', async () => {
    const transport = new FakeTransport();
    const scanner = new SerialBarcodeScanner('s', transport, config);
    const { scans, errors } = watch(scanner);
    await enable(scanner);
    for (const chunk of ['400', '638', '133', '3931']) {
      transport.inject(chunk);
      await vi.advanceTimersByTimeAsync(90);
    }
    transport.inject('\r');
    await vi.advanceTimersByTimeAsync(500);
    expect(scans).toEqual(['4006381333931']);
    expect(errors).toEqual([]);
  });

  it('drops a partial scan after the quiet-line timeout with an error, and never merges it with the next', async () => {
    const transport = new FakeTransport();
    const scanner = new SerialBarcodeScanner('s', transport, config);
    const { scans, errors } = watch(scanner);
    await enable(scanner);
    transport.inject('400638');
    await vi.advanceTimersByTimeAsync(99);
    expect(errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(errors.map((e) => [e.locus, e.error.code, e.error.message])).toEqual([
      [
        'input_data',
        'partial_scan',
        'The scan was incomplete (no end-of-code mark arrived). Scan the item again.',
      ],
    ]);
    transport.inject('5901234123457\r');
    expect(scans).toEqual(['5901234123457']);
  });

  it('forgets a partial scan when the link drops or the scanner is disabled', async () => {
    const transport = new FakeTransport();
    const scanner = new SerialBarcodeScanner('s', transport, config, {
      reconnect: { initialDelayMs: 10, maxDelayMs: 10, factor: 1 },
    });
    const { scans, errors } = watch(scanner);
    await enable(scanner);
    transport.inject('4006');
    transport.vanish();
    transport.plugIn();
    await vi.advanceTimersByTimeAsync(10);
    expect(scanner.powerState).toBe('online');
    transport.inject('96385074\r');
    transport.inject('1234');
    await scanner.disable();
    await scanner.enable();
    transport.inject('5678\r');
    await vi.advanceTimersByTimeAsync(500);
    expect(scans).toEqual(['96385074', '5678']);
    expect(errors.map((e) => e.error.code)).toEqual(['offline']);
  });
});

describe('HidPosBarcodeScanner', () => {
  const config = { partialScanTimeoutMs: 100, honeywellHidPosMode: false };

  it('delivers a code that spans several reports as one scan', async () => {
    const transport = new FakeTransport();
    const scanner = new HidPosBarcodeScanner('h', transport, config);
    const { scans } = watch(scanner);
    await enable(scanner);
    const data = 'LOYALTY-' + 'ABCDEFGHIJ'.repeat(7);
    for (const report of encodeHidPosReports(']Q1', Buffer.from(data))) transport.inject(report);
    expect(scans).toEqual([`]Q1${data}`]);
  });

  it('drops a long code whose last report never comes', async () => {
    const transport = new FakeTransport();
    const scanner = new HidPosBarcodeScanner('h', transport, config);
    const { scans, errors } = watch(scanner);
    await enable(scanner);
    const [first] = encodeHidPosReports(']Q1', Buffer.from('x'.repeat(80)));
    transport.inject(first ?? new Uint8Array());
    await vi.advanceTimersByTimeAsync(100);
    expect(errors.map((e) => e.error.message)).toEqual([
      'The scan was incomplete (the rest of a long code did not arrive). Scan the item again.',
    ]);
    for (const report of encodeHidPosReports(']E0', Buffer.from('4006381333931'))) transport.inject(report);
    expect(scans).toEqual([']E04006381333931']);
  });

  it('switches a Honeywell scanner into HID POS mode on every start', async () => {
    const transport = new FakeHidTransport();
    const scanner = new HidPosBarcodeScanner('h', transport, { ...config, honeywellHidPosMode: true });
    await enable(scanner);
    await scanner.disable();
    await scanner.enable();
    expect(transport.featureReports).toEqual([
      [0xfe, 0x01],
      [0xfe, 0x01],
    ]);
  });

  it('refuses Honeywell mode on a link without feature reports', async () => {
    const scanner = new HidPosBarcodeScanner('h', new FakeTransport(), {
      ...config,
      honeywellHidPosMode: true,
    });
    await scanner.open();
    await scanner.claim();
    await expect(scanner.enable()).rejects.toMatchObject({ code: 'invalid_config' });
    expect(scanner.state).toBe('claimed');
  });
});

describe('scanner drivers', () => {
  const registry = createDefaultRegistry();
  const fake = { createTransport: () => new FakeTransport() };

  it.each([
    [{ type: 'serial', path: '/dev/ttyACM0', baudRate: 115200 } as const, 'scanner.serial'],
    [{ type: 'hid', vendorId: 0x0c2e, productId: 0x0b61, usagePage: 0x8c } as const, 'scanner.hid-pos'],
    [{ type: 'hid', vendorId: 0x0c2e, productId: 0x0b61 } as const, 'scanner.hid-pos'],
  ])('runs a scanner on %o with %s', (transport, id) => {
    expect(registry.select({ id: 'scanner', kind: 'scanner', transport }).id).toBe(id);
  });

  it('does not take a HID keyboard interface for a HID POS scanner', () => {
    expect(() =>
      registry.select({
        id: 'scanner',
        kind: 'scanner',
        transport: { type: 'hid', vendorId: 0x0c2e, productId: 0x0b61, usagePage: 0x01 },
      }),
    ).toThrow(expect.objectContaining({ code: 'no_driver' }) as Error);
  });

  it('builds a serial scanner from its settings and refuses a wrong one', () => {
    const transport = { type: 'serial', path: '/dev/ttyACM0', baudRate: 9600 } as const;
    const device = registry.create(
      { id: 'front', kind: 'scanner', transport, settings: { terminator: 'CRLF' } },
      fake,
    );
    expect(device).toBeInstanceOf(SerialBarcodeScanner);
    expect(() =>
      registry.create({ id: 'front', kind: 'scanner', transport, settings: { terminator: 'TAB' } }, fake),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        message: 'The setting "terminator" of device "front" must be one of CR, LF, CRLF; it is "TAB".',
      }) as Error,
    );
  });
});
