/**
 * A receipt printer end to end over a socat pty pair, as the ESC/POS and StarPRNT printer tests run
 * it: a printer simulator on one end, the real driver (chosen by the model id) and the durable print
 * queue on the other. Also the receipt those tests print, the drawer check they share, and
 * `connectPrinter` for other links.
 *
 * `close()` takes everything down in the reverse order it came up (queue, printer, simulator, socat,
 * data folder); a rig that fails halfway through starting takes down what it had already started.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReceipt, type ReceiptModel } from '@pos/app';
import { expect } from 'vitest';
import { cashSaleEur } from '../../app/src/domain/test-fixtures.ts';
import { CashDrawer, DEFAULT_DRAWER_CONFIG } from '../src/devices/drawer/cash-drawer.ts';
import { receiptPrinterDriver } from '../src/devices/printer/drivers.ts';
import { PrintQueue } from '../src/devices/printer/print-queue.ts';
import type { ReceiptPrinter } from '../src/devices/printer/receipt-printer.ts';
import { receiptJobRenderer } from '../src/devices/printer/receipt-renderer.ts';
import type { PrinterStatus } from '../src/devices/printer/status.ts';
import type { DrawerPulse } from '../src/simulators/escpos-printer-interpreter.ts';
import { createTransport } from '../src/transports/create-transport.ts';
import { SerialTransport } from '../src/transports/serial-transport.ts';
import type { Transport, TransportConfig } from '../src/transports/transport.ts';
import { openPtyPair } from './pty-pair.ts';
import { until } from './until.ts';

const store = {
  name: 'Omnitill Market',
  addressLines: ['1 Rue de la Paix', '75002 Paris'],
  footerLines: ['Merci, à bientôt !'],
  locale: 'fr-FR',
  receiptQrBaseUrl: 'https://r.example.com/',
};

/** The cash sale fixture as a receipt (S1-T1-000101), with a barcode and a digital-receipt QR code. */
export const sampleReceipt: ReceiptModel = buildReceipt(cashSaleEur, store, {
  copy: false,
  cashierName: 'Anna',
});

/**
 * The driver for `model` over `transport`, opened, claimed and enabled, polling status every 50 ms;
 * closed again when it does not come up.
 */
export async function connectPrinter(model: string, transport: TransportConfig): Promise<ReceiptPrinter> {
  const printer = receiptPrinterDriver.create(
    { id: 'receipt-printer', kind: 'printer', transport, model, settings: { pollIntervalMs: 50 } },
    { transport: createTransport(transport), options: {} },
  );
  try {
    await printer.open();
    await printer.claim(3000);
    await printer.enable();
  } catch (error) {
    await printer.close();
    throw error;
  }
  return printer;
}

export interface SimulatedPrinter {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly pulses: readonly DrawerPulse[];
  setDrawerOpen(open: boolean): void;
}

export interface PtyPrinterRigOptions<S extends SimulatedPrinter> {
  /** The driver's model id. */
  readonly model: string;
  /** The simulator on the other end of the pty pair. */
  readonly simulator: (transport: Transport) => S;
  /** Prefix of the queue's data folder under the system temp folder. */
  readonly dirPrefix: string;
  /** Hands the printer's status events to the queue, which then retries as soon as it is ready. */
  readonly subscribeStatus?: boolean;
}

export interface PtyPrinterRig<S extends SimulatedPrinter> {
  readonly sim: S;
  readonly printer: ReceiptPrinter;
  readonly queue: PrintQueue<ReceiptModel>;
  /** The queue's data folder (a test may put its own files there too); removed by `close()`. */
  readonly dir: string;
  close(): Promise<void>;
}

export async function startPtyPrinterRig<S extends SimulatedPrinter>(
  options: PtyPrinterRigOptions<S>,
): Promise<PtyPrinterRig<S>> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), options.dirPrefix));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const sim = options.simulator(new SerialTransport({ type: 'serial', path: pty.b, baudRate: 38400 }));
    await sim.start();
    cleanups.push(() => sim.stop());
    const printer = await connectPrinter(options.model, { type: 'serial', path: pty.a, baudRate: 38400 });
    cleanups.push(() => printer.close());
    const subscribeStatus = (listener: (status: PrinterStatus) => void): (() => void) =>
      printer.on('printerStatus', listener);
    const queue = await PrintQueue.open({
      dataDir: dir,
      target: printer,
      render: receiptJobRenderer(printer.profile),
      retryIntervalMs: 50,
      ...(options.subscribeStatus === true ? { subscribeStatus } : {}),
    });
    cleanups.push(() => queue.close());
    queue.start();
    return { sim, printer, queue, dir, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Opens the cash drawer through the printer's kick connector, as the till does, and pushes it shut on
 * the simulator: one pulse on the first drawer output (100 ms on, 500 ms off) must have reached the
 * printer, and the drawer must have reported open, then closed.
 */
export async function checkDrawerThroughPrinter(rig: PtyPrinterRig<SimulatedPrinter>): Promise<void> {
  const drawer = new CashDrawer(rig.printer, { ...DEFAULT_DRAWER_CONFIG, pollIntervalMs: 50 });
  const seen: boolean[] = [];
  drawer.on('drawer', ({ open }) => seen.push(open));
  await drawer.openDrawer();
  await until(() => drawer.isOpen === true, 'the drawer to open');
  expect(rig.sim.pulses).toEqual([{ pin: 0, onMs: 100, offMs: 500 }]);
  rig.sim.setDrawerOpen(false);
  await drawer.waitForClose();
  expect(seen).toEqual([true, false]);
  drawer.dispose();
}
