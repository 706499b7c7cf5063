import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { buildReceipt, type ReceiptModel, type ReceiptStoreInfo } from '@pos/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cashSaleEur } from '../../../../app/src/domain/test-fixtures.ts';
import { StarPrinterSimulator } from '../../simulators/star-printer-simulator.ts';
import { FakeTransport } from '../../transports/fake-transport.ts';
import { CashDrawer, DEFAULT_DRAWER_CONFIG } from '../drawer/cash-drawer.ts';
import { receiptPrinterDriver } from './drivers.ts';
import { EscPosProtocol } from './printer-protocol.ts';
import { printerProfile } from './profiles.ts';
import { ReceiptPrinter, type ReceiptPrinterConfig } from './receipt-printer.ts';
import { renderReceipt } from './receipt-renderer.ts';
import { StarPrntProtocol } from './star-protocol.ts';
import { packEtbCounter } from './star-status.ts';
import type { PrinterStatus } from './status.ts';

/** The store of receipt-renderer.test.ts, so the Star golden is the same sample receipt. */
const TEST_STORE: ReceiptStoreInfo = {
  name: 'Omnitill Market',
  addressLines: ['1 Rue de la Paix', '75002 Paris'],
  phone: '+33 1 00 00 00 00',
  footerLines: ['Merci, à bientôt !'],
  locale: 'fr-FR',
  timeZone: 'Europe/Paris',
  receiptQrBaseUrl: 'https://r.example.com/',
};
const receipt = (): ReceiptModel =>
  buildReceipt(cashSaleEur, TEST_STORE, { copy: false, cashierName: 'Anna' });

const GOLDEN_DIR = new URL('../../../test/golden/', import.meta.url);

function hex(bytes: Uint8Array): string {
  return (
    (
      Buffer.from(bytes)
        .toString('hex')
        .match(/.{1,64}/g) ?? []
    ).join('\n') + '\n'
  );
}

const CONFIG: ReceiptPrinterConfig = {
  profile: printerProfile('star-tsp100iv'),
  responseTimeoutMs: 200,
  pollIntervalMs: 10,
  fenceTimeoutMs: 300,
  asb: true,
};

async function until(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('StarPRNT receipt bytes', () => {
  /** Goldens are regenerated only on purpose: `UPDATE_GOLDEN=1 npx vitest run <this file>`. */
  it.each(['star-tsp100iv', 'star-mc-print2'])('%s golden', (profileId) => {
    const bytes = renderReceipt(receipt(), printerProfile(profileId));
    const file = new URL(`receipt-${profileId}.hex`, GOLDEN_DIR);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, hex(bytes));
    expect(existsSync(file), `golden ${file.pathname} is missing; create it with UPDATE_GOLDEN=1`).toBe(true);
    expect(hex(bytes)).toBe(readFileSync(file, 'utf8'));
  });

  it('is StarPRNT, not ESC/POS: Star initialize, Star QR and cut, no GS commands', () => {
    const bytes = [...renderReceipt(receipt(), printerProfile('star-tsp100iv'))];
    const has = (...seq: number[]): boolean => bytes.some((_, i) => seq.every((b, k) => bytes[i + k] === b));
    expect(bytes.slice(0, 3)).toEqual([0x1b, 0x40, 0x18]); // ESC @ CAN
    expect(has(0x1b, 0x1d, 0x79, 0x50)).toBe(true); // ESC GS y P: print the QR code
    expect(has(0x1b, 0x64, 0x01)).toBe(true); // ESC d 1: partial cut
    expect(has(0x1d, 0x56)).toBe(false); // no ESC/POS GS V cut
    expect(has(0x1d, 0x28, 0x6b)).toBe(false); // no ESC/POS GS ( k QR
  });

  it('decodes in the Star simulator to the receipt text, barcode, QR code and cut', async () => {
    const [host, device] = FakeTransport.pair('till', 'printer');
    const sim = new StarPrinterSimulator(device, { model: 'star-tsp100iv' });
    await sim.start();
    await host.open();
    await host.write(renderReceipt(receipt(), printerProfile('star-tsp100iv')));
    await until(() => sim.cuts.length === 1, 'the cut');
    expect(sim.unknown).toEqual([]);
    expect(sim.transcript).toContain('Mug');
    expect(sim.transcript).toContain(`  3 x 10.00${' '.repeat(30)}30.00 A`);
    expect(sim.transcript).toContain(`Total${' '.repeat(34)}EUR 42.99`);
    expect(sim.transcript).toContain(`${' '.repeat(15)}Merci, à bientôt !`);
    expect(sim.barcodes.map((b) => b.data)).toEqual(['S1-T1-000101']);
    expect(sim.qrcodes).toEqual(['https://r.example.com/S1-T1-000101']);
    expect(sim.cuts).toEqual(['partial']);
    await host.close();
    await sim.stop();
  });
});

