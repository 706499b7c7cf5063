/**
 * A payment terminal device (built by its real driver from a descriptor) over its own intent journal,
 * pointed at a terminal simulator, with short timeouts so fault tests run in milliseconds.
 *
 * `crash()` plays a crash of the worker: the journal is closed first (from that instant nothing more
 * reaches the disk, exactly as when the process dies), then the device is closed. `restart()` opens
 * a new journal and device over the same data folder, as the next start of the worker does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nexoPaymentTerminalDriver } from '../src/devices/payment/drivers.ts';
import { PaymentIntentStore } from '../src/devices/payment/payment-intents.ts';
import type { NexoPaymentTerminal } from '../src/devices/payment/payment-terminal.ts';
import type { PaymentStatusInfo } from '../src/devices/payment/payment-intents.ts';
import type { NexoTerminalSimulatorHandle } from '../src/simulators/nexo-terminal-simulator.ts';
import { FakeTransport } from '../src/transports/fake-transport.ts';

export const FAST_SETTINGS = {
  paymentTimeoutMs: 300,
  statusTimeoutMs: 200,
  recoveryIntervalMs: 20,
  recoveryMaxIntervalMs: 100,
  cancelSettleMs: 400,
} as const;

export interface PaymentRig {
  readonly device: NexoPaymentTerminal;
  readonly store: PaymentIntentStore;
  readonly dataDir: string;
  /** Every payment event, in order. */
  readonly updates: PaymentStatusInfo[];
  crash(): Promise<void>;
  restart(): Promise<PaymentRig>;
  /** Closes device and journal, and deletes the data folder. */
  close(): Promise<void>;
}

export async function startPaymentRig(
  handle: NexoTerminalSimulatorHandle,
  options: {
    readonly dataDir?: string;
    readonly settings?: Readonly<Record<string, string | number | boolean>>;
  } = {},
): Promise<PaymentRig> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'omnitill-payments-')));
  const store = await PaymentIntentStore.open({ dataDir });
  const device = nexoPaymentTerminalDriver.create(
    handle.descriptor('terminal', { ...FAST_SETTINGS, ...options.settings }),
    {
      transport: new FakeTransport('unused'),
      options: { reconnect: { initialDelayMs: 20, maxDelayMs: 100, factor: 2 }, reconnectOpenTimeoutMs: 500 },
    },
  );
  device.attachIntentStore(store);
  const updates: PaymentStatusInfo[] = [];
  device.on('payment', (status) => updates.push(status));
  await device.open();
  await device.claim(2000);
  await device.enable();
  const stop = async (): Promise<void> => {
    await store.close();
    await device.close();
  };
  return {
    device,
    store,
    dataDir,
    updates,
    crash: stop,
    restart: async () => {
      await stop();
      return startPaymentRig(handle, { ...options, dataDir });
    },
    close: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
