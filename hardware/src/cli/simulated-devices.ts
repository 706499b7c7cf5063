/**
 * `--simulate` for the devices CLI: a network receipt printer (with its cash drawer) on loopback TCP
 * and an 8217 scale on one end of a socat pty pair, so the CLI and the worker behind it run their
 * real drivers, byte for byte, on a machine with no devices attached.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { DeviceDescriptor } from '../device/types.ts';
import {
  startTcpPrinterSimulator,
  type TcpPrinterSimulator,
} from '../simulators/escpos-printer-tcp-server.ts';
import { ScaleSimulator } from '../simulators/scale-simulator.ts';
import { SerialTransport } from '../transports/serial-transport.ts';
import type { SerialTransportConfig } from '../transports/transport.ts';

/** What the simulated scale shows: 1.250 kg. */
export const SIMULATED_WEIGHT = 1250;

export interface SimulatedDevices {
  readonly printer: TcpPrinterSimulator;
  readonly scale: ScaleSimulator;
  /** The till's end of the scale's pty pair. */
  readonly scalePort: string;
  close(): Promise<void>;
}

const SCALE_LINE = { baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 1 } as const;

export async function startSimulatedDevices(): Promise<SimulatedDevices> {
  const printer = await startTcpPrinterSimulator(0);
  let pty: { readonly a: string; readonly b: string; readonly child: ChildProcess };
  try {
    pty = await openPtyPair();
  } catch (error) {
    await printer.close();
    throw error;
  }
  const serial: SerialTransportConfig = { type: 'serial', path: pty.b, ...SCALE_LINE };
  const scale = new ScaleSimulator(new SerialTransport(serial));
  scale.set({ weight: SIMULATED_WEIGHT });
  await scale.start();
  return {
    printer,
    scale,
    scalePort: pty.a,
    close: async () => {
      await scale.stop().catch(() => undefined);
      await printer.close();
      await stopChild(pty.child);
    },
  };
}

/**
 * Points the configuration's printers and scales at the simulators; without a configuration, a
 * printer, its drawer and a scale.
 */
export function simulatedConfig(
  configured: readonly DeviceDescriptor[] | undefined,
  devices: SimulatedDevices,
): DeviceDescriptor[] {
  const printerTransport = { type: 'tcp', host: devices.printer.host, port: devices.printer.port } as const;
  const scaleTransport = { type: 'serial', path: devices.scalePort, ...SCALE_LINE } as const;
  if (configured === undefined) {
    return [
      {
        id: 'receipt-printer',
        kind: 'printer',
        transport: printerTransport,
        settings: { pollIntervalMs: 100 },
      },
      {
        id: 'cash-drawer',
        kind: 'cash_drawer',
        transport: printerTransport,
        settings: { printer: 'receipt-printer' },
      },
      { id: 'scale', kind: 'scale', transport: scaleTransport },
    ];
  }
  return configured.map((descriptor) => {
    switch (descriptor.kind) {
      case 'printer':
      case 'cash_drawer':
        return { ...descriptor, transport: printerTransport };
      case 'scale':
        return { ...descriptor, transport: scaleTransport };
      case 'scanner':
      case 'line_display':
      case 'payment_terminal':
      case 'card_reader':
        return descriptor;
    }
  });
}

const PTY_LINE = /PTY is (\/dev\/pts\/\d+)/g;

function openPtyPair(timeoutMs = 5000): Promise<{ a: string; b: string; child: ChildProcess }> {
  const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(() => {
      fail(new Error(`socat did not set up a pty pair within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      fail(
        error.code === 'ENOENT'
          ? new Error('--simulate needs socat for the scale (Debian: apt-get install socat).')
          : error,
      );
    });
    child.stderr.setEncoding('utf8');
    const onOutput = (chunk: string): void => {
      stderr += chunk;
      if (!stderr.includes('starting data transfer loop')) return;
      clearTimeout(timer);
      child.stderr.off('data', onOutput);
      // Keep draining, so socat never blocks on a full pipe.
      child.stderr.resume();
      const [a, b] = [...stderr.matchAll(PTY_LINE)].map((match) => match[1] ?? '');
      if (a === undefined || b === undefined)
        fail(new Error(`could not read the pty paths from socat:\n${stderr}`));
      else resolve({ a, b, child });
    };
    child.stderr.on('data', onOutput);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGTERM');
  });
}
