/**
 * The hardware worker as the till runs it: a real child process (host.ts forks node-entry.ts) driving
 * a network printer simulator on loopback TCP (with its cash drawer) and an 8217 scale simulator on a
 * socat pty pair, plus a customer display whose serial port does not exist. Then the devices CLI, as
 * a child process too. socat is required: a missing socat fails the test.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildReceipt, type ReceiptModel } from '@pos/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cashSaleEur } from '../../app/src/domain/test-fixtures.ts';
import type { DeviceDescriptor } from '../src/device/types.ts';
import {
  startTcpPrinterSimulator,
  type TcpPrinterSimulator,
} from '../src/simulators/escpos-printer-tcp-server.ts';
import { ScaleSimulator } from '../src/simulators/scale-simulator.ts';
import { SerialTransport } from '../src/transports/serial-transport.ts';
import { startHardwareWorker, type HardwareWorkerClient } from '../src/worker/host.ts';
import { toBridgeDeviceStatus, toBridgeScaleReading, toPosErrorCode } from '../src/worker/bridge.ts';
import {
  PROTOCOL_VERSION,
  parseRequest,
  type CommandOf,
  type DeviceInfo,
  type WorkerEvent,
} from '../src/worker/protocol.ts';
import { openPtyPair, type PtyPair } from './pty-pair.ts';
import { until } from './until.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/devices-cli.ts', import.meta.url));
const SCALE_LINE = { baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 1 } as const;

const store = {
  name: 'Omnitill Market',
  addressLines: ['1 Rue de la Paix', '75002 Paris'],
  footerLines: ['Merci'],
  locale: 'fr-FR',
};
const receipt: ReceiptModel = buildReceipt(cashSaleEur, store, { copy: false, cashierName: 'Anna' });

function byId(devices: readonly DeviceInfo[], id: string): DeviceInfo {
  const device = devices.find((candidate) => candidate.id === id);
  if (device === undefined) throw new Error(`no device ${id} in ${JSON.stringify(devices)}`);
  return device;
}

describe('protocol: parseRequest', () => {
  const ok = { v: PROTOCOL_VERSION, kind: 'request', id: 'r1' };

  it('accepts a valid request', () => {
    expect(parseRequest({ ...ok, command: { type: 'listDevices' } })).toEqual({
      ok: true,
      request: { ...ok, command: { type: 'listDevices' } },
    });
  });

  it.each([
    ['not an object', 'hello', '', 'invalid_message'],
    ['null', null, '', 'invalid_message'],
    ['no id', { v: 1, kind: 'request', command: { type: 'listDevices' } }, '', 'invalid_message'],
    ['unknown command', { ...ok, command: { type: 'selfDestruct' } }, 'r1', 'invalid_message'],
    ['extra field', { ...ok, command: { type: 'listDevices', sudo: true } }, 'r1', 'invalid_message'],
    ['other version', { ...ok, v: 2, command: { type: 'listDevices' } }, 'r1', 'unsupported_version'],
    [
      'bad weigh timeout',
      { ...ok, command: { type: 'readWeight', timeoutMs: 'soon' } },
      'r1',
      'invalid_message',
    ],
    [
      'three display lines',
      { ...ok, command: { type: 'showLines', lines: ['a', 'b', 'c'] } },
      'r1',
      'invalid_message',
    ],
  ])('refuses %s', (_name, raw, id, code) => {
    const parsed = parseRequest(raw);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.id).toBe(id);
    expect(parsed.error.code).toBe(code);
  });

  it('names the field that is wrong', () => {
    const parsed = parseRequest({
      ...ok,
      command: {
        type: 'configure',
        devices: [{ id: 'p', kind: 'printer', transport: { type: 'tcp', host: 'x', port: 70_000 } }],
      },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.message).toContain('command.devices.0.transport.port');
  });
});

describe('bridge: worker answers in the shapes of the IPC contract', () => {
  const base = { state: 'enabled', powerState: 'online', ready: true, text: 'The scale is ready.' } as const;

  it.each<[string, DeviceInfo, ReturnType<typeof toBridgeDeviceStatus>]>([
    [
      'a ready scale',
      { ...base, id: 'deli', kind: 'scale' },
      { deviceId: 'deli', kind: 'scale', name: 'Scale deli', state: 'ready', detail: 'The scale is ready.' },
    ],
    [
      'an unplugged display',
      {
        ...base,
        id: 'pole',
        kind: 'line_display',
        state: 'opened',
        powerState: 'offline',
        ready: false,
        text: 'Gone.',
      },
      {
        deviceId: 'pole',
        kind: 'customer_display',
        name: 'Customer display pole',
        state: 'offline',
        detail: 'Gone.',
      },
    ],
    [
      'a printer out of paper',
      { ...base, id: 'p1', kind: 'printer', ready: false, text: 'Out of paper.\nReplace the roll.' },
      {
        deviceId: 'p1',
        kind: 'printer',
        name: 'Receipt printer p1',
        state: 'error',
        detail: 'Out of paper. Replace the roll.',
      },
    ],
    [
      'a card reader',
      { ...base, id: 'msr', kind: 'card_reader' },
      {
        deviceId: 'msr',
        kind: 'card_reader',
        name: 'Card reader msr',
        state: 'ready',
        detail: 'The scale is ready.',
      },
    ],
  ])('maps %s', (_name, device, expected) => {
    expect(toBridgeDeviceStatus(device)).toEqual(expected);
  });

  it.each([
    ['busy', 'device_busy'],
    ['not_found', 'not_found'],
    ['invalid_message', 'invalid_input'],
    ['offline', 'unavailable'],
    ['worker_unavailable', 'unavailable'],
  ] as const)('maps the worker error %s to %s', (code, expected) => {
    expect(toPosErrorCode({ code, message: 'x' })).toBe(expected);
  });

  it('reports a weight as stable', () => {
    expect(toBridgeScaleReading({ weight: 1234, unit: 'kg', scaleId: 's' })).toEqual({
      weight: 1234,
      unit: 'kg',
      isStable: true,
    });
  });
});

describe('hardware worker process ↔ simulated devices', () => {
  let dataDir: string;
  let printer: TcpPrinterSimulator;
  let pty: PtyPair;
  let scale: ScaleSimulator;
  let worker: HardwareWorkerClient;
  const events: WorkerEvent[] = [];
  let descriptors: DeviceDescriptor[];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'omnitill-worker-'));
    printer = await startTcpPrinterSimulator(0);
    pty = await openPtyPair();
    scale = new ScaleSimulator(new SerialTransport({ type: 'serial', path: pty.b, ...SCALE_LINE }));
    await scale.start();
    descriptors = [
      {
        id: 'printer',
        kind: 'printer',
        transport: { type: 'tcp', host: printer.host, port: printer.port },
        settings: { pollIntervalMs: 50 },
      },
      {
        id: 'drawer',
        kind: 'cash_drawer',
        transport: { type: 'tcp', host: printer.host, port: printer.port },
        settings: { printer: 'printer', pollIntervalMs: 50 },
      },
      { id: 'scale', kind: 'scale', transport: { type: 'serial', path: pty.a, ...SCALE_LINE } },
      {
        id: 'display',
        kind: 'line_display',
        transport: { type: 'serial', path: join(dataDir, 'no-such-port'), baudRate: 9600 },
      },
    ];
    worker = await startHardwareWorker({ descriptors, dataDir, output: 'ignore' });
    worker.on('event', (event) => events.push(event));
  }, 60_000);

  afterAll(async () => {
    await worker.shutdown();
    await scale.stop();
    await pty.close();
    await printer.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('configures the devices: printer, drawer and scale ready, the display with no port offline', () => {
    const devices = worker.initialDevices;
    expect(devices.map((d) => d.id).sort()).toEqual(['display', 'drawer', 'printer', 'scale']);
    expect(byId(devices, 'printer')).toMatchObject({ state: 'enabled', powerState: 'online', ready: true });
    expect(byId(devices, 'scale')).toMatchObject({ state: 'enabled', powerState: 'online', ready: true });
    expect(byId(devices, 'drawer')).toMatchObject({ kind: 'cash_drawer', ready: true });
    expect(byId(devices, 'display')).toMatchObject({
      state: 'opened',
      powerState: 'offline',
      ready: false,
      error: { code: 'offline' },
    });
  });

  it('lists the devices with their state', async () => {
    const devices = await worker.listDevices();
    expect(byId(devices, 'printer').driver).toBe('printer.escpos');
    expect(byId(devices, 'scale').driver).toBe('scale.toledo-8217');
    expect(byId(devices, 'display').powerState).toBe('offline');
  });

  it('prints a receipt through the print queue, once per job id', async () => {
    const job = await worker.printReceipt({ jobId: 'S1-T1-000101', receipt, copy: false, wait: true });
    expect(job).toMatchObject({ printerId: 'printer', jobId: 'S1-T1-000101', state: 'printed', copy: false });
    // generic-80: 48 columns, "Total" left and the amount right.
    expect(printer.simulator.transcript).toContain(`Total${' '.repeat(34)}EUR 42.99`);
    const again = await worker.printReceipt({ jobId: 'S1-T1-000101', receipt, copy: false, wait: true });
    expect(again.state).toBe('printed');
    expect(printer.simulator.transcript.filter((line) => line.startsWith('Receipt'))).toHaveLength(1);
    expect(events).toContainEqual({
      type: 'printJob',
      job: { printerId: 'printer', jobId: 'S1-T1-000101', state: 'printed', copy: false, attempts: 1 },
    });
  });

  it('kicks the drawer open through the printer and reports the sensor', async () => {
    await worker.openDrawer();
    await until(() => printer.simulator.pulses.length === 1, 'the drawer pulse', 3000);
    expect(printer.simulator.pulses).toEqual([{ pin: 0, onMs: 100, offMs: 500 }]);
    await until(
      () => events.some((e) => e.type === 'drawer' && e.drawerId === 'drawer' && e.open),
      'the drawer-open event',
      5000,
    );
  });

  it('reads a stable weight, and refuses a second weigh while one is in flight', async () => {
    scale.set({ weight: 1234, motionForRequests: 3 });
    const first = worker.readWeight({ timeoutMs: 3000 });
    const second = worker.readWeight({ timeoutMs: 3000 });
    await expect(second).rejects.toMatchObject({ code: 'busy' });
    await expect(first).resolves.toEqual({ weight: 1234, unit: 'kg', scaleId: 'scale' });
  });

  it('answers a malformed message with an error and keeps working', async () => {
    const bad = { type: 'readWeight', timeoutMs: 'soon' } as unknown as CommandOf<'readWeight'>;
    const result = await worker.request(bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_message');
    expect(result.error.message).toContain('command.timeoutMs');
    for (const garbage of ['hello', 42, null, [], { v: 1 }, { v: 1, kind: 'request', id: 'x'.repeat(500) }]) {
      worker.postRaw(garbage);
    }
    const devices = await worker.listDevices();
    expect(devices).toHaveLength(4);
    expect(worker.exited).toBeUndefined();
  });

  it('refuses work for the offline display while the others keep working', async () => {
    await expect(worker.showLines(['Total', 'EUR 42.99'])).rejects.toMatchObject({ code: 'offline' });
    await expect(worker.readWeight({ scaleId: 'missing' })).rejects.toMatchObject({ code: 'not_found' });
    scale.set({ weight: 500, motionForRequests: 0 });
    await expect(worker.readWeight({ timeoutMs: 2000 })).resolves.toMatchObject({ weight: 500 });
  });

  it('brings the display up once its port appears, without a restart', async () => {
    const plugged = await openPtyPair({
      links: [join(dataDir, 'no-such-port'), join(dataDir, 'display-end')],
    });
    try {
      await until(
        () => events.some((e) => e.type === 'deviceStatus' && e.device.id === 'display' && e.device.ready),
        'the display to come up',
        10_000,
      );
      await expect(worker.showLines(['Total', 'EUR 42.99'])).resolves.toBeUndefined();
      const display = byId(await worker.listDevices(), 'display');
      expect(display).toMatchObject({ state: 'enabled', powerState: 'online', ready: true });
      expect(display.error).toBeUndefined();
    } finally {
      await plugged.close();
    }
  }, 20_000);
});

describe('hardware worker host', () => {
  it('reports a crashed worker with an exit event and fails what was in flight', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'omnitill-worker-crash-'));
    // A scale nobody answers for: the weigh is still waiting when the worker dies.
    const pty = await openPtyPair();
    try {
      const worker = await startHardwareWorker({
        descriptors: [
          { id: 'scale', kind: 'scale', transport: { type: 'serial', path: pty.a, ...SCALE_LINE } },
        ],
        dataDir,
        output: 'ignore',
      });
      expect(byId(worker.initialDevices, 'scale').state).toBe('enabled');
      const exited = new Promise((resolve) => worker.on('exit', resolve));
      const inFlight = worker.request({ type: 'readWeight', timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      worker.kill('SIGKILL');
      await expect(exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
      const result = await inFlight;
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('worker_unavailable');
      await expect(worker.listDevices()).rejects.toMatchObject({ code: 'worker_unavailable' });
    } finally {
      await pty.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('devices CLI', () => {
  it('lists the simulated devices and prints a test receipt on the simulated printer', async () => {
    const [list, print] = await Promise.all([
      runCli(['list', '--simulate']),
      runCli(['print-test', '--simulate']),
    ]);
    expect(list).toMatchObject({ code: 0 });
    expect(list.stdout).toMatch(/^printer +printer +enabled\/online +ready /m);
    expect(list.stdout).toMatch(/^terminal +payment_terminal +enabled\/online +ready /m);
    expect(list.stdout).toMatch(/^scanner +scanner +enabled\/online +ready /m);
    expect(list.stdout).toMatch(/^display +line_display +enabled\/online +ready /m);
    expect(list.stdout).toMatch(/^scale +scale +enabled\/online +ready /m);
    expect(print).toMatchObject({ code: 0 });
    // The sample sale: 2 × 4.50 + 1.80 = 10.80, on 48 columns.
    expect(print.stdout).toContain(`Total${' '.repeat(34)}EUR 10.80`);
  }, 90_000);

  it('says which field of a bad configuration is wrong', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omnitill-cli-'));
    const config = join(dir, 'devices.json');
    await writeFile(
      config,
      JSON.stringify({
        devices: [{ id: 'p', kind: 'printer', transport: { type: 'serial', baudRate: 9600 } }],
      }),
    );
    try {
      const run = await runCli(['list', '--config', config]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('devices.0.transport.path');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
