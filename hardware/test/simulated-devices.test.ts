/**
 * startSimulatedDevices as the demo mode and the end-to-end tests use it: every simulator up, the
 * real worker process configured with the returned descriptors, each device exercised once through
 * the worker, the controls flipped at run time, and close() leaving nothing behind. Then the devices
 * CLI's `pay` command against the simulated terminal.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildReceipt } from '@pos/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cashSaleEur } from '../../app/src/domain/test-fixtures.ts';
import {
  SIMULATED_DEVICE_IDS,
  startSimulatedDevices,
  type SimulatedDevices,
} from '../src/cli/simulated-devices.ts';
import { startHardwareWorker, type HardwareWorkerClient } from '../src/worker/host.ts';
import type { WorkerEvent } from '../src/worker/protocol.ts';
import { FAST_SETTINGS } from './payment-rig.ts';
import { until } from './until.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/devices-cli.ts', import.meta.url));

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => {
      resolve(true);
    });
  });
}

describe('startSimulatedDevices with the worker', () => {
  let sim: SimulatedDevices;
  let worker: HardwareWorkerClient;
  let dataDir: string;
  const events: WorkerEvent[] = [];

  beforeAll(async () => {
    sim = await startSimulatedDevices({ terminal: { processingMs: 30 }, terminalSettings: FAST_SETTINGS });
    dataDir = await mkdtemp(join(tmpdir(), 'omnitill-simulated-'));
    worker = await startHardwareWorker({ descriptors: sim.descriptors, dataDir, output: 'ignore' });
    worker.on('event', (event) => events.push(event));
  }, 60_000);

  afterAll(async () => {
    await worker.shutdown().catch(() => undefined);
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('brings up every device the demo needs, all ready', () => {
    expect(sim.descriptors.map((d) => d.id)).toEqual([...SIMULATED_DEVICE_IDS]);
    const devices = worker.initialDevices;
    expect(devices.map((d) => [d.id, d.ready]).sort()).toEqual(
      SIMULATED_DEVICE_IDS.map((id) => [id, true]).sort(),
    );
  });

  it('scans: AIM-prefixed codes written to the pty arrive as scans', async () => {
    await sim.controls.scan('4006381333931', ']E0');
    await until(() => events.some((e) => e.type === 'scanned'), 'the scan event');
    const scan = events.find((e) => e.type === 'scanned');
    expect(scan).toMatchObject({
      type: 'scanned',
      deviceId: 'scanner',
      text: ']E04006381333931',
      source: 'serial',
    });
  });

  it('shows lines on the pole display and weighs on the scale', async () => {
    await worker.showLines(['Apples', 'EUR 2.40']);
    await until(() => sim.display.lines[0]?.startsWith('Apples') === true, 'the display');
    expect(sim.display.lines).toEqual(['Apples'.padEnd(20), 'EUR 2.40'.padEnd(20)]);
    sim.controls.setWeight(2345);
    expect(await worker.readWeight()).toEqual({ weight: 2345, unit: 'kg', scaleId: 'scale' });
  });

  it('holds a receipt while the paper is out and prints it once the roll is in', async () => {
    sim.controls.paperOut();
    const receipt = buildReceipt(
      cashSaleEur,
      { name: 'Demo', addressLines: [], footerLines: [], locale: 'en-GB' },
      {
        copy: false,
        cashierName: 'Ann',
      },
    );
    const queued = await worker.printReceipt({ jobId: 'demo-1', receipt, copy: false });
    expect(queued.state).not.toBe('printed');
    await until(
      () => events.some((e) => e.type === 'printJob' && e.job.jobId === 'demo-1' && e.job.state === 'failed'),
      'the job to wait for paper',
    );
    sim.controls.paperIn();
    await until(
      () =>
        events.some((e) => e.type === 'printJob' && e.job.jobId === 'demo-1' && e.job.state === 'printed'),
      'the job to print',
      10_000,
    );
    await worker.openDrawer();
    await until(() => sim.printer.simulator.pulses.length === 1, 'the drawer pulse');
  }, 20_000);

  it('takes payments as the terminal controls say', async () => {
    expect(
      await worker.startPayment({
        paymentId: 'demo-pay-1',
        kind: 'sale',
        amount: 990,
        currency: 'EUR',
        wait: true,
      }),
    ).toMatchObject({
      state: 'approved',
    });
    sim.controls.terminalDecline();
    expect(
      await worker.startPayment({
        paymentId: 'demo-pay-2',
        kind: 'sale',
        amount: 990,
        currency: 'EUR',
        wait: true,
      }),
    ).toMatchObject({
      state: 'declined',
    });
    sim.controls.terminalTimeout();
    await worker.startPayment({ paymentId: 'demo-pay-3', kind: 'sale', amount: 990, currency: 'EUR' });
    await until(() => sim.terminal.simulator.busy, 'the terminal to wait for the customer');
    expect(await worker.cancelPayment('demo-pay-3')).toMatchObject({ state: 'cancelled' });
    sim.controls.terminalApprove();
    expect(sim.terminal.simulator.ledger.map((entry) => entry.transactionId)).toEqual(['demo-pay-1']);
  });

  it('close() stops every simulator: ports gone, sockets refused', async () => {
    await worker.shutdown();
    const { ports, printer, terminal } = sim;
    await sim.close();
    expect([existsSync(ports.scale), existsSync(ports.display), existsSync(ports.scanner)]).toEqual([
      false,
      false,
      false,
    ]);
    expect(await refused(printer.host, printer.port)).toBe(true);
    expect(await refused(terminal.host, terminal.port)).toBe(true);
    expect(existsSync(terminal.certificate.dir)).toBe(false);
    await sim.close();
  });
});

describe('devices CLI pay', () => {
  it('takes a payment on the simulated terminal', async () => {
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', CLI, 'pay', '12.34', '--simulate'],
        { cwd: ROOT, timeout: 60_000 },
        (error, stdout, stderr) => {
          resolve({
            code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
            stdout,
            stderr,
          });
        },
      );
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^APPROVED mc \*{4}9999 auth \d{6} — Approved\.$/m);
    expect(run.stdout).toMatch(/holds 1 approval\(s\) for cli-/);
  }, 60_000);
});
