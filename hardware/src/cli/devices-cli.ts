/**
 * `npm run devices -- <command> [--config devices.json] [--simulate] [--data-dir dir]`
 *
 *   list          the configured devices and their state
 *   print-test    prints a test receipt and waits until the printer confirms it
 *   open-drawer   kicks the cash drawer open
 *   read-scale    reads a stable weight
 *   pay <amount>  takes a card payment of <amount> (e.g. 12.34) on the terminal and waits for the
 *                 outcome; `--currency XXX` (default EUR), `--refund` for a refund
 *
 * It runs the real hardware worker (host.ts forks it), so what works here works in the till.
 * `--simulate` starts every simulator (simulated-devices.ts: printer and drawer on loopback TCP,
 * scale, display and scanner on socat pty pairs, the payment terminal on loopback HTTPS) and points
 * the configuration at them (or uses theirs without --config). Exit code 0 on success, 1 when the
 * device refused or failed (or a payment was not approved), 2 for a usage or configuration error.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMoney } from '@pos/app';
import type { DeviceDescriptor } from '../device/types.ts';
import { HardwareWorkerError, startHardwareWorker, type HardwareWorkerClient } from '../worker/host.ts';
import type { DeviceInfo } from '../worker/protocol.ts';
import { ConfigError, loadDeviceConfig } from './config.ts';
import { sampleReceipt } from './sample-receipt.ts';
import { simulatedConfig, startSimulatedDevices, type SimulatedDevices } from './simulated-devices.ts';

const COMMANDS = ['list', 'print-test', 'open-drawer', 'read-scale', 'pay'] as const;
type Command = (typeof COMMANDS)[number];

const USAGE = `Usage: npm run devices -- <${COMMANDS.join('|')}> [--config devices.json] [--simulate] [--data-dir dir]
       npm run devices -- pay <amount> [--currency EUR] [--refund] [--simulate]`;

export interface CliArgs {
  readonly command: Command;
  readonly config?: string;
  readonly simulate: boolean;
  readonly dataDir?: string;
  /** `pay`: minor units, and the currency they are in. */
  readonly payment?: { readonly amount: number; readonly currency: string; readonly refund: boolean };
}

class UsageError extends Error {}

