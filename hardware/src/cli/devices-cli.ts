/**
 * `npm run devices -- <command> [--config devices.json] [--simulate] [--data-dir dir]`
 *
 *   list          the configured devices and their state
 *   print-test    prints a test receipt and waits until the printer confirms it
 *   open-drawer   kicks the cash drawer open
 *   read-scale    reads a stable weight
 *
 * It runs the real hardware worker (host.ts forks it), so what works here works in the till.
 * `--simulate` starts a printer simulator on loopback TCP and a scale simulator on a socat pty pair and
 * points the configuration at them (or uses a built-in one without --config). Exit code 0 on success,
 * 1 when the device refused or failed, 2 for a usage or configuration error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceDescriptor } from '../device/types.ts';
import { HardwareWorkerError, startHardwareWorker, type HardwareWorkerClient } from '../worker/host.ts';
import type { DeviceInfo } from '../worker/protocol.ts';
import { ConfigError, loadDeviceConfig } from './config.ts';
import { sampleReceipt } from './sample-receipt.ts';
import { simulatedConfig, startSimulatedDevices, type SimulatedDevices } from './simulated-devices.ts';

const COMMANDS = ['list', 'print-test', 'open-drawer', 'read-scale'] as const;
type Command = (typeof COMMANDS)[number];

const USAGE = `Usage: npm run devices -- <${COMMANDS.join('|')}> [--config devices.json] [--simulate] [--data-dir dir]`;

export interface CliArgs {
  readonly command: Command;
  readonly config?: string;
  readonly simulate: boolean;
  readonly dataDir?: string;
}

class UsageError extends Error {}

export function parseArgs(args: readonly string[]): CliArgs {
  let command: Command | undefined;
  let config: string | undefined;
  let dataDir: string | undefined;
  let simulate = false;
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
    else if (isCommand(arg) && command === undefined) command = arg;
    else throw new UsageError(`Unknown argument "${arg}".`);
  }
  if (command === undefined) throw new UsageError('Which command?');
  if (config === undefined && !simulate) throw new UsageError('Give --config <file>, or --simulate.');
  return {
    command,
    simulate,
    ...(config === undefined ? {} : { config }),
    ...(dataDir === undefined ? {} : { dataDir }),
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
    return await run(args.command, worker, simulated);
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
  command: Command,
  worker: HardwareWorkerClient,
  simulated: SimulatedDevices | undefined,
): Promise<number> {
  switch (command) {
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
