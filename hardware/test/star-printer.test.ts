/**
 * A StarPRNT receipt printer end to end over a real link: the driver (chosen by the Star model id) and
 * the durable print queue on one side, the Star simulator on the other, through a socat pty pair.
 * Three receipts are queued; the printer runs out of paper in the middle of the second, gets a new
 * roll, and every receipt must come out exactly once, none marked COPY.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReceipt, type ReceiptModel } from '@pos/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cashSaleEur } from '../../app/src/domain/test-fixtures.ts';
import { CashDrawer, DEFAULT_DRAWER_CONFIG } from '../src/devices/drawer/cash-drawer.ts';
import { receiptPrinterDriver } from '../src/devices/printer/drivers.ts';
import { PrintQueue } from '../src/devices/printer/print-queue.ts';
import type { ReceiptPrinter } from '../src/devices/printer/receipt-printer.ts';
import { receiptJobRenderer } from '../src/devices/printer/receipt-renderer.ts';
import { StarPrinterSimulator } from '../src/simulators/star-printer-simulator.ts';
import { createTransport } from '../src/transports/create-transport.ts';
import { SerialTransport } from '../src/transports/serial-transport.ts';
import { openPtyPair, type PtyPair } from './pty-pair.ts';
import { until } from './until.ts';

const store = {
  name: 'Omnitill Market',
  addressLines: ['1 Rue de la Paix', '75002 Paris'],
  footerLines: ['Merci, à bientôt !'],
  locale: 'fr-FR',
  receiptQrBaseUrl: 'https://r.example.com/',
};
const base: ReceiptModel = buildReceipt(cashSaleEur, store, { copy: false, cashierName: 'Anna' });

/** The sample receipt under another number (in the id and on paper), so each print can be counted. */
function numbered(n: number): ReceiptModel {
  const number = `S1-T1-00010${n}`;
  return {
    ...base,
    receiptNumber: number,
    blocks: base.blocks.map((block) =>
      block.kind === 'info'
        ? {
            ...block,
            rows: block.rows.map((row) => (row.label === 'Receipt' ? { ...row, value: number } : row)),
          }
        : block,
    ),
  };
}

describe('StarPRNT printer over a socat pty pair', () => {
  let pty: PtyPair;
  let dir: string;
  let sim: StarPrinterSimulator;
  let printer: ReceiptPrinter;
  let queue: PrintQueue<ReceiptModel>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'star-printer-pty-'));
    pty = await openPtyPair();
    sim = new StarPrinterSimulator(new SerialTransport({ type: 'serial', path: pty.b, baudRate: 38400 }), {
      model: 'star-tsp100iv',
    });
    await sim.start();
    const transport = { type: 'serial' as const, path: pty.a, baudRate: 38400 };
    printer = receiptPrinterDriver.create(
      {
        id: 'receipt-printer',
        kind: 'printer',
        transport,
        model: 'star-tsp100iv',
        settings: { pollIntervalMs: 50 },
      },
      { transport: createTransport(transport), options: {} },
    );
    await printer.open();
    await printer.claim(3000);
    await printer.enable();
    queue = await PrintQueue.open({
      dataDir: dir,
      target: printer,
      render: receiptJobRenderer(printer.profile),
      retryIntervalMs: 50,
      subscribeStatus: (listener) => printer.on('printerStatus', listener),
    });
    queue.start();
  });

  afterEach(async () => {
    await queue.close();
    await printer.close();
    await sim.stop();
    await pty.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints every queued receipt exactly once through a paper-out in the middle of the queue', async () => {
    expect(printer.language).toBe('star-prnt');
    expect(sim.asbEnabled).toBe(true);
    const receipts = [1, 2, 3].map(numbered);
    await queue.enqueue({ id: receipts[0]?.receiptNumber ?? '', payload: receipts[0] ?? base });
    await queue.whenPrinted(receipts[0]?.receiptNumber ?? '');
    // The second receipt stops after 6 lines; the third waits behind it.
    sim.runOutOfPaperAfter(6);
    for (const r of receipts.slice(1)) await queue.enqueue({ id: r.receiptNumber, payload: r });
    await until(() => sim.condition.paper === 'out', 'paper out');
    await until(() => printer.printerStatus?.paper === 'out', 'the driver to see paper out');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(queue.job(receipts[1]?.receiptNumber ?? '')?.state).toBe('printing');
    expect(queue.job(receipts[2]?.receiptNumber ?? '')?.state).toBe('queued');
    sim.recover();
    for (const r of receipts) await queue.whenPrinted(r.receiptNumber);

    const receiptLines = sim.transcript.filter((line) => line.startsWith('Receipt'));
    expect(receiptLines.map((line) => line.split(' ').at(-1))).toEqual(receipts.map((r) => r.receiptNumber));
    expect(sim.transcript.filter((line) => line.trim() === 'COPY')).toHaveLength(0);
    expect(sim.cuts).toHaveLength(3);
    // numbered() renumbers the printed row only; the QR code keeps the sample's link.
    expect(sim.qrcodes).toEqual(Array(3).fill(`https://r.example.com/${base.receiptNumber}`));
    expect(sim.unknown).toEqual([]);
  });

  it('opens the drawer through the Star printer and sees it close', async () => {
    const drawer = new CashDrawer(printer, { ...DEFAULT_DRAWER_CONFIG, pollIntervalMs: 50 });
    const seen: boolean[] = [];
    drawer.on('drawer', ({ open }) => seen.push(open));
    await drawer.openDrawer();
    await until(() => drawer.isOpen === true, 'the drawer to open');
    expect(sim.pulses).toEqual([{ pin: 0, onMs: 100, offMs: 500 }]);
    sim.setDrawerOpen(false);
    await drawer.waitForClose();
    expect(seen).toEqual([true, false]);
    drawer.dispose();
  });
});
