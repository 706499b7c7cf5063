import { appendFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReceipt, type ReceiptModel } from '@pos/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cashSaleEur, splitTenderSale } from '../../../../app/src/domain/test-fixtures.ts';
import { EscPosPrinterSimulator } from '../../simulators/escpos-printer-simulator.ts';
import { FakeTransport } from '../../transports/fake-transport.ts';
import { PrintQueue, type PrintJob } from './print-queue.ts';
import { printerProfile } from './profiles.ts';
import { ReceiptPrinter, type PrintTarget } from './receipt-printer.ts';
import { receiptJobRenderer } from './receipt-renderer.ts';
import { UNKNOWN_STATUS } from './status.ts';

const profile = printerProfile('generic-58');
const store = {
  name: 'Omnitill Market',
  addressLines: ['1 Main Street'],
  footerLines: ['Thank you!'],
  locale: 'en-GB',
};
const first = buildReceipt(cashSaleEur, store, { copy: false });
const second = buildReceipt(splitTenderSale, store, { copy: false });
const CLOCK = (): Date => new Date('2026-06-02T09:00:00.000Z');

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** How many times a receipt came out, counted by its receipt-number row. */
function printedCount(sim: EscPosPrinterSimulator, receiptNumber: string): number {
  return sim.transcript.filter((line) => line.startsWith('Receipt') && line.endsWith(receiptNumber)).length;
}

function copyBanners(sim: EscPosPrinterSimulator): number {
  return sim.transcript.filter((line) => line.trim() === 'COPY').length;
}

