/**
 * Every simulated device the till's demo mode (`npm start`), the end-to-end tests and the devices
 * CLI's `--simulate` need, each speaking its real wire protocol over a real transport, so the worker
 * runs its real drivers byte for byte on a machine with no devices attached:
 *
 *   id         kind           simulator                                   transport
 *   printer    printer        ESC/POS printer (decodes, answers status)    loopback TCP
 *   drawer     cash_drawer    the printer's kick connector                 (through the printer)
 *   scale      scale          Toledo 8217 scale                            socat pty pair, 9600 7E1
 *   display    line_display   2×20 pole display (Epson command set)        socat pty pair
 *   scanner    scanner        serial scanner sending AIM-prefixed codes    socat pty pair, CR suffix
 *   terminal   payment_term.  nexo / Adyen Terminal API terminal           loopback HTTPS (own cert)
 *
 * Usage:
 *   const sim = await startSimulatedDevices();
 *   const worker = await startHardwareWorker({ descriptors: sim.descriptors, dataDir });
 *   await sim.controls.scan('4006381333931', ']E0');   // the worker emits 'scanned'
 *   sim.controls.terminalDecline();                    // the next payment is declined
 *   await sim.close();                                  // stops every simulator and socat
 *
 * Needs `socat` and `openssl` on the PATH (Debian: apt-get install socat openssl). Nothing listens
 * on anything but loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { DeviceDescriptor } from '../device/types.ts';
import {
  startTcpPrinterSimulator,
  type TcpPrinterSimulator,
} from '../simulators/escpos-printer-tcp-server.ts';
import {
  startNexoTerminalSimulator,
  type NexoTerminalBehaviour,
  type NexoTerminalSimulatorHandle,
} from '../simulators/nexo-terminal-simulator.ts';
import { PoleDisplaySimulator } from '../simulators/pole-display-simulator.ts';
import { ScaleSimulator } from '../simulators/scale-simulator.ts';
import { ScannerSimulator } from '../simulators/scanner-simulator.ts';
import { SerialTransport } from '../transports/serial-transport.ts';
import type { SerialTransportConfig } from '../transports/transport.ts';

/** What the simulated scale shows at start: 1.250 kg. */
export const SIMULATED_WEIGHT = 1250;

export interface SimulatedDevicesOptions {
  /** How the terminal behaves at start; by default it approves after 1.5 s (a card being tapped). */
  readonly terminal?: Partial<NexoTerminalBehaviour>;
  /** Thousandths of a kilogram on the scale at start. */
  readonly weight?: number;
  /** Settings added to the terminal's descriptor (e.g. shorter timeouts in tests). */
  readonly terminalSettings?: Readonly<Record<string, string | number | boolean>>;
}

/** The knobs a test or the demo turns at run time. */
export interface SimulatedDeviceControls {
  /** The printer runs out of paper (the print queue holds receipts until `paperIn`). */
  paperOut(): void;
  /** A new roll is in and the cover closed: held receipts print. */
  paperIn(): void;
  /** The cashier pushes the drawer shut, or opens it with the key. */
  setDrawerOpen(open: boolean): void;
  /** The next payments are approved. */
  terminalApprove(): void;
  /** The next payments are declined (card refused). */
  terminalDecline(): void;
  /** The next payments never finish: the till's request times out, and a cancel aborts them. */
  terminalTimeout(): void;
  /** Thousandths of a kilogram on the scale (stable). */
  setWeight(weight: number): void;
  /** Scans a code: `aimId` (']E0' EAN-13, ']C1' GS1-128, …) goes in front, CR after. */
  scan(code: string, aimId?: string): Promise<void>;
}

export interface SimulatedDevices {
  /** The configuration for the worker: printer, drawer, scale, display, scanner, terminal. */
  readonly descriptors: readonly DeviceDescriptor[];
  readonly controls: SimulatedDeviceControls;
  readonly printer: TcpPrinterSimulator;
  readonly scale: ScaleSimulator;
  readonly display: PoleDisplaySimulator;
  readonly scanner: ScannerSimulator;
  readonly terminal: NexoTerminalSimulatorHandle;
  /** The till's ends of the pty pairs. */
  readonly ports: { readonly scale: string; readonly display: string; readonly scanner: string };
  /** Stops every simulator and socat process; idempotent. */
  close(): Promise<void>;
}

export const SIMULATED_DEVICE_IDS = ['printer', 'drawer', 'scale', 'display', 'scanner', 'terminal'] as const;

const SCALE_LINE = { baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 1 } as const;
const PLAIN_LINE = { baudRate: 9600 } as const;

