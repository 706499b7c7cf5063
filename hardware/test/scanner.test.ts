import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceErrorEvent } from '../src/device/types.ts';
import { SerialBarcodeScanner } from '../src/devices/scanner/scanner.ts';
import type { ScanData } from '../src/devices/scanner/scan.ts';
import { createDefaultRegistry } from '../src/index.ts';
import { ScannerSimulator } from '../src/simulators/scanner-simulator.ts';
import { SerialTransport } from '../src/transports/serial-transport.ts';
import { openPtyPair, type PtyPair } from './pty-pair.ts';
import { until } from './until.ts';

describe('serial scanner ↔ scanner simulator over a socat pty pair', () => {
  let pty: PtyPair;
  let scanner: SerialBarcodeScanner;
  let simulator: ScannerSimulator;
  const scans: ScanData[] = [];
  const errors: DeviceErrorEvent[] = [];

  async function setUp(
    settings: Record<string, string | number>,
    terminator: 'CR' | 'LF' | 'CRLF',
    prefix = '',
  ) {
    const device = createDefaultRegistry().create({
      id: 'front-scanner',
      kind: 'scanner',
      transport: { type: 'serial', path: pty.a, baudRate: 9600 },
      settings,
    });
    if (!(device instanceof SerialBarcodeScanner)) throw new Error('expected the serial scanner driver');
    scanner = device;
    scanner.on('data', (scan) => scans.push(scan));
    scanner.on('error', (event) => errors.push(event));
    await scanner.open();
    await scanner.claim(2000);
    await scanner.enable();
    simulator = new ScannerSimulator(new SerialTransport({ type: 'serial', path: pty.b, baudRate: 9600 }), {
      terminator,
      prefix,
    });
    await simulator.start();
  }

  beforeEach(async () => {
    scans.length = 0;
    errors.length = 0;
    pty = await openPtyPair();
  });

  afterEach(async () => {
    await scanner.close();
    await simulator.stop();
    await pty.close();
  });

  it('reads AIM-prefixed codes terminated by CR, in order', async () => {
    await setUp({ terminator: 'CR' }, 'CR');
    await simulator.scan('4006381333931', ']E0');
    await simulator.scan('ABC-123', ']C0');
    await until(() => scans.length === 2, 'two scans');
    expect(scans.map((scan) => [scan.text, scan.source, scan.result.type, scan.result.lookupKey])).toEqual([
      [']E04006381333931', 'serial', 'gtin', '04006381333931'],
      [']C0ABC-123', 'serial', 'internal', 'ABC-123'],
    ]);
    expect(errors).toEqual([]);
  });

  it('strips a configured prefix and a CRLF terminator; a GS1 code keeps its GS separators', async () => {
    await setUp({ terminator: 'CRLF', prefix: '\u0002' }, 'CRLF', '\u0002');
    await simulator.scan('0104006381333931\u001d10LOT7', ']C1');
    await until(() => scans.length === 1, 'one scan');
    expect(scans[0]?.text).toBe(']C10104006381333931\u001d10LOT7');
    expect(errors).toEqual([]);
  });

  it('drops a partial scan after the quiet-line timeout and never merges it with the next code', async () => {
    await setUp({ terminator: 'CR', partialScanTimeoutMs: 60 }, 'CR');
    await simulator.sendPartial('40063813');
    await until(() => errors.length === 1, 'the partial-scan error');
    await simulator.scan('5901234123457');
    await until(() => scans.length === 1, 'the next scan');
    expect(errors[0]?.error.code).toBe('partial_scan');
    expect(errors[0]?.locus).toBe('input_data');
    expect(scans.map((scan) => scan.text)).toEqual(['5901234123457']);
  });

  it('refuses garbage bytes with a clear error and reads the next code cleanly', async () => {
    await setUp({ terminator: 'CR' }, 'CR');
    await simulator.sendBytes([0xff, 0xfe, 0x80, 0x0d]);
    await simulator.sendBytes([0x31, 0x07, 0x32, 0x0d]);
    await simulator.scan('96385074');
    await until(() => scans.length === 1 && errors.length === 2, 'one scan and two refusals');
    expect(errors.map((event) => event.error.code)).toEqual(['invalid_scan', 'invalid_scan']);
    expect(errors[1]?.error.message).toBe(
      'The barcode "1?2" contains characters a barcode cannot hold. Scan again or key the item.',
    );
    expect(scans.map((scan) => scan.text)).toEqual(['96385074']);
  });
});