describe('PrintQueue with a printer and its simulator', () => {
  let dir: string;
  let host: FakeTransport;
  let sim: EscPosPrinterSimulator;
  let printer: ReceiptPrinter;
  const queues: PrintQueue<ReceiptModel>[] = [];

  async function openQueue(target: PrintTarget = printer): Promise<PrintQueue<ReceiptModel>> {
    const queue = await PrintQueue.open<ReceiptModel>({
      dataDir: dir,
      target,
      render: receiptJobRenderer(profile),
      clock: CLOCK,
      retryIntervalMs: 15,
    });
    queues.push(queue);
    return queue;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'print-queue-'));
    let device: FakeTransport;
    [host, device] = FakeTransport.pair('printer', 'printer simulator');
    sim = new EscPosPrinterSimulator(device, { model: 'pos-5890' });
    await sim.start();
    printer = new ReceiptPrinter(
      'receipt',
      host,
      { profile, responseTimeoutMs: 200, pollIntervalMs: 10, fenceTimeoutMs: 2000, asb: true },
      { reconnect: { initialDelayMs: 5, maxDelayMs: 10, factor: 2 } },
    );
    await printer.open();
    await printer.claim();
    await printer.enable();
  });

  afterEach(async () => {
    for (const queue of queues.splice(0)) await queue.close();
    await printer.close();
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a job once, however often it is enqueued', async () => {
    const queue = await openQueue();
    queue.start();
    const a = await queue.enqueue({ id: 'S1-T1-000101', payload: first });
    const b = await queue.enqueue({ id: 'S1-T1-000101', payload: first });
    expect(b).toBe(a);
    const done = await queue.whenPrinted('S1-T1-000101');
    await queue.enqueue({ id: 'S1-T1-000101', payload: first });
    expect(done).toMatchObject({ state: 'printed', attempts: 1, copy: false });
    expect(printedCount(sim, 'S1-T1-000101')).toBe(1);
    expect(copyBanners(sim)).toBe(0);
  });

  it('prints a reprint the user asked for once more, marked COPY', async () => {
    const queue = await openQueue();
    queue.start();
    await queue.enqueue({ id: 'S1-T1-000101', payload: first });
    await queue.whenPrinted('S1-T1-000101');
    await queue.reprint('S1-T1-000101', 'S1-T1-000101/copy-1');
    await queue.reprint('S1-T1-000101', 'S1-T1-000101/copy-1');
    const copy = await queue.whenPrinted('S1-T1-000101/copy-1');
    expect(copy).toMatchObject({ copy: true, copyReason: 'requested', attempts: 1 });
    expect(printedCount(sim, 'S1-T1-000101')).toBe(2);
    expect(copyBanners(sim)).toBe(2); // top and bottom of the one copy
    await expect(queue.reprint('nope', 'nope/copy-1')).rejects.toThrow(RangeError);
  });

  it('holds a job through paper-out mid-job and completes it exactly once after recovery', async () => {
    const queue = await openQueue();
    queue.start();
    sim.runOutOfPaperAfter(6);
    await queue.enqueue({ id: 'S1-T1-000101', payload: first });
    await until(() => sim.condition.paper === 'out', 'paper out');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(queue.job('S1-T1-000101')?.state).toBe('printing');
    expect(printedCount(sim, 'S1-T1-000101')).toBe(0);
    sim.recover();
    const job = await queue.whenPrinted('S1-T1-000101');
    expect(job).toMatchObject({ attempts: 1, copy: false });
    expect(printedCount(sim, 'S1-T1-000101')).toBe(1);
    expect(copyBanners(sim)).toBe(0);
  });

  it('waits without sending while the printer is not ready, then prints the original', async () => {
    sim.openCover();
    const queue = await openQueue();
    queue.start();
    await queue.enqueue({ id: 'S1-T1-000101', payload: first });
    await until(() => queue.job('S1-T1-000101')?.state === 'failed', 'the job to wait');
    expect(queue.job('S1-T1-000101')?.error).toEqual({
      code: 'not_ready',
      message: 'The printer cover is open. Close it.',
    });
    expect(sim.bufferedCommands).toBe(0);
    sim.recover();
    const job = await queue.whenPrinted('S1-T1-000101');
    expect(job.copy).toBe(false);
    expect(printedCount(sim, 'S1-T1-000101')).toBe(1);
  });

  it('retries as soon as the printer pushes a ready status, without waiting for the next poll', async () => {
    sim.openCover();
    const queue = await PrintQueue.open<ReceiptModel>({
      dataDir: dir,
      target: printer,
      render: receiptJobRenderer(profile),
      retryIntervalMs: 60_000,
      subscribeStatus: (listener) => printer.on('printerStatus', listener),
    });
    queues.push(queue);
    queue.start();
    await queue.enqueue({ id: 'S1-T1-000101', payload: first });
    await until(() => queue.job('S1-T1-000101')?.state === 'failed', 'the job to wait');
    sim.recover(); // the ASB that follows wakes the queue
    await queue.whenPrinted('S1-T1-000101');
    expect(printedCount(sim, 'S1-T1-000101')).toBe(1);
  });

  it('prints in order, and a job behind a waiting one waits too', async () => {
    const queue = await openQueue();
    sim.setPaper('out');
    queue.start();
    await queue.enqueue({ id: 'A', payload: first });
    await queue.enqueue({ id: 'B', payload: second });
    await until(() => queue.job('A')?.state === 'failed', 'A to wait');
    expect(queue.job('B')?.state).toBe('queued');
    sim.recover();
    await queue.whenPrinted('B');
    const receipts = sim.transcript.filter((l) => l.startsWith('Receipt'));
    expect(receipts.map((l) => l.slice(-12))).toEqual(['S1-T1-000101', 'S1-T1-000102']);
  });

  it('reprints as COPY a job whose link dropped mid-job', async () => {
    const queue = await openQueue();
    queue.start();
    sim.runOutOfPaperAfter(3);
    await queue.enqueue({ id: 'S1-T1-000101', payload: first });
    await until(() => sim.condition.paper === 'out', 'paper out');
    host.vanish();
    await until(() => queue.job('S1-T1-000101')?.state === 'failed', 'the job to fail');
    expect(queue.job('S1-T1-000101')).toMatchObject({
      copy: true,
      copyReason: 'recovery',
      error: { code: 'offline' },
    });
    // The printer is switched off and on (its buffer is lost) and plugged back in.
    sim.powerCycle();
    host.plugIn();
    const job = await queue.whenPrinted('S1-T1-000101');
    expect(job).toMatchObject({ attempts: 2, copy: true });
    expect(printedCount(sim, 'S1-T1-000101')).toBe(1); // the first attempt never reached the number
    expect(copyBanners(sim)).toBe(2);
  });

  it('survives a crash: queued jobs print as originals, the one caught printing as a COPY', async () => {
    // First process: the printer swallows the job and never confirms it; then the process "dies".
    let sent = 0;
    const hanging: PrintTarget = {
      queryStatus: () => Promise.resolve({ ...UNKNOWN_STATUS, online: true }),
      printJob: () => {
        sent += 1;
        return new Promise<void>(() => undefined);
      },
    };
    const before = await openQueue(hanging);
    before.start();
    await before.enqueue({ id: 'A', payload: first });
    await before.enqueue({ id: 'B', payload: second });
    await until(() => before.job('A')?.state === 'printing', 'A printing');
    expect(sent).toBe(1);
    queues.splice(queues.indexOf(before), 1); // never closed: the process died

    const after = await openQueue();
    expect(after.jobs.map((j) => [j.id, j.state, j.copy])).toEqual([
      ['A', 'queued', true],
      ['B', 'queued', false],
    ]);
    after.start();
    await after.whenPrinted('B');
    expect(printedCount(sim, 'S1-T1-000101')).toBe(1);
    expect(printedCount(sim, 'S1-T1-000102')).toBe(1);
    expect(copyBanners(sim)).toBe(2); // both on A
    expect(sim.transcript.some((line) => line.startsWith('Reprinted '))).toBe(true);

    // A third process finds everything printed and prints nothing again.
    const third = await openQueue();
    third.start();
    await third.enqueue({ id: 'A', payload: first });
    expect(third.jobs.map((j: PrintJob<ReceiptModel>) => j.state)).toEqual(['printed', 'printed']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(printedCount(sim, 'S1-T1-000101')).toBe(1);
  });

  it('sets aside a job that cannot be rendered and prints the ones behind it', async () => {
    const queue = await PrintQueue.open<ReceiptModel | null>({
      dataDir: dir,
      target: printer,
      render: (payload, marking) => {
        if (payload === null) throw new RangeError('empty receipt');
        return receiptJobRenderer(profile)(payload, marking);
      },
      retryIntervalMs: 15,
    });
    queue.start();
    await queue.enqueue({ id: 'broken', payload: null });
    await queue.enqueue({ id: 'B', payload: second });
    await queue.whenPrinted('B');
    expect(queue.job('broken')).toMatchObject({
      state: 'failed',
      copy: false,
      error: { code: 'render_failed', message: 'The receipt could not be laid out: empty receipt' },
    });
    await queue.close();
  });

  it('closes without waiting for a job the printer holds; the next open prints it as a COPY', async () => {
    const queue = await openQueue();
    queue.start();
    sim.runOutOfPaperAfter(3);
    await queue.enqueue({ id: 'S1-T1-000101', payload: first });
    await until(() => sim.condition.paper === 'out', 'paper out');
    await queue.close();
    queues.splice(queues.indexOf(queue), 1);
    const reopened = await openQueue();
    expect(reopened.job('S1-T1-000101')).toMatchObject({
      state: 'queued',
      copy: true,
      copyReason: 'recovery',
    });
  });

  it('has the job on disk when enqueue resolves, and ignores a line torn by a crash', async () => {
    const queue = await openQueue();
    await queue.enqueue({ id: 'A', payload: first });
    const lines = readFileSync(queue.path, 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1) ?? '{}')).toMatchObject({ t: 'enqueue', id: 'A', copy: false });
    await queue.close();
    queues.splice(queues.indexOf(queue), 1);
    appendFileSync(queue.path, '{"t":"enqueue","id":"B","pay');
    const reopened = await openQueue();
    expect(reopened.jobs.map((j) => j.id)).toEqual(['A']);
  });
});