export async function startSimulatedDevices(
  options: SimulatedDevicesOptions = {},
): Promise<SimulatedDevices> {
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const printer = await startTcpPrinterSimulator(0);
    cleanups.push(() => printer.close());

    const terminal = await startNexoTerminalSimulator({
      behaviour: { processingMs: 1500, ...options.terminal },
    });
    cleanups.push(() => terminal.close());

    const scalePair = await openPtyPair();
    cleanups.push(() => stopChild(scalePair.child));
    const scale = new ScaleSimulator(new SerialTransport(serial(scalePair.b, SCALE_LINE)));
    scale.set({ weight: options.weight ?? SIMULATED_WEIGHT });
    await scale.start();
    cleanups.push(() => scale.stop());

    const displayPair = await openPtyPair();
    cleanups.push(() => stopChild(displayPair.child));
    const display = new PoleDisplaySimulator(new SerialTransport(serial(displayPair.b, PLAIN_LINE)));
    await display.start();
    cleanups.push(() => display.stop());

    const scannerPair = await openPtyPair();
    cleanups.push(() => stopChild(scannerPair.child));
    const scanner = new ScannerSimulator(new SerialTransport(serial(scannerPair.b, PLAIN_LINE)), {
      terminator: 'CR',
    });
    await scanner.start();
    cleanups.push(() => scanner.stop());

    const printerTransport = { type: 'tcp', host: printer.host, port: printer.port } as const;
    const descriptors: DeviceDescriptor[] = [
      { id: 'printer', kind: 'printer', transport: printerTransport, settings: { pollIntervalMs: 100 } },
      { id: 'drawer', kind: 'cash_drawer', transport: printerTransport, settings: { printer: 'printer' } },
      { id: 'scale', kind: 'scale', transport: serial(scalePair.a, SCALE_LINE) },
      { id: 'display', kind: 'line_display', transport: serial(displayPair.a, PLAIN_LINE) },
      {
        id: 'scanner',
        kind: 'scanner',
        transport: serial(scannerPair.a, PLAIN_LINE),
        settings: { terminator: 'CR' },
      },
      terminal.descriptor('terminal', options.terminalSettings),
    ];
    const { simulator } = printer;
    return {
      descriptors,
      controls: {
        paperOut: () => {
          simulator.setPaper('out');
        },
        paperIn: () => {
          simulator.recover();
        },
        setDrawerOpen: (open) => {
          simulator.setDrawerOpen(open);
        },
        terminalApprove: () => {
          terminal.simulator.approve();
        },
        terminalDecline: () => {
          terminal.simulator.decline();
        },
        terminalTimeout: () => {
          terminal.simulator.timeout();
        },
        setWeight: (weight) => {
          scale.set({ weight });
        },
        scan: (code, aimId) => scanner.scan(code, aimId),
      },
      printer,
      scale,
      display,
      scanner,
      terminal,
      ports: { scale: scalePair.a, display: displayPair.a, scanner: scannerPair.a },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Points a configuration's devices at the simulators (keeping their ids and other settings); without
 * a configuration, the simulators' own. Card readers have no simulator and are left as they are.
 */
export function simulatedConfig(
  configured: readonly DeviceDescriptor[] | undefined,
  devices: SimulatedDevices,
): DeviceDescriptor[] {
  if (configured === undefined) return [...devices.descriptors];
  const own = (id: (typeof SIMULATED_DEVICE_IDS)[number]): DeviceDescriptor => {
    const descriptor = devices.descriptors.find((candidate) => candidate.id === id);
    if (descriptor === undefined) throw new RangeError(`no simulated ${id}`);
    return descriptor;
  };
  return configured.map((descriptor): DeviceDescriptor => {
    switch (descriptor.kind) {
      case 'printer':
      case 'cash_drawer':
        return { ...descriptor, transport: own('printer').transport };
      case 'scale':
        return { ...descriptor, transport: own('scale').transport };
      case 'line_display':
        return { ...descriptor, transport: own('display').transport };
      case 'scanner':
        return { ...descriptor, transport: own('scanner').transport };
      case 'payment_terminal': {
        const terminal = own('terminal');
        return {
          ...descriptor,
          model: 'adyen',
          transport: terminal.transport,
          settings: { ...descriptor.settings, ...terminal.settings },
        };
      }
      case 'card_reader':
        return descriptor;
    }
  });
}

function serial(path: string, line: Omit<SerialTransportConfig, 'type' | 'path'>): SerialTransportConfig {
  return { type: 'serial', path, ...line };
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
          ? new Error('The simulated serial devices need socat (Debian: apt-get install socat).')
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
