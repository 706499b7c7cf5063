/**
 * The payment terminal device against the terminal simulator over loopback HTTPS: the normal paths,
 * idempotency, cancel, recovery after lost answers and crashes, and what is on disk when.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startNexoTerminalSimulator,
  type NexoTerminalSimulatorHandle,
} from '../../simulators/nexo-terminal-simulator.ts';
import { startPaymentRig, type PaymentRig } from '../../../test/payment-rig.ts';
import { until } from '../../../test/until.ts';
import type { PaymentIntent } from './payment-intents.ts';

let handle: NexoTerminalSimulatorHandle;
let rig: PaymentRig | undefined;
let sequence = 0;

beforeAll(async () => {
  handle = await startNexoTerminalSimulator({ behaviour: { processingMs: 20 } });
});

afterAll(async () => {
  await handle.close();
});

afterEach(async () => {
  await rig?.close();
  rig = undefined;
  handle.simulator.reset({ processingMs: 20 });
});

function nextId(): string {
  sequence += 1;
  return `pay-${sequence}`;
}

async function started(): Promise<PaymentRig> {
  rig = await startPaymentRig(handle);
  return rig;
}

async function journal(dataDir: string): Promise<PaymentIntent[]> {
  const text = await readFile(join(dataDir, 'payment-intents.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { intent: PaymentIntent }).intent);
}

describe('payments that go as planned', () => {
  it('approves a sale, charging exactly once, and keeps only brand, last four, approval code and reference', async () => {
    const { device } = await started();
    const paymentId = nextId();
    const first = await device.authorizeSale({ paymentId, amount: 1234, currency: 'EUR' });
    expect(first).toMatchObject({
      paymentId,
      state: 'pending',
      amount: 1234,
      currency: 'EUR',
      authCode: null,
    });
    const done = await device.settled(paymentId, 3000);
    expect(done).toMatchObject({
      state: 'approved',
      cardBrand: 'mc',
      cardLast4: '9999',
      message: 'Approved.',
    });
    expect(done.authCode).toMatch(/^\d{6}$/);
    expect(done.reference).toMatch(/^V400\d{6}\.[0-9A-F]{16}$/);
    expect(handle.simulator.chargedCount(paymentId)).toBe(1);
    expect(handle.simulator.netAmount(paymentId)).toBe(1234);
    const onDisk = JSON.stringify(await journal(rig?.dataDir ?? ''));
    expect(onDisk).not.toContain('541333');
    expect(onDisk).not.toContain('MaskedPan');
  });

  it('writes the intent to disk before the terminal hears of the payment', async () => {
    const { device, dataDir } = await started();
    const paymentId = nextId();
    let seenOnDisk: PaymentIntent[] | undefined;
    const off = handle.simulator.onStep(({ step }) => {
      // Read synchronously, at the very moment the terminal receives the request.
      if (step === 'payment.received') {
        seenOnDisk = readFileSync(join(dataDir, 'payment-intents.jsonl'), 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => (JSON.parse(line) as { intent: PaymentIntent }).intent);
      }
    });
    try {
      await device.authorizeSale({ paymentId, amount: 500, currency: 'EUR' });
      await device.settled(paymentId, 3000);
    } finally {
      off();
    }
    expect(seenOnDisk?.find((intent) => intent.paymentId === paymentId)).toMatchObject({
      state: 'pending',
      amount: 500,
      currency: 'EUR',
      transaction: { TransactionID: paymentId },
    });
  });

  it('records a decline with the reason, charging nothing', async () => {
    const { device } = await started();
    handle.simulator.decline();
    const paymentId = nextId();
    await device.authorizeSale({ paymentId, amount: 999, currency: 'EUR' });
    expect(await device.settled(paymentId, 3000)).toMatchObject({
      state: 'declined',
      message: 'The card was declined: Not enough balance.',
      cardLast4: null,
    });
    expect(handle.simulator.ledger.filter((entry) => entry.transactionId === paymentId)).toEqual([]);
  });

  it('refunds as an unreferenced refund (PaymentType Refund), in the currency exponent of JPY', async () => {
    const { device } = await started();
    const paymentId = nextId();
    await device.refund({ paymentId, amount: 1500, currency: 'JPY' });
    expect(await device.settled(paymentId, 3000)).toMatchObject({ state: 'approved' });
    expect(handle.simulator.ledger.filter((entry) => entry.transactionId === paymentId)).toEqual([
      expect.objectContaining({ kind: 'refund', amount: 1500, currency: 'JPY', reversed: false }),
    ]);
    expect(handle.simulator.netAmount(paymentId)).toBe(-1500);
  });
});

describe('idempotency and one payment at a time', () => {
  it('answers a repeated start with the same payment and never charges twice', async () => {
    const { device } = await started();
    const paymentId = nextId();
    const [a, b] = await Promise.all([
      device.authorizeSale({ paymentId, amount: 700, currency: 'EUR' }),
      device.authorizeSale({ paymentId, amount: 700, currency: 'EUR' }),
    ]);
    expect(a.state).toBe('pending');
    expect(b.state).toBe('pending');
    await device.settled(paymentId, 3000);
    expect((await device.authorizeSale({ paymentId, amount: 700, currency: 'EUR' })).state).toBe('approved');
    expect(handle.simulator.chargedCount(paymentId)).toBe(1);
    expect(handle.simulator.received.filter((category) => category === 'Payment').length).toBeGreaterThan(0);
  });

  it('refuses the same payment id for another amount', async () => {
    const { device } = await started();
    const paymentId = nextId();
    await device.authorizeSale({ paymentId, amount: 700, currency: 'EUR' });
    await expect(device.authorizeSale({ paymentId, amount: 701, currency: 'EUR' })).rejects.toMatchObject({
      code: 'illegal',
    });
    await device.settled(paymentId, 3000);
  });

  it('refuses a second payment while one is unsettled, as busy', async () => {
    const { device } = await started();
    handle.simulator.set({ processingMs: 200 });
    const first = nextId();
    await device.authorizeSale({ paymentId: first, amount: 100, currency: 'EUR' });
    await expect(
      device.authorizeSale({ paymentId: nextId(), amount: 100, currency: 'EUR' }),
    ).rejects.toMatchObject({
      code: 'busy',
    });
    await device.settled(first, 3000);
  });

  it.each([
    ['zero', 0, 'EUR'],
    ['a fraction of a minor unit', 1.5, 'EUR'],
    ['an unknown currency', 100, 'XXY'],
  ])('refuses %s before writing anything', async (_name, amount, currency) => {
    const { device, store } = await started();
    await expect(device.authorizeSale({ paymentId: nextId(), amount, currency })).rejects.toMatchObject({
      code: 'illegal',
    });
    expect(store.intents).toEqual([]);
  });
});

describe('cancel', () => {
  it('aborts a payment the customer has not finished: cancelled, nothing charged', async () => {
    const { device } = await started();
    handle.simulator.timeout();
    const paymentId = nextId();
    await device.authorizeSale({ paymentId, amount: 300, currency: 'EUR' });
    await until(() => handle.simulator.busy, 'the terminal to start the payment');
    const status = await device.cancel(paymentId);
    expect(status).toMatchObject({
      state: 'cancelled',
      message: 'The payment was cancelled on the terminal.',
    });
    expect(handle.simulator.chargedCount(paymentId)).toBe(0);
  });

  it('reverses an approval that arrives after the cancel: cancelled, and the charge undone', async () => {
    const { device } = await started();
    handle.simulator.set({ processingMs: 150 });
    // The terminal decides, but its answer is held back until the till has asked to cancel.
    handle.simulator.failAt('payment.decided', 'hang');
    const paymentId = nextId();
    await device.authorizeSale({ paymentId, amount: 450, currency: 'EUR' });
    await until(
      () => handle.simulator.ledger.some((entry) => entry.transactionId === paymentId),
      'the charge',
    );
    await device.cancel(paymentId);
    const status = await device.settled(paymentId, 5000);
    expect(status.state).toBe('cancelled');
    expect(status.message).toBe('The payment was reversed on the terminal; no money moved.');
    expect(handle.simulator.ledger.filter((entry) => entry.transactionId === paymentId)).toEqual([
      expect.objectContaining({ reversed: true }),
    ]);
  });

  it('leaves a settled payment as it is', async () => {
    const { device } = await started();
    const paymentId = nextId();
    await device.authorizeSale({ paymentId, amount: 120, currency: 'EUR' });
    await device.settled(paymentId, 3000);
    expect((await device.cancel(paymentId)).state).toBe('approved');
    expect(handle.simulator.chargedCount(paymentId)).toBe(1);
  });
});

describe('lost answers', () => {
  it('asks the terminal after a dropped connection and records the approval it holds', async () => {
    const { device, updates } = await started();
    handle.simulator.failAt('payment.decided', 'drop');
    const paymentId = nextId();
    await device.authorizeSale({ paymentId, amount: 2500, currency: 'EUR' });
    expect(await device.settled(paymentId, 5000)).toMatchObject({ state: 'approved', cardLast4: '9999' });
    expect(updates.filter((u) => u.paymentId === paymentId).map((u) => u.state)).toEqual([
      'pending',
      'unresolved',
      'approved',
    ]);
    expect(handle.simulator.chargedCount(paymentId)).toBe(1);
  });

  it('fails a payment the terminal never received, charging nothing', async () => {
    const { device } = await started();
    handle.simulator.failAt('payment.received', 'drop');
    const paymentId = nextId();
    await device.authorizeSale({ paymentId, amount: 2500, currency: 'EUR' });
    expect(await device.settled(paymentId, 5000)).toMatchObject({
      state: 'failed',
      message: 'The terminal never received this payment; nobody was charged.',
    });
    expect(handle.simulator.ledger.filter((entry) => entry.transactionId === paymentId)).toEqual([]);
  });

  it('keeps asking while the terminal is still taking the payment, then records its outcome', async () => {
    const { device } = await started();
    handle.simulator.set({ processingMs: 700 });
    const paymentId = nextId();
    await device.authorizeSale({ paymentId, amount: 800, currency: 'EUR' });
    await until(() => device.payment(paymentId)?.state === 'unresolved', 'the request to time out', 2000);
    expect(await device.settled(paymentId, 5000)).toMatchObject({ state: 'approved' });
    expect(handle.simulator.chargedCount(paymentId)).toBe(1);
  });

  it('fails at once, nobody charged, when the terminal is switched off', async () => {
    const { device } = await started();
    handle.simulator.set({ offline: true });
    const paymentId = nextId();
    await device.authorizeSale({ paymentId, amount: 100, currency: 'EUR' });
    const status = await device.settled(paymentId, 3000);
    expect(status.state).toBe('failed');
    expect(status.message).toMatch(/cannot be reached.*Nobody was charged\.$/);
    await until(() => device.powerState === 'offline', 'the terminal to show offline');
    handle.simulator.set({ offline: false });
    await until(() => device.powerState === 'online', 'the terminal to come back', 3000);
  });
});

describe('closing', () => {
  it('answers whoever waits for a payment at once, leaving the payment to the next start', async () => {
    const current = await started();
    handle.simulator.timeout();
    const paymentId = nextId();
    await current.device.authorizeSale({ paymentId, amount: 100, currency: 'EUR' });
    await until(() => handle.simulator.busy, 'the terminal to wait for the customer');
    const waiting = current.device.settled(paymentId, 60_000);
    const before = Date.now();
    await current.crash();
    expect((await waiting).state).toBe('pending');
    expect(Date.now() - before).toBeLessThan(5000);
  });
});

describe('crash of the worker', () => {
  it('after a restart, records the approval the terminal made while the till was down', async () => {
    let current = await started();
    const paymentId = nextId();
    const crashed = new Promise<void>((resolve) => {
      const off = handle.simulator.onStep(({ step }) => {
        if (step !== 'payment.received') return;
        off();
        void current.crash().then(resolve);
      });
    });
    await current.device.authorizeSale({ paymentId, amount: 6000, currency: 'EUR' });
    await crashed;
    await until(() => handle.simulator.chargedCount(paymentId) === 1, 'the terminal to finish on its own');
    current = await current.restart();
    rig = current;
    expect(await current.device.settled(paymentId, 5000)).toMatchObject({ state: 'approved', amount: 6000 });
    expect(handle.simulator.chargedCount(paymentId)).toBe(1);
  });
});
