import type { OutboxEvent } from '@pos/app';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_PENDING_CHECKOUT, writeLocal } from '../app/local-state.ts';
import {
  CODES,
  removeTestTills,
  saleState,
  testTill,
  DEVICE,
  eventually,
  STORE,
} from '../app/till-fixture.test-helper.ts';
import type { TestTill } from '../app/till-fixture.test-helper.ts';
import { outboxEventFromEntry, restoreOutbox } from './outbox.ts';
import { formatReceiptNumber, tillCodeFor } from './receipt-number.ts';

const till = testTill;
const state = saleState;

afterEach(removeTestTills);

async function ringUpMilkAndBread(t: TestTill): Promise<void> {
  await t.runtime.sale.scan(CODES.milk);
  await t.runtime.sale.scan(CODES.bread);
  await t.runtime.tender.start();
}

async function outbox(t: TestTill): Promise<OutboxEvent[]> {
  const docs = await t.db.events.find({ sort: [{ deviceSeq: 'asc' }] }).exec();
  return docs.map((d) => d.toJSON());
}

describe('the sale path', () => {
  it('journals the sale, puts it in the outbox, then prints, opens the drawer and clears the cart', async () => {
    const t = await till();
    await ringUpMilkAndBread(t);
    const saleId = state(t).sale?.saleId ?? '';
    await t.runtime.tender.cash(500);

    expect(t.main.journal).toHaveLength(1);
    const entry = t.main.journal[0];
    expect(entry?.type).toBe('sale.completed');
    const events = await outbox(t);
    expect(events).toHaveLength(1);
    const event = events[0];
    expect(event).toMatchObject({
      eventId: entry?.eventId,
      type: 'sale.completed',
      schemaVersion: 1,
      storeId: STORE,
      deviceId: DEVICE,
      deviceSeq: 1,
      occurredAt: '2026-03-02T10:00:00.000Z',
    });
    expect(event?.payload).toMatchObject({ saleId, total: 390, change: 110 });

    // The receipt prints only now, as the sale's job, not marked as a copy.
    const calls = t.main.calls.map((c) => c.command);
    expect(calls.indexOf('hardware.printReceipt')).toBeGreaterThan(calls.indexOf('journal.append'));
    expect(t.main.printRequests.map((p) => [p.jobId, p.copy])).toEqual([[saleId, false]]);
    expect(t.main.drawerOpens).toBe(1);
    const receiptNumber = formatReceiptNumber('S01', tillCodeFor(DEVICE), 1);
    expect(state(t).completion?.record.receiptNumber).toBe(receiptNumber);
    expect(state(t).completion?.print?.state).toBe('printed');
    await t.runtime.checkout.idle();
    await t.runtime.carts.idle();
    expect(await t.db.carts.find().exec()).toEqual([]);
  });

  it('numbers receipts above the journal sequence, across sales', async () => {
    const t = await till();
    for (let i = 0; i < 2; i++) {
      await t.runtime.sale.scan(CODES.milk);
      await t.runtime.tender.start();
      await t.runtime.tender.cash(150);
      t.runtime.sale.newSale();
    }
    const numbers = (await outbox(t)).map((e) =>
      e.type === 'sale.completed' ? e.payload.receiptNumber : '',
    );
    const code = tillCodeFor(DEVICE);
    expect(numbers).toEqual([formatReceiptNumber('S01', code, 1), formatReceiptNumber('S01', code, 2)]);
  });

  it('keeps the sale unpaid and retryable when the journal refuses it, and journals it once on retry', async () => {
    const t = await till();
    t.main.failAppends = 1;
    await ringUpMilkAndBread(t);
    await t.runtime.tender.cash(390);
    expect(state(t).sale?.state).toBe('tendering');
    expect(state(t).sale?.tenders).toHaveLength(1);
    expect(state(t).completion).toBeNull();
    const notice = state(t).notice;
    expect(notice?.message.key).toBe('checkout:errors.notSaved');
    expect(t.main.printRequests).toEqual([]);
    expect(t.main.drawerOpens).toBe(0);

    notice?.actions?.[0]?.run();
    await eventually(() => state(t).completion !== null);
    expect(t.main.journal).toHaveLength(1);
    expect(await outbox(t)).toHaveLength(1);
  });

  it('re-sends the same event when the journal answer was lost, so the sale exists once', async () => {
    const t = await till();
    t.main.loseAppendAnswers = 1;
    await ringUpMilkAndBread(t);
    await t.runtime.tender.cash(390);
    expect(t.main.journal).toHaveLength(1);
    expect(state(t).completion).toBeNull();
    state(t).notice?.actions?.[0]?.run();
    await eventually(() => state(t).completion !== null);
    expect(t.main.journal).toHaveLength(1);
    const events = await outbox(t);
    expect(events.map((e) => e.eventId)).toEqual([t.main.journal[0]?.eventId]);
  });

  it('completes the sale when the printer is out of paper, and follows the job until it prints', async () => {
    const t = await till();
    t.main.printer = 'waiting';
    await ringUpMilkAndBread(t);
    await t.runtime.tender.cash(390);
    expect(state(t).completion?.print).toMatchObject({
      state: 'waiting',
      detail: 'The printer is out of paper.',
    });
    expect(t.main.journal).toHaveLength(1);
    const jobId = state(t).completion?.record.saleId ?? '';
    t.main.emit('hardware.printJob', { jobId, state: 'printed', detail: '' });
    expect(state(t).completion?.print?.state).toBe('printed');
  });

  it('completes the sale when the hardware service is down, and prints later on request', async () => {
    const t = await till();
    t.main.printer = 'unavailable';
    await ringUpMilkAndBread(t);
    await t.runtime.tender.cash(390);
    expect(state(t).completion?.print?.state).toBe('unavailable');
    expect(state(t).completion?.drawerProblem).toBeNull();
    t.main.printer = 'printed';
    await t.runtime.flow.printReceipt();
    const saleId = state(t).completion?.record.saleId;
    expect(t.main.printed.map((p) => [p.jobId, p.copy])).toEqual([[saleId, false]]);
    // A second request is a reprint: a new job, marked as a copy.
    await t.runtime.flow.printReceipt();
    expect(t.main.printed.map((p) => p.copy)).toEqual([false, true]);
    expect(t.main.printed[1]?.receipt.blocks.some((b) => b.kind === 'copy')).toBe(true);
  });

  it('does not open the drawer for a card-only sale', async () => {
    const t = await till();
    await ringUpMilkAndBread(t);
    await t.runtime.tender.card();
    expect(state(t).completion).not.toBeNull();
    expect(t.main.drawerOpens).toBe(0);
  });
});

