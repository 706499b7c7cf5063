/**
 * Device supervision over the real hardware worker process (forked as the till forks it) driving a
 * simulated network printer on loopback TCP: commands pass through, worker events arrive as contract
 * events, and a worker killed with SIGKILL is restarted with its devices back, while the commands
 * that arrive in between answer `unavailable` with a sentence instead of hanging.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReceipt } from '@pos/app';
import {
  startHardwareWorker,
  startTcpPrinterSimulator,
  type DeviceDescriptor,
  type HardwareWorkerClient,
  type TcpPrinterSimulator,
} from '@pos/hardware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cashSaleEur } from '../../app/src/domain/test-fixtures.ts';
import { EventHub } from '../src/commands/events.ts';
import { CommandError } from '../src/commands/command-error.ts';
import type { EventPayload, PosEvent } from '../src/contract.ts';
import { HardwareSupervisor } from '../src/hardware/hardware-supervisor.ts';
import { silentLogger } from '../src/logging/logger.ts';

const receipt = buildReceipt(
  cashSaleEur,
  { name: 'Omnitill Market', addressLines: ['1 Rue de la Paix'], footerLines: ['Merci'], locale: 'fr-FR' },
  { copy: false, cashierName: 'Anna' },
);

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('HardwareSupervisor with a real worker', () => {
  let dataDir: string;
  let printer: TcpPrinterSimulator;
  let supervisor: HardwareSupervisor;
  const workers: HardwareWorkerClient[] = [];
  const seen: { event: PosEvent; payload: unknown }[] = [];

  function eventsOf<E extends PosEvent>(event: E): EventPayload<E>[] {
    return seen.filter((entry) => entry.event === event).map((entry) => entry.payload as EventPayload<E>);
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'omnitill-supervisor-'));
    printer = await startTcpPrinterSimulator(0);
    const descriptors: DeviceDescriptor[] = [
      {
        id: 'printer',
        kind: 'printer',
        transport: { type: 'tcp', host: printer.host, port: printer.port },
        settings: { pollIntervalMs: 50 },
      },
    ];
    const hub = new EventHub(silentLogger);
    hub.subscribe((event, payload) => seen.push({ event, payload }));
    supervisor = new HardwareSupervisor({
      launch: async () => {
        const worker = await startHardwareWorker({ descriptors, dataDir, output: 'ignore' });
        workers.push(worker);
        return worker;
      },
      events: hub,
      logger: silentLogger,
      restartDelayMs: 200,
    });
    await supervisor.start();
  }, 60_000);

  afterAll(async () => {
    await supervisor.close();
    await printer.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('publishes the configured printer as ready', () => {
    expect(supervisor.state).toBe('running');
    expect(eventsOf('hardware.deviceStatus').at(-1)).toMatchObject({
      deviceId: 'printer',
      kind: 'printer',
      state: 'ready',
    });
  });

  it('prints a receipt by job id, once, and relays the print job events', async () => {
    const queued = await supervisor.printReceipt({ jobId: 'sale-1', receipt, copy: false });
    expect(queued.jobId).toBe('sale-1');
    await until(() => eventsOf('hardware.printJob').some((job) => job.state === 'printed'), 'printed');
    await supervisor.printReceipt({ jobId: 'sale-1', receipt, copy: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(printer.simulator.transcript.filter((line) => line.startsWith('Receipt'))).toHaveLength(1);
  });

  it('restarts a killed worker, marks devices offline meanwhile, and works again after', async () => {
    const first = workers.at(-1);
    first?.kill('SIGKILL');
    await until(() => supervisor.state === 'restarting', 'the supervisor to notice');
    // In the gap, a command answers at once with a reason, never hangs.
    await expect(supervisor.openDrawer(undefined)).rejects.toSatisfy(
      (error: unknown) => error instanceof CommandError && error.code === 'unavailable',
    );
    expect(eventsOf('hardware.deviceStatus').at(-1)).toMatchObject({ deviceId: 'printer', state: 'offline' });
    await until(() => supervisor.state === 'running', 'the restart');
    expect(supervisor.restarts).toBe(1);
    expect(workers).toHaveLength(2);
    await until(() => eventsOf('hardware.deviceStatus').at(-1)?.state === 'ready', 'the printer back');
    const job = await supervisor.printReceipt({ jobId: 'sale-2', receipt, copy: false });
    expect(job.jobId).toBe('sale-2');
    await until(
      () => printer.simulator.transcript.filter((line) => line.startsWith('Receipt')).length === 2,
      'the second receipt',
    );
  }, 60_000);

  it('maps a refusal of the worker onto the contract', async () => {
    await expect(supervisor.openDrawer('no-such-drawer')).rejects.toSatisfy(
      (error: unknown) => error instanceof CommandError && error.code === 'not_found',
    );
  });

  it('answers the device list from the running worker', async () => {
    const devices = await supervisor.listDevices();
    expect(devices.map((device) => device.deviceId)).toEqual(['printer']);
  });
});
