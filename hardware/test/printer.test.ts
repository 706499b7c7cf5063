/**
 * The receipt printer end to end over real links: the driver and the print queue on one side, the
 * ESC/POS printer simulator on the other, through a socat pty pair and through loopback TCP. The
 * receipt is a real one (buildReceipt over a SaleRecord fixture); the simulator's decoded transcript
 * must hold its lines and totals, and zbarimg must read the receipt number and the digital-receipt
 * link back from the rendered preview. zbarimg and socat are required: a missing tool fails the test.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReceiptModel } from '@pos/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrintQueue } from '../src/devices/printer/print-queue.ts';
import { printerProfile } from '../src/devices/printer/profiles.ts';
import type { ReceiptPrinter } from '../src/devices/printer/receipt-printer.ts';
import { receiptJobRenderer } from '../src/devices/printer/receipt-renderer.ts';
import { renderPreview } from '../src/simulators/escpos-printer-preview.ts';
import { EscPosPrinterSimulator } from '../src/simulators/escpos-printer-simulator.ts';
import {
  startTcpPrinterSimulator,
  type TcpPrinterSimulator,
} from '../src/simulators/escpos-printer-tcp-server.ts';
import {
  checkDrawerThroughPrinter,
  connectPrinter,
  sampleReceipt as receipt,
  startPtyPrinterRig,
  type PtyPrinterRig,
} from './printer-rig.ts';
import { until } from './until.ts';

/** Symbols zbarimg finds in a PNG, as "TYPE:data" lines. Rejects (fails the test) when zbarimg is missing. */
function zbarimg(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('zbarimg', ['-q', file], { timeout: 20_000 }, (error, stdout) => {
      if (error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new Error(
            'zbarimg is not installed; the printer tests need it (Debian: apt-get install zbar-tools).',
          ),
        );
        return;
      }
      // Exit code 4 means "no symbol found": an empty list, which the assertions then reject.
      if (error !== null && error.code !== 4) {
        reject(new Error(`zbarimg failed: ${error.message}`, { cause: error }));
        return;
      }
      resolve(stdout.split('\n').filter((line) => line !== ''));
    });
  });
}

async function checkPrintedReceipt(sim: EscPosPrinterSimulator, dots: number, dir: string): Promise<void> {
  const lines = sim.transcript;
  // 48 columns (TM-T20): label left, amount right. Fixture: 3 × 10.00 + 12.99 = 42.99; 50.00 − 42.99 = 7.01.
  expect(lines).toContain('Mug');
  expect(lines).toContain(`  3 x 10.00${' '.repeat(30)}30.00 A`);
  expect(lines).toContain(`Subtotal${' '.repeat(35)}42.99`);
  expect(lines).toContain(`Total${' '.repeat(34)}EUR 42.99`);
  expect(lines).toContain(`Change${' '.repeat(34)}EUR 7.01`);
  expect(lines).toContain(`Total tax${' '.repeat(35)}6.18`);
  expect(lines).toContain(`${' '.repeat(15)}Merci, à bientôt !`); // 18 characters centred in 48
  const png = join(dir, 'receipt.png');
  await writeFile(png, await renderPreview(sim.items, { dots }));
  const symbols = await zbarimg(png);
  expect(symbols.sort()).toEqual(['CODE-128:S1-T1-000101', 'QR-Code:https://r.example.com/S1-T1-000101']);
}

describe('receipt printer over a socat pty pair', () => {
  let rig: PtyPrinterRig<EscPosPrinterSimulator>;
  let dir: string;
  let sim: EscPosPrinterSimulator;
  let printer: ReceiptPrinter;
  let queue: PrintQueue<ReceiptModel>;

  beforeEach(async () => {
    rig = await startPtyPrinterRig({
      model: 'epson-tm-t20',
      simulator: (transport) => new EscPosPrinterSimulator(transport, { model: 'epson-tm-t20iii' }),
      dirPrefix: 'printer-pty-',
    });
    ({ sim, printer, queue, dir } = rig);
  });

  afterEach(() => rig.close());

  it('prints a real receipt that reads back, and scans back, correctly', async () => {
    await queue.enqueue({ id: receipt.receiptNumber, payload: receipt });
    await queue.whenPrinted(receipt.receiptNumber);
    await checkPrintedReceipt(sim, printer.profile.dots, dir);
  });

  it('keeps the job through paper-out and prints it once after a new roll', async () => {
    sim.runOutOfPaperAfter(5);
    await queue.enqueue({ id: receipt.receiptNumber, payload: receipt });
    await until(() => sim.condition.paper === 'out', 'paper out');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(queue.job(receipt.receiptNumber)?.state).toBe('printing');
    sim.recover();
    await queue.whenPrinted(receipt.receiptNumber);
    expect(sim.transcript.filter((l) => l.startsWith('Receipt'))).toHaveLength(1);
    expect(sim.transcript.filter((l) => l.trim() === 'COPY')).toHaveLength(0);
  });

  it('opens the drawer through the printer and sees it close', () => checkDrawerThroughPrinter(rig));
});

describe('receipt printer over loopback TCP (port 9100 style)', () => {
  let server: TcpPrinterSimulator;
  let dir: string;
  let printer: ReceiptPrinter;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'printer-tcp-'));
    server = await startTcpPrinterSimulator(0, { model: 'epson-tm-t20iii' });
    printer = await connectPrinter('epson-tm-t20', { type: 'tcp', host: server.host, port: server.port });
  });

  afterEach(async () => {
    await printer.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a real receipt that reads back, and scans back, correctly', async () => {
    const queue = await PrintQueue.open({
      dataDir: dir,
      target: printer,
      render: receiptJobRenderer(printerProfile('epson-tm-t20')),
    });
    queue.start();
    await queue.enqueue({ id: receipt.receiptNumber, payload: receipt });
    await queue.whenPrinted(receipt.receiptNumber);
    await queue.close();
    await checkPrintedReceipt(server.simulator, printer.profile.dots, dir);
  });

  it('prints a receipt cut off by a dropped connection again, marked COPY, after reconnecting', async () => {
    const queue = await PrintQueue.open({
      dataDir: dir,
      target: printer,
      render: receiptJobRenderer(printer.profile),
      retryIntervalMs: 50,
    });
    queue.start();
    server.simulator.runOutOfPaperAfter(3);
    await queue.enqueue({ id: receipt.receiptNumber, payload: receipt });
    await until(() => server.simulator.condition.paper === 'out', 'paper out');
    // The network drops and the printer is power-cycled: what it held of the job is gone.
    server.transport.drop();
    server.simulator.powerCycle();
    const job = await queue.whenPrinted(receipt.receiptNumber);
    await queue.close();
    expect(job).toMatchObject({ copy: true, copyReason: 'recovery', attempts: 2 });
    const lines = server.simulator.transcript;
    expect(lines.filter((l) => l.startsWith('Receipt'))).toHaveLength(1);
    expect(lines.filter((l) => l.trim() === 'COPY')).toHaveLength(2);
  });

  it('answers status over the same socket', async () => {
    server.simulator.openCover();
    await expect(printer.queryStatus()).resolves.toMatchObject({ online: false, coverOpen: true });
    server.simulator.recover();
    await expect(printer.queryStatus()).resolves.toMatchObject({ online: true, coverOpen: false });
  });
});