describe('after a crash', () => {
  it('finishes a sale journaled just before the crash with the same event, instead of ringing it again', async () => {
    const t = await till();
    t.main.loseAppendAnswers = 1;
    await ringUpMilkAndBread(t);
    await t.runtime.tender.cash(390);
    expect(t.main.journal).toHaveLength(1);
    await t.runtime.carts.idle();
    t.runtime.close();

    const restarted = await till({ db: t.db, main: t.main });
    await restarted.runtime.resumeOpenSale();
    const after = restarted.runtime.saleStore.getState();
    expect(after.completion?.record.total).toBe(390);
    expect(t.main.journal).toHaveLength(1);
    const events = await outbox(restarted);
    expect(events.map((e) => e.eventId)).toEqual([t.main.journal[0]?.eventId]);
    expect(await t.db.carts.find().exec()).toEqual([]);
  });

  it('recognises a journaled sale from the restored outbox when the local note was lost too', async () => {
    const t = await till();
    t.main.loseAppendAnswers = 1;
    await ringUpMilkAndBread(t);
    await t.runtime.tender.cash(390);
    await t.runtime.carts.idle();
    t.runtime.close();
    await writeLocal(t.db, LOCAL_PENDING_CHECKOUT, null);

    const restarted = await till({ db: t.db, main: t.main });
    await restarted.runtime.resumeOpenSale();
    expect(restarted.runtime.saleStore.getState().completion?.record.total).toBe(390);
    expect(t.main.journal).toHaveLength(1);
    expect(await outbox(restarted)).toHaveLength(1);
  });
});

describe('restoring the outbox from the journal', () => {
  it('re-inserts what IndexedDB lost, once', async () => {
    const t = await till();
    for (let i = 0; i < 3; i++) {
      await t.runtime.sale.scan(CODES.bread);
      await t.runtime.tender.start();
      await t.runtime.tender.cash(240);
      t.runtime.sale.newSale();
    }
    const events = await outbox(t);
    expect(events.map((e) => e.deviceSeq)).toEqual([1, 2, 3]);
    // IndexedDB lost the last two writes.
    for (const event of events.slice(1)) await (await t.db.events.findOne(event.eventId).exec())?.remove();

    expect(await restoreOutbox(t.db, t.main.desktop)).toBe(2);
    expect(await outbox(t)).toEqual(events);
    expect(await restoreOutbox(t.db, t.main.desktop)).toBe(0);
  });

  it('skips journal entries that are not outbox events', () => {
    const base = {
      sequence: 4,
      deviceId: DEVICE,
      recordedAt: '2026-03-02T10:00:00.000Z',
      prevHash: 'a'.repeat(64),
      hash: 'b'.repeat(64),
    };
    expect(
      outboxEventFromEntry({ ...base, eventId: 'ack-1', type: 'journal.tamper_ack', payload: { by: 'x' } }),
    ).toBeNull();
    expect(
      outboxEventFromEntry({
        ...base,
        eventId: '019a0000-0000-7000-8000-000000000009',
        type: 'sale.completed',
        payload: { schemaVersion: 1 },
      }),
    ).toBeNull();
  });
});
