import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../device/errors.ts';
import type { DeviceErrorEvent } from '../../device/types.ts';
import { EscPosPrinterSimulator } from '../../simulators/escpos-printer-simulator.ts';
import { FakeTransport } from '../../transports/fake-transport.ts';
import { receiptPrinterDriver } from './drivers.ts';
import { printerProfile } from './profiles.ts';
import { ReceiptPrinter, type ReceiptPrinterConfig } from './receipt-printer.ts';
import type { PrinterStatus } from './status.ts';

const CONFIG: ReceiptPrinterConfig = {
  profile: printerProfile('generic-58'),
  responseTimeoutMs: 200,
  pollIntervalMs: 10,
  fenceTimeoutMs: 300,
  asb: true,
};

const JOB = Uint8Array.from(Buffer.from('\x1b@Line one\nLine two\nLine three\nLine four\n', 'latin1'));

async function until(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('ReceiptPrinter ↔ simulator over a fake link', () => {
  let host: FakeTransport;
  let device: FakeTransport;
  let sim: EscPosPrinterSimulator;
  let printer: ReceiptPrinter;
  const statuses: PrinterStatus[] = [];
  const errors: DeviceErrorEvent[] = [];

  beforeEach(async () => {
    statuses.length = 0;
    errors.length = 0;
    [host, device] = FakeTransport.pair('printer', 'printer simulator');
    sim = new EscPosPrinterSimulator(device, { model: 'pos-5890' });
    await sim.start();
    printer = new ReceiptPrinter('receipt', host, CONFIG, {
      reconnect: { initialDelayMs: 5, maxDelayMs: 10, factor: 2 },
    });
    printer.on('printerStatus', (s) => statuses.push(s));
    printer.on('error', (e) => errors.push(e));
    await printer.open();
    await printer.claim();
    await printer.enable();
  });

  afterEach(async () => {
    await printer.close();
    await sim.stop();
  });

  it('turns on ASB and reads the status when enabled', () => {
    expect(sim.asbEnabled).toBe(true);
    expect(printer.printerStatus).toEqual({
      online: true,
      coverOpen: false,
      paper: 'ok',
      drawerPin3High: false,
      feedButton: false,
      error: false,
    });
  });

  it('reports a cover opened by ASB, without a poll', async () => {
    const polls = sim.statusQueries.length;
    sim.openCover();
    await until(() => statuses.some((s) => s.coverOpen), 'the cover status');
    expect(statuses.at(-1)).toMatchObject({ online: false, coverOpen: true });
    expect(sim.statusQueries.length).toBe(polls);
  });

  it.each([
    [
      'paper out',
      (s: EscPosPrinterSimulator) => {
        s.setPaper('out');
      },
      { online: false, paper: 'out' },
    ],
    [
      'near end',
      (s: EscPosPrinterSimulator) => {
        s.setPaper('near_end');
      },
      { online: true, paper: 'near_end' },
    ],
    [
      'cutter jam',
      (s: EscPosPrinterSimulator) => {
        s.fail('autocutter');
      },
      { error: true, errorCause: 'autocutter' },
    ],
    [
      'drawer open',
      (s: EscPosPrinterSimulator) => {
        s.setDrawerOpen(true);
      },
      { drawerPin3High: true },
    ],
  ])('polls %s with DLE EOT', async (_name, act, expected) => {
    act(sim);
    await expect(printer.queryStatus()).resolves.toMatchObject(expected);
  });

  it('restarts a printer stopped by a cutter jam with DLE ENQ, and the held job completes', async () => {
    sim.fail('autocutter');
    const printing = printer.printJob('job-jam', JOB);
    await until(() => sim.bufferedCommands > 0, 'the job to be held');
    expect(sim.transcript).toEqual([]);
    await printer.recoverFromError();
    await printing;
    expect(sim.transcript).toEqual(['Line one', 'Line two', 'Line three', 'Line four']);
  });

  it('prints a job and resolves only after the fence answer', async () => {
    const complete: string[] = [];
    printer.on('outputComplete', (e) => complete.push(e.outputId));
    await printer.printJob('job-1', JOB);
    expect(sim.transcript).toEqual(['Line one', 'Line two', 'Line three', 'Line four']);
    expect(complete).toEqual(['job-1']);
  });

  it('waits through paper-out in the middle of a job and completes once the roll is replaced', async () => {
    sim.runOutOfPaperAfter(2);
    let done = false;
    const printing = printer.printJob('job-2', JOB).then(() => {
      done = true;
    });
    await until(() => sim.condition.paper === 'out', 'paper out');
    // Several polls go by with the job waiting.
    const polls = sim.statusQueries.length;
    await until(() => sim.statusQueries.length >= polls + 6, 'polls while waiting');
    expect(done).toBe(false);
    expect(sim.transcript).toEqual(['Line one', 'Line two']);
    sim.recover();
    await printing;
    expect(sim.transcript).toEqual(['Line one', 'Line two', 'Line three', 'Line four']);
  });

  it('never writes a status poll inside a job', async () => {
    const big = new Uint8Array(4000).fill(0x41);
    const polling = Promise.all([printer.queryStatus(), printer.queryStatus()]);
    const job = printer.printJob('big', big);
    const more = printer.queryStatus();
    await Promise.all([polling, job, more]);
    const received = Buffer.from(sim.received);
    const start = received.indexOf(Buffer.from(big));
    expect(start).toBeGreaterThan(0);
    // The job and its fence arrive as one run of bytes.
    expect([...received.subarray(start + big.length, start + big.length + 3)]).toEqual([0x1d, 0x72, 0x01]);
  });

  it('rejects a job whose link drops before the fence, and refuses new ones before sending', async () => {
    sim.runOutOfPaperAfter(1);
    const printing = printer.printJob('job-3', JOB);
    await until(() => sim.condition.paper === 'out', 'paper out');
    host.vanish();
    await expect(printing).rejects.toMatchObject({ code: 'offline' });
    await expect(printer.printJob('job-4', JOB)).rejects.toMatchObject({
      code: 'offline',
      params: { stage: 'before_send' },
    });
    expect(printer.powerState).toBe('offline');
    host.plugIn();
    await until(() => printer.powerState === 'online', 'reconnect');
  });

  it('times out a fence that a ready printer never answers', async () => {
    const [h, d] = FakeTransport.pair();
    // A "printer" that answers every status query as ready and ignores GS r.
    d.on('data', (bytes) => {
      for (let i = 0; i + 2 < bytes.length; i++) {
        if (bytes[i] === 0x10 && bytes[i + 1] === 0x04) void d.write(Uint8Array.of(0x12));
      }
    });
    await d.open();
    const mute = new ReceiptPrinter('mute', h, { ...CONFIG, asb: false });
    await mute.open();
    await mute.claim();
    await mute.enable();
    const error = await mute.printJob('job-5', JOB).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceError);
    expect(error).toMatchObject({ code: 'timeout' });
    await mute.close();
  });
});

describe('receiptPrinterDriver', () => {
  it('builds a printer for a known model and refuses an unknown one', () => {
    const transport = new FakeTransport();
    const printer = receiptPrinterDriver.create(
      {
        id: 'p',
        kind: 'printer',
        transport: { type: 'tcp', host: '127.0.0.1', port: 9100 },
        model: 'epson-tm-t88',
      },
      { transport, options: {} },
    );
    expect(printer.profile.columns).toBe(42);
    expect(
      receiptPrinterDriver.supports?.({
        id: 'p',
        kind: 'printer',
        transport: { type: 'tcp', host: '127.0.0.1', port: 9100 },
        model: 'star-tsp100',
      }),
    ).toBe(false);
  });
});