export function parseArgs(args: readonly string[]): CliArgs {
  let command: Command | undefined;
  let config: string | undefined;
  let dataDir: string | undefined;
  let simulate = false;
  let amountText: string | undefined;
  let currency = 'EUR';
  let refund = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const value = (): string => {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${arg} needs a value.`);
      i += 1;
      return next;
    };
    if (arg === '--simulate') simulate = true;
    else if (arg === '--config') config = value();
    else if (arg.startsWith('--config=')) config = arg.slice('--config='.length);
    else if (arg === '--data-dir') dataDir = value();
    else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else if (arg === '--currency') currency = value();
    else if (arg === '--refund') refund = true;
    else if (isCommand(arg) && command === undefined) command = arg;
    else if (command === 'pay' && amountText === undefined && !arg.startsWith('--')) amountText = arg;
    else throw new UsageError(`Unknown argument "${arg}".`);
  }
  if (command === undefined) throw new UsageError('Which command?');
  if (config === undefined && !simulate) throw new UsageError('Give --config <file>, or --simulate.');
  let payment: CliArgs['payment'];
  if (command === 'pay') {
    if (amountText === undefined) throw new UsageError('pay needs an amount, e.g. pay 12.34.');
    let amount: number;
    try {
      amount = parseMoney(amountText, currency);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (amount <= 0) throw new UsageError('The amount must be more than zero.');
    payment = { amount, currency, refund };
  }
  return {
    command,
    simulate,
    ...(config === undefined ? {} : { config }),
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(payment === undefined ? {} : { payment }),
  };
}

function isCommand(value: string): value is Command {
  return (COMMANDS as readonly string[]).includes(value);
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  let configured: DeviceDescriptor[] | undefined;
  try {
    args = parseArgs(argv);
    configured = args.config === undefined ? undefined : await loadDeviceConfig(args.config);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }

  let simulated: SimulatedDevices | undefined;
  let worker: HardwareWorkerClient | undefined;
  const tempDir = args.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'omnitill-devices-')) : undefined;
  try {
    if (args.simulate) simulated = await startSimulatedDevices();
    const descriptors = simulated === undefined ? (configured ?? []) : simulatedConfig(configured, simulated);
    worker = await startHardwareWorker({ descriptors, dataDir: args.dataDir ?? tempDir ?? '.' });
    return await run(args, worker, simulated);
  } catch (error) {
    if (error instanceof HardwareWorkerError) {
      console.error(`${error.message} (${error.code})`);
      return 1;
    }
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await worker?.shutdown().catch(() => undefined);
    await simulated?.close().catch(() => undefined);
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
  }
}

async function run(
  args: CliArgs,
  worker: HardwareWorkerClient,
  simulated: SimulatedDevices | undefined,
): Promise<number> {
  switch (args.command) {
    case 'list': {
      const devices = await worker.listDevices();
      if (devices.length === 0) console.log('No devices are configured.');
      for (const device of devices) console.log(formatDevice(device));
      return 0;
    }
    case 'print-test': {
      const jobId = `test-${Date.now()}`;
      const job = await worker.printReceipt(
        { jobId, receipt: sampleReceipt(), copy: false, wait: true },
        70_000,
      );
      if (job.state !== 'printed') {
        console.error(`The test receipt did not print: ${job.error?.message ?? job.state}`);
        return 1;
      }
      console.log(`Printed the test receipt on ${job.printerId} (job ${job.jobId}).`);
      if (simulated !== undefined) {
        console.log('--- what the simulated printer printed ---');
        for (const line of simulated.printer.simulator.transcript) console.log(line);
      }
      return 0;
    }
    case 'open-drawer': {
      await worker.openDrawer();
      console.log('The cash drawer was kicked open.');
      if (simulated !== undefined) {
        const { simulator } = simulated.printer;
        // The pulse is written when openDrawer answers; give the simulator a moment to take it in.
        for (let waited = 0; simulator.pulses.length === 0 && waited < 2000; waited += 20) await sleep(20);
        console.log(`The simulated printer received ${simulator.pulses.length} drawer pulse(s).`);
      }
      return 0;
    }
    case 'read-scale': {
      const reading = await worker.readWeight();
      console.log(`${(reading.weight / 1000).toFixed(3)} kg (stable) on ${reading.scaleId}`);
      return 0;
    }
    case 'pay': {
      const payment = args.payment;
      if (payment === undefined) return 2;
      const status = await worker.startPayment({
        paymentId: `cli-${randomUUID()}`,
        kind: payment.refund ? 'refund' : 'sale',
        amount: payment.amount,
        currency: payment.currency,
        wait: true,
      });
      const card = status.cardBrand === null ? '' : ` ${status.cardBrand} ****${status.cardLast4 ?? '????'}`;
      const auth = status.authCode === null ? '' : ` auth ${status.authCode}`;
      console.log(`${status.state.toUpperCase()}${card}${auth} — ${status.message}`);
      if (status.reference !== null) console.log(`Terminal reference: ${status.reference}`);
      if (simulated !== undefined) {
        const charged = simulated.terminal.simulator.chargedCount(status.paymentId);
        console.log(`The simulated terminal holds ${charged} approval(s) for ${status.paymentId}.`);
      }
      return status.state === 'approved' ? 0 : 1;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function formatDevice(device: DeviceInfo): string {
  const status = `${device.state}/${device.powerState}`;
  const drawer = device.drawerOpen === undefined ? '' : device.drawerOpen ? ' [open]' : ' [closed]';
  return `${device.id.padEnd(20)} ${device.kind.padEnd(13)} ${status.padEnd(18)} ${device.ready ? 'ready    ' : 'NOT READY'} ${device.text}${drawer}`;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