describe('StarPrntProtocol', () => {
  const frame = (counter: number, s1 = 0): Uint8Array =>
    Uint8Array.of(0x23, 0x0c, s1, 0, 0, 0, 0, packEtbCounter(counter), 0);

  it('alternates one and two ETBs after clearing the counter, and waits for that count', () => {
    const protocol = new StarPrntProtocol();
    expect([...protocol.fence()]).toEqual([0x1b, 0x1e, 0x45, 0x00, 0x17]);
    expect(protocol.push(frame(0)).some((e) => e.kind === 'fenced')).toBe(false);
    expect(protocol.push(frame(1)).some((e) => e.kind === 'fenced')).toBe(true);
    expect([...protocol.fence()]).toEqual([0x1b, 0x1e, 0x45, 0x00, 0x17, 0x17]);
    // A late frame of the previous job (count 1) does not confirm this one.
    expect(protocol.push(frame(1)).some((e) => e.kind === 'fenced')).toBe(false);
    expect(protocol.push(frame(2)).some((e) => e.kind === 'fenced')).toBe(true);
    // Nothing outstanding: further frames confirm nothing.
    expect(protocol.push(frame(2)).some((e) => e.kind === 'fenced')).toBe(false);
  });

  it('falls back to the ETB-executed bit on 7-byte frames', () => {
    const protocol = new StarPrntProtocol();
    protocol.fence();
    const short = (s1: number): Uint8Array => Uint8Array.of(0x0f, 0x02, s1, 0, 0, 0, 0);
    expect(protocol.push(short(0x00)).some((e) => e.kind === 'fenced')).toBe(false);
    expect(protocol.push(short(0x02)).some((e) => e.kind === 'fenced')).toBe(true);
  });

  it('kicks drawer 1 with BEL and drawer 2 with SUB, in 10 ms units', () => {
    const protocol = new StarPrntProtocol();
    expect([...protocol.drawerPulse(2, 200, 200)]).toEqual([0x1b, 0x07, 20, 20, 0x07]);
    expect([...protocol.drawerPulse(5, 100, 500)]).toEqual([0x1b, 0x07, 10, 50, 0x1a]);
    expect([...protocol.drawerPulse(2, 5000, 0)]).toEqual([0x1b, 0x07, 127, 1, 0x07]);
  });
});

