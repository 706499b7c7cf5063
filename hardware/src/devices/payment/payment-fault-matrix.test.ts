/**
 * The fault matrix of a payment intent: for a sale and for a refund, at every protocol step, the
 * connection is dropped, left hanging (a timeout), or the worker-side client crashes (its journal
 * stops at that instant and it restarts over the same journal). After recovery, for every case:
 *
 *  - the intent is settled;
 *  - the terminal's ledger holds at most one charge for the sale reference (no double charge);
 *  - an intent is `approved` exactly when the terminal holds an approval for it that was not reversed
 *    (no sale marked paid that was not approved, and no approval left unrecorded);
 *  - the final state is the one a person would expect from what the terminal did.
 *
 * Each case runs against its own simulator and journal, so nothing leaks from one case into the next
 * and cases can run side by side.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  startNexoTerminalSimulator,
  type NexoFaultStep,
  type NexoTerminalSimulatorHandle,
} from '../../simulators/nexo-terminal-simulator.ts';
import { startPaymentRig, type PaymentRig } from '../../../test/payment-rig.ts';
import { until } from '../../../test/until.ts';
import type { PaymentKind } from './payment-intents.ts';

type Action = 'drop' | 'hang' | 'crash';
type Scenario = 'plain' | 'decline' | 'status' | 'cancel-after-approval';

interface Case {
  readonly kind: PaymentKind;
  readonly scenario: Scenario;
  readonly step: NexoFaultStep;
  readonly action: Action;
  readonly expected: 'approved' | 'declined' | 'cancelled' | 'failed';
}

const SETTINGS = {
  paymentTimeoutMs: 250,
  statusTimeoutMs: 250,
  recoveryIntervalMs: 10,
  recoveryMaxIntervalMs: 80,
  cancelSettleMs: 50,
};

function cases(): Case[] {
  const all: Case[] = [];
  for (const kind of ['sale', 'refund'] as const) {
    for (const action of ['drop', 'hang', 'crash'] as const) {
      // Before processing: a dropped or hung request is never processed; a crashed till's is (the
      // terminal carries on without it) and the restart finds the approval.
      all.push({
        kind,
        scenario: 'plain',
        step: 'payment.received',
        action,
        expected: action === 'crash' ? 'approved' : 'failed',
      });
      // After approving, before answering.
      all.push({ kind, scenario: 'plain', step: 'payment.decided', action, expected: 'approved' });
      all.push({ kind, scenario: 'decline', step: 'payment.decided', action, expected: 'declined' });
      // During the status query that follows a lost answer.
      all.push({ kind, scenario: 'status', step: 'status.received', action, expected: 'approved' });
      // The cashier cancelled; the approval arrives anyway and is reversed; faults hit the reversal.
      all.push({
        kind,
        scenario: 'cancel-after-approval',
        step: 'reversal.received',
        action,
        expected: 'cancelled',
      });
      all.push({
        kind,
        scenario: 'cancel-after-approval',
        step: 'reversal.done',
        action,
        expected: 'cancelled',
      });
    }
  }
  return all;
}

let counter = 0;

async function runCase(testCase: Case): Promise<void> {
  const handle: NexoTerminalSimulatorHandle = await startNexoTerminalSimulator({
    behaviour: { processingMs: 10 },
  });
  let rig: PaymentRig = await startPaymentRig(handle, { settings: SETTINGS });
  const { simulator } = handle;
  counter += 1;
  const paymentId = `fault-${counter}`;
  try {
    if (testCase.scenario === 'decline') simulator.decline();
    // The answer is lost first, so that a status query (or a reversal) happens at all.
    if (testCase.scenario === 'status') simulator.failAt('payment.decided', 'drop');
    if (testCase.scenario === 'cancel-after-approval') simulator.failAt('payment.decided', 'hang');

    let crashed: Promise<void> | undefined;
    if (testCase.action === 'crash') {
      crashed = new Promise((resolve) => {
        const off = simulator.onStep(({ step }) => {
          if (step !== testCase.step) return;
          off();
          void rig.crash().then(resolve);
        });
      });
    } else {
      simulator.failAt(testCase.step, testCase.action);
    }

    const start = { paymentId, amount: 1999, currency: 'EUR' };
    await (testCase.kind === 'sale' ? rig.device.authorizeSale(start) : rig.device.refund(start));
    if (testCase.scenario === 'cancel-after-approval') {
      await until(
        () => simulator.ledger.some((entry) => entry.transactionId === paymentId),
        'the terminal to approve',
      );
      await rig.device.cancel(paymentId);
    }
    if (crashed !== undefined) {
      await crashed;
      rig = await rig.restart();
    }
    const status = await rig.device.settled(paymentId, 10_000);

    const charges = simulator.ledger.filter((entry) => entry.transactionId === paymentId);
    expect(charges.length, 'never charged twice').toBeLessThanOrEqual(1);
    expect(simulator.chargedCount(paymentId), 'approved exactly when the terminal kept an approval').toBe(
      status.state === 'approved' ? 1 : 0,
    );
    expect(status.state).toBe(testCase.expected);
    expect(charges.every((entry) => entry.kind === testCase.kind)).toBe(true);
  } finally {
    await rig.close();
    await handle.close();
  }
}

// Cases are independent (own simulator, own journal) and mostly wait on timeouts: run a few at once.
describe.concurrent('payment fault matrix', () => {
  it.each(
    cases().map((c) => [`${c.kind}: ${c.action} at ${c.step} (${c.scenario}) → ${c.expected}`, c] as const),
  )(
    '%s',
    async (_name, testCase) => {
      await runCase(testCase);
    },
    15_000,
  );
});

// ---------------------------------------------------------------------------------------------
// Combined faults: several faults at once, an early cancel, a crash — generated (fixed seed, so the
// cases are the same on every run) and checked against the same invariants.
// ---------------------------------------------------------------------------------------------

const STEPS: readonly NexoFaultStep[] = [
  'payment.received',
  'payment.decided',
  'status.received',
  'reversal.received',
  'reversal.done',
  'abort.received',
];

const combined = fc.record({
  kind: fc.constantFrom<PaymentKind>('sale', 'refund'),
  outcome: fc.constantFrom<'approve' | 'decline'>('approve', 'decline'),
  processingMs: fc.integer({ min: 5, max: 60 }),
  faults: fc.array(
    fc.record({
      step: fc.constantFrom(...STEPS),
      action: fc.constantFrom<'drop' | 'hang'>('drop', 'hang'),
      times: fc.integer({ min: 1, max: 2 }),
    }),
    { maxLength: 3 },
  ),
  cancel: fc.boolean(),
  crashAt: fc.option(fc.constantFrom(...STEPS), { nil: undefined }),
});

type Combined = typeof combined extends fc.Arbitrary<infer T> ? T : never;

async function runCombined(scenario: Combined): Promise<void> {
  const handle = await startNexoTerminalSimulator({
    behaviour: { processingMs: scenario.processingMs, outcome: scenario.outcome },
  });
  let rig: PaymentRig = await startPaymentRig(handle, { settings: SETTINGS });
  const { simulator } = handle;
  counter += 1;
  const paymentId = `combined-${counter}`;
  try {
    for (const fault of scenario.faults) simulator.failAt(fault.step, fault.action, fault.times);
    let crashed: Promise<void> | undefined;
    const crashAt = scenario.crashAt;
    if (crashAt !== undefined) {
      const off = simulator.onStep(({ step }) => {
        if (step !== crashAt) return;
        off();
        crashed = rig.crash();
      });
    }
    const start = { paymentId, amount: 501, currency: 'EUR' };
    await (scenario.kind === 'sale' ? rig.device.authorizeSale(start) : rig.device.refund(start));
    if (scenario.cancel) await rig.device.cancel(paymentId).catch(() => undefined);
    // A crash step the scenario never reaches does not happen; a reached one stops the device (which
    // answers the wait at once) and the till restarts.
    await rig.device.settled(paymentId, 10_000);
    const crash: Promise<void> | undefined = crashed;
    if (crash !== undefined) {
      await crash;
      rig = await rig.restart();
    }
    const status = await rig.device.settled(paymentId, 10_000);

    const charges = simulator.ledger.filter((entry) => entry.transactionId === paymentId);
    expect(['approved', 'declined', 'cancelled', 'failed']).toContain(status.state);
    expect(charges.length, 'never charged twice').toBeLessThanOrEqual(1);
    expect(simulator.chargedCount(paymentId), 'approved exactly when the terminal kept an approval').toBe(
      status.state === 'approved' ? 1 : 0,
    );
    if (scenario.outcome === 'decline') expect(charges).toEqual([]);
    if (scenario.cancel) expect(status.state).not.toBe('approved');
  } finally {
    await rig.close();
    await handle.close();
  }
}

describe.concurrent('combined faults (generated, fixed seed)', () => {
  it.each(
    fc
      .sample(combined, { numRuns: 16, seed: 20_260_101 })
      .map((scenario) => [JSON.stringify(scenario), scenario] as const),
  )(
    '%s',
    async (_name, scenario) => {
      await runCombined(scenario);
    },
    25_000,
  );
});
