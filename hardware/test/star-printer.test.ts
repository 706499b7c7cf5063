/**
 * A StarPRNT receipt printer end to end over a real link: the driver (chosen by the Star model id) and
 * the durable print queue on one side, the Star simulator on the other, through a socat pty pair.
 * Three receipts are queued; the printer runs out of paper in the middle of the second, gets a new
 * roll, and every receipt must come out exactly once, none marked COPY.
 */
import type { ReceiptModel } from '@pos/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PrintQueue } from '../src/devices/printer/print-queue.ts';
import type { ReceiptPrinter } from '../src/devices/printer/receipt-printer.ts';
import { StarPrinterSimulator } from '../src/simulators/star-printer-simulator.ts';
import {
  checkDrawerThroughPrinter,
  sampleReceipt as base,
  startPtyPrinterRig,
  type PtyPrinterRig,
} from './printer-rig.ts';
import { until } from './until.ts';

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
  let rig: PtyPrinterRig<StarPrinterSimulator>;
  let sim: StarPrinterSimulator;
  let printer: ReceiptPrinter;
  let queue: PrintQueue<ReceiptModel>;

  beforeEach(async () => {
    rig = await startPtyPrinterRig({
      model: 'star-tsp100iv',
      simulator: (transport) => new StarPrinterSimulator(transport, { model: 'star-tsp100iv' }),
      dirPrefix: 'star-printer-pty-',
      subscribeStatus: true,
    });
    ({ sim, printer, queue } = rig);
  });

  afterEach(() => rig.close());

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

  it('opens the drawer through the Star printer and sees it close', () => checkDrawerThroughPrinter(rig));
});