describe('ReceiptPrinter with the StarPRNT protocol ↔ Star simulator over a fake link', () => {
  let host: FakeTransport;
  let device: FakeTransport;
  let sim: StarPrinterSimulator;
  let printer: ReceiptPrinter;
  const statuses: PrinterStatus[] = [];

  beforeEach(async () => {
    statuses.length = 0;
    [host, device] = FakeTransport.pair('printer', 'printer simulator');
    sim = new StarPrinterSimulator(device);
    await sim.start();
    printer = new ReceiptPrinter('receipt', host, CONFIG, {
      reconnect: { initialDelayMs: 5, maxDelayMs: 10, factor: 2 },
    });
    printer.on('printerStatus', (s) => statuses.push(s));
    await printer.open();
    await printer.claim();
    await printer.enable();
  });

  afterEach(async () => {
    await printer.close();
    await sim.stop();
  });

  it('picks StarPRNT from the profile, turns on ASB and reads the status', () => {
    expect(printer.language).toBe('star-prnt');
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
    const polls = sim.statusRequests;
    sim.openCover();
    await until(() => statuses.some((s) => s.coverOpen), 'the cover status');
    expect(statuses.at(-1)).toMatchObject({ online: false, coverOpen: true });
    expect(sim.statusRequests).toBe(polls);
  });

  it('resolves a job only when the printer has executed its ETB fence', async () => {
    let done = false;
    sim.runOutOfPaperAfter(1);
    const job = printer.printJob('j1', Uint8Array.from(Buffer.from('\x1b@\x18one\ntwo\nthree\n', 'latin1')));
    void job.then(() => (done = true));
    await until(() => sim.condition.paper === 'out', 'paper out');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(done).toBe(false);
    expect(printer.printerStatus?.paper).toBe('out');
    sim.recover();
    await job;
    expect(sim.transcript).toEqual(['one', 'two', 'three']);
    expect(sim.etbCounter).toBe(1);
  });

  it('prints several jobs in a row, each confirmed by its own fence', async () => {
    for (const id of ['a', 'b', 'c']) {
      await printer.printJob(id, Uint8Array.from(Buffer.from(`\x1b@\x18job ${id}\n`, 'latin1')));
    }
    expect(sim.transcript).toEqual(['job a', 'job b', 'job c']);
  });

  it('holds a job sent to an offline printer and confirms it once the printer is back', async () => {
    sim.goOffline();
    await until(() => printer.printerStatus?.online === false, 'offline');
    const pending = printer.printJob('held', Uint8Array.of(0x41, 0x0a));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.transcript).toEqual([]);
    sim.recover();
    await pending;
    expect(sim.transcript).toEqual(['A']);
  });

  it('times out a job whose ETB is never executed while the printer reports itself ready', async () => {
    // A printer that lost the job (and its ETB) but still answers status requests.
    sim.loseJobs = true;
    await expect(printer.printJob('lost', Uint8Array.of(0x41, 0x0a))).rejects.toMatchObject({
      code: 'timeout',
    });
    sim.loseJobs = false;
    // The next job is not confused by the lost one's fence.
    await printer.printJob('next', Uint8Array.of(0x42, 0x0a));
    expect(sim.transcript).toEqual(['B']);
  });

  it('kicks the drawer with ESC BEL + BEL and follows the switch with either polarity', async () => {
    const drawer = new CashDrawer(printer, { ...DEFAULT_DRAWER_CONFIG, pollIntervalMs: 20 });
    await drawer.openDrawer();
    await until(() => drawer.isOpen === true, 'the drawer to open');
    expect(sim.pulses).toEqual([{ pin: 0, onMs: 100, offMs: 500 }]);
    sim.setDrawerOpen(false);
    await drawer.waitForClose();
    drawer.dispose();

    const inverted = new CashDrawer(printer, { ...DEFAULT_DRAWER_CONFIG, openLevel: 'low', pin: 5 });
    // The switch is low now (drawer shut, wired "high = open"); read as "low = open" that is open.
    expect(await inverted.refresh()).toBe(true);
    await inverted.openDrawer();
    expect(sim.pulses.at(-1)).toEqual({ pin: 1, onMs: 100, offMs: 500 });
    inverted.dispose();
  });
});

const TCP = { type: 'tcp', host: '127.0.0.1', port: 9100 } as const;

describe('receiptPrinterDriver picks the protocol by the profile language', () => {
  it.each([
    ['star-tsp100iv', 'star-prnt'],
    ['star-mc-print2', 'star-prnt'],
    ['epson-tm-t20', 'esc-pos'],
    [undefined, 'esc-pos'],
  ])('%s → %s', (model, language) => {
    const [host] = FakeTransport.pair('a', 'b');
    const descriptor = {
      id: 'p',
      kind: 'printer' as const,
      transport: TCP,
      ...(model === undefined ? {} : { model }),
    };
    const printer = receiptPrinterDriver.create(descriptor, { transport: host, options: {} });
    expect(printer.language).toBe(language);
    expect(receiptPrinterDriver.supports?.(descriptor)).toBe(true);
  });

  it('gives each device its own protocol object', () => {
    expect(new EscPosProtocol().fence()).toEqual(Uint8Array.of(0x1d, 0x72, 0x01));
  });
});
