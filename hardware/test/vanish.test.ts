import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceErrorEvent } from '../src/device/types.ts';
import { Toledo8217Scale } from '../src/devices/scale/scale.ts';
import type { ScanData } from '../src/devices/scanner/scan.ts';
import { SerialBarcodeScanner } from '../src/devices/scanner/scanner.ts';
import { ScaleSimulator } from '../src/simulators/scale-simulator.ts';
import { ScannerSimulator } from '../src/simulators/scanner-simulator.ts';
import { SerialTransport } from '../src/transports/serial-transport.ts';
import { openPtyPair, type PtyPair } from './pty-pair.ts';
import { until } from './until.ts';

const reconnect = { initialDelayMs: 40, maxDelayMs: 160, factor: 2 };

/**
 * Pulling the plug: socat is stopped while the device is in use, so both ptys vanish under the open
 * serial ports, exactly as a USB-serial adapter does when unplugged. Then a new pair is made on the same
 * link paths, which is the device being plugged back in.
 */
describe('a serial port that vanishes mid-read', () => {
  let dir: string;
  let links: [string, string];
  let pty: PtyPair | undefined;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omnitill-pty-'));
    links = [join(dir, 'device'), join(dir, 'simulator')];
    pty = await openPtyPair({ links });
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await pty?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function startScaleSimulator(): Promise<ScaleSimulator> {
    const simulator = new ScaleSimulator(
      new SerialTransport({ type: 'serial', path: links[1], baudRate: 9600 }),
    );
    await simulator.start();
    cleanups.push(() => simulator.stop());
    return simulator;
  }

  it('takes the scale offline with a clear error, rejects the pending weighing, and recovers when re-plugged', async () => {
    const scale = new Toledo8217Scale(
      'deli-scale',
      new SerialTransport({ type: 'serial', path: links[0], baudRate: 9600 }),
      { responseTimeoutMs: 150, pollIntervalMs: 20, zeroValid: false },
      { reconnect },
    );
    cleanups.push(() => scale.close());
    const errors: DeviceErrorEvent[] = [];
    scale.on('error', (event) => errors.push(event));
    await scale.open();
    await scale.claim(2000);
    await scale.enable();
    const simulator = await startScaleSimulator();
    simulator.set({ weight: 800, motion: true });

    // The expectation is attached before the plug is pulled, so the rejection is never unhandled.
    const weighing = expect(scale.readStableWeight(5000)).rejects.toMatchObject({ code: 'offline' });
    await until(() => simulator.requests >= 2, 'the scale being polled');
    await pty?.close();

    await weighing;
    // The weighing can fail on its next write a moment before the port's close event arrives.
    await until(() => scale.powerState === 'offline', 'the scale to go offline');
    expect(scale.status).toEqual({ state: 'enabled', powerState: 'offline' });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.locus).toBe('device');
    expect(errors[0]?.error.code).toBe('offline');
    expect(errors[0]?.error.message).toBe(
      `Serial port ${links[0]} was disconnected. Check the cable; the till reconnects by itself.`,
    );
    await expect(scale.readStableWeight(500)).rejects.toMatchObject({ code: 'offline' });

    // Several reconnect attempts fail while the port is gone; none of them throws.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(scale.powerState).toBe('offline');

    pty = await openPtyPair({ links });
    const replugged = await startScaleSimulator();
    replugged.set({ weight: 1500 });
    await until(() => scale.powerState === 'online', 'the scale to reconnect');
    await expect(scale.readStableWeight(2000)).resolves.toBe(1500);
    expect(errors).toHaveLength(1);
  });

  it('drops a scan cut off by the unplugging instead of gluing it to the first scan after re-plugging', async () => {
    const scanner = new SerialBarcodeScanner(
      'front-scanner',
      new SerialTransport({ type: 'serial', path: links[0], baudRate: 9600 }),
      { terminator: 'CR', prefix: '', maxLength: 1024, partialScanTimeoutMs: 5000 },
      { reconnect },
    );
    cleanups.push(() => scanner.close());
    const scans: ScanData[] = [];
    scanner.on('data', (scan) => scans.push(scan));
    await scanner.open();
    await scanner.claim(2000);
    await scanner.enable();
    const simulator = new ScannerSimulator(
      new SerialTransport({ type: 'serial', path: links[1], baudRate: 9600 }),
    );
    await simulator.start();
    await simulator.sendPartial('400638');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await pty?.close();
    await simulator.stop();
    await until(() => scanner.powerState === 'offline', 'the scanner to go offline');

    pty = await openPtyPair({ links });
    const replugged = new ScannerSimulator(
      new SerialTransport({ type: 'serial', path: links[1], baudRate: 9600 }),
    );
    await replugged.start();
    cleanups.push(() => replugged.stop());
    await until(() => scanner.powerState === 'online', 'the scanner to reconnect');
    await replugged.scan('5901234123457');
    await until(() => scans.length === 1, 'the scan after re-plugging');
    expect(scans.map((scan) => scan.text)).toEqual(['5901234123457']);
  });
});
