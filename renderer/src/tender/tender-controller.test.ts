import { afterEach, describe, expect, it } from 'vitest';
import {
  CODES,
  removeTestTills,
  saleState,
  testTill,
  eventually,
  paymentStatus,
  pendingTerminal,
} from '../app/till-fixture.test-helper.ts';
import type { TestTill } from '../app/till-fixture.test-helper.ts';
import { FakeAccountHolds, holdRefusedNaming } from './account-holds.test-helper.ts';

const till = testTill;
const state = saleState;

afterEach(removeTestTills);

/** Milk 1.50 + bread 2.40 = 3.90, in tendering. */
async function ringUp(t: TestTill): Promise<void> {
  await t.runtime.sale.scan(CODES.milk);
  await t.runtime.sale.scan(CODES.bread);
  expect(await t.runtime.tender.start()).toBe(true);
  expect(state(t).sale?.state).toBe('tendering');
}

describe('cash', () => {
  it('takes cash, gives change and completes the sale', async () => {
    const t = await till();
    await ringUp(t);
    await t.runtime.tender.cash(1000);
    const { completion, sale } = state(t);
    expect(sale?.state).toBe('completed');
    // 10.00 − 3.90 = 6.10 change.
    expect(completion?.change).toBe(610);
    expect(completion?.record.tenders).toEqual([
      expect.objectContaining({ type: 'cash', amount: 390, received: 1000 }),
    ]);
    expect(completion?.cashTaken).toBe(true);
  });

  it('keeps a cash amount below the total as a part payment and shows what is left', async () => {
    const t = await till();
    await ringUp(t);
    await t.runtime.tender.cash(200);
    expect(state(t).sale?.state).toBe('tendering');
    expect(t.runtime.tender.due()).toMatchObject({ total: 390, paid: 200, remaining: 190 });
    await t.runtime.tender.cash(190);
    expect(state(t).completion?.change).toBe(0);
  });

  it('rounds the cash due in a market that rounds cash (0.05)', async () => {
    const t = await till({ store: { cashRounding: { increment: 5, mode: 'half-up' } } });
    await t.runtime.sale.scan(CODES.milk);
    await t.runtime.sale.scan(CODES.bread);
    await t.runtime.sale.scan(CODES.choc);
    // 1.50 + 2.40 + 1.00 = 4.90; 0.02 off the chocolate makes it 4.88, which cash cannot pay exactly.
    const lineId = state(t).sale?.lines[2]?.lineId ?? '';
    await t.runtime.sale.setLineDiscount(lineId, { kind: 'amount', amount: 2 });
    // Cash due rounds half-up to 0.05: 4.90 (+0.02); 5.00 handed over, 0.10 change.
    await t.runtime.tender.start();
    expect(t.runtime.tender.due()).toMatchObject({ remaining: 488, cashDue: 490 });
    await t.runtime.tender.cash(500);
    const record = state(t).completion?.record;
    expect(record?.total).toBe(488);
    expect(record?.cashRounding).toBe(2);
    expect(record?.change).toBe(10);
  });

  it('goes back to the sale while nothing is paid, but not after', async () => {
    const t = await till();
    await ringUp(t);
    expect(await t.runtime.tender.back()).toBe(true);
    expect(state(t).sale?.state).toBe('open');
    await t.runtime.tender.start();
    await t.runtime.tender.cash(100);
    expect(await t.runtime.tender.back()).toBe(false);
    expect(state(t).notice?.message.key).toBe('sale:errors.invalid_state');
  });
});

describe('card', () => {
  it('splits a sale between an approved card payment and cash', async () => {
    const t = await till();
    await ringUp(t);
    await t.runtime.tender.card(300);
    expect(state(t).payment).toBeNull();
    expect(t.runtime.tender.due()).toMatchObject({ paid: 300, remaining: 90 });
    await t.runtime.tender.cash(100);
    const record = state(t).completion?.record;
    expect(record?.tenders.map((x) => [x.type, x.amount])).toEqual([
      ['card', 300],
      ['cash', 90],
    ]);
    expect(record?.tenders[0]).toMatchObject({
      cardBrand: 'VISA',
      cardLast4: '4242',
      approvalCode: '054321',
    });
    expect(record?.change).toBe(10);
    const start = t.main.calls.find((c) => c.command === 'hardware.startPayment');
    expect(start?.input).toMatchObject({ kind: 'sale', amount: 300, currency: 'EUR' });
  });

  it('shows a declined card and lets the cashier take another tender', async () => {
    const t = await till();
    t.main.terminal = (input) => paymentStatus(input, 'declined', 'Insufficient funds');
    await ringUp(t);
    await t.runtime.tender.card();
    expect(state(t).payment?.phase).toBe('declined');
    expect(state(t).notice?.message).toEqual({
      key: 'tender:errors.declined',
      params: { detail: 'Insufficient funds' },
    });
    expect(state(t).sale?.tenders).toEqual([]);
    await t.runtime.tender.cash(390);
    expect(state(t).completion?.record.tenders.map((x) => x.type)).toEqual(['cash']);
  });

  it('waits for a pending payment and completes when the terminal approves it', async () => {
    const t = await till();
    pendingTerminal(t.main);
    await ringUp(t);
    await t.runtime.tender.card();
    const paymentId = state(t).payment?.paymentId ?? '';
    expect(state(t).payment?.phase).toBe('pending');
    t.main.emit('hardware.paymentUpdated', paymentStatus({ paymentId, amount: 390 }, 'approved'));
    await eventually(() => state(t).completion !== null);
    expect(state(t).completion?.record.tenders.map((x) => [x.type, x.amount])).toEqual([['card', 390]]);
    expect(state(t).completion?.cashTaken).toBe(false);
    expect(t.main.drawerOpens).toBe(0);
  });

  it('never takes another payment while one is unresolved, and records the approval once', async () => {
    const t = await till();
    t.main.terminal = (input) => paymentStatus(input, 'unresolved', 'Asking the terminal how it ended');
    await ringUp(t);
    await t.runtime.tender.card();
    const paymentId = state(t).payment?.paymentId ?? '';
    expect(state(t).payment?.phase).toBe('unresolved');

    await t.runtime.tender.cash(390);
    await t.runtime.tender.card();
    expect(state(t).sale?.tenders).toEqual([]);
    expect(state(t).notice?.message.key).toBe('tender:notices.paymentInProgress');
    expect(t.main.calls.filter((c) => c.command === 'hardware.startPayment')).toHaveLength(1);

    // The poll and the event both report the approval: one tender, one sale.
    const approved = paymentStatus({ paymentId, amount: 390 }, 'approved');
    t.main.payments.set(paymentId, approved);
    t.main.emit('hardware.paymentUpdated', approved);
    await eventually(() => state(t).completion !== null);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(state(t).completion?.record.tenders).toHaveLength(1);
    expect(t.main.journal).toHaveLength(1);
  });

  it('cancels a pending payment on the terminal', async () => {
    const t = await till();
    pendingTerminal(t.main);
    await ringUp(t);
    await t.runtime.tender.card();
    await t.runtime.tender.cancelCard();
    expect(state(t).payment?.phase).toBe('cancelled');
    expect(state(t).sale?.tenders).toEqual([]);
  });

  it('refuses a card amount larger than what is due', async () => {
    const t = await till();
    await ringUp(t);
    await t.runtime.tender.card(500);
    expect(state(t).notice?.message.key).toBe('tender:errors.cardAmount');
    expect(t.main.calls.some((c) => c.command === 'hardware.startPayment')).toBe(false);
  });

  it('asks the terminal about a payment left pending by a crash, instead of charging again', async () => {
    const t = await till();
    pendingTerminal(t.main);
    await ringUp(t);
    await t.runtime.tender.card();
    const paymentId = state(t).payment?.paymentId ?? '';
    await t.runtime.carts.idle();
    t.runtime.close();
    t.main.payments.set(paymentId, paymentStatus({ paymentId, amount: 390 }, 'approved'));

    const restarted = await till({ db: t.db, main: t.main });
    await restarted.runtime.resumeOpenSale();
    await eventually(() => restarted.runtime.saleStore.getState().completion !== null);
    expect(t.main.calls.filter((c) => c.command === 'hardware.startPayment')).toHaveLength(1);
    expect(restarted.runtime.saleStore.getState().completion?.record.tenders.map((x) => x.type)).toEqual([
      'card',
    ]);
  });
});

describe('gift card and store credit', () => {
  /** A till whose account tenders are held by an in-memory head office. */
  async function heldTill(holds: FakeAccountHolds): Promise<TestTill> {
    const t = await till({ runtime: { holds } });
    await ringUp(t);
    return t;
  }

  it('says the balance cannot be checked when the till has no connection to head office', async () => {
    const t = await till();
    await ringUp(t);
    expect(await t.runtime.tender.account('gift_card', 'GC-1234-5678', 100)).toBe(false);
    expect(state(t).notice?.message.key).toBe('tender:errors.balanceUnavailable');
    expect(t.runtime.tender.due()).toMatchObject({ paid: 0, remaining: 390 });
  });

  it('takes a gift card up to what head office holds for it, refusing more and naming what is left', async () => {
    const holds = new FakeAccountHolds().setAccount('gift_card', 'GC-1234-5678', 250);
    const t = await heldTill(holds);
    expect(await t.runtime.tender.account('gift_card', 'GC-1234-5678', 300)).toBe(false);
    expect(state(t).notice?.message).toMatchObject(holdRefusedNaming('gift_card', '2.50'));
    expect(t.runtime.tender.due()).toMatchObject({ paid: 0, remaining: 390 });
    expect(holds.holds.size).toBe(0);
    // Part of what is due from the card, the rest in cash.
    expect(await t.runtime.tender.account('gift_card', ' GC-1234-5678 ', 250)).toBe(true);
    expect(holds.available('gift_card', 'GC-1234-5678')).toBe(0);
    await t.runtime.tender.cash(140);
    const record = state(t).completion?.record;
    expect(record?.tenders.map((x) => [x.type, x.amount])).toEqual([
      ['gift_card', 250],
      ['cash', 140],
    ]);
    expect(record?.tenders[0]).toMatchObject({ reference: 'GC-1234-5678' });
    // The hold is the tender's: completing keeps it for the push to capture.
    expect(holds.holds.get(record?.tenders[0]?.tenderId ?? '')).toMatchObject({
      amount: 250,
      saleId: record?.saleId,
      released: false,
    });
  });

  it('refuses an account head office does not know, naming nothing left on it', async () => {
    const t = await heldTill(new FakeAccountHolds());
    expect(await t.runtime.tender.account('store_credit', 'C404', 100)).toBe(false);
    expect(state(t).notice?.message).toMatchObject(holdRefusedNaming('store_credit', '0.00'));
  });

  it('asks nothing to be held for a tender the sale refuses anyway', async () => {
    const holds = new FakeAccountHolds().setAccount('gift_card', 'GC-1', 5000);
    const t = await heldTill(holds);
    // More than the 3.90 due, and no reference at all.
    expect(await t.runtime.tender.account('gift_card', 'GC-1', 500)).toBe(false);
    expect(state(t).notice?.message.key).toBe('sale:errors.tender_exceeds_due');
    expect(await t.runtime.tender.account('gift_card', '  ', 100)).toBe(false);
    expect(state(t).notice?.message.key).toBe('sale:errors.invalid_tender');
    expect(holds.placeCalls).toBe(0);
  });

  it('refuses while head office cannot be reached, and takes the card once it can', async () => {
    const holds = new FakeAccountHolds().setAccount('store_credit', 'C1', 1000);
    const t = await heldTill(holds);
    holds.offline = true;
    expect(await t.runtime.tender.account('store_credit', 'C1', 390)).toBe(false);
    expect(state(t).notice?.message.key).toBe('tender:errors.balanceUnavailable');
    expect(t.runtime.tender.due()).toMatchObject({ paid: 0 });
    holds.offline = false;
    expect(await t.runtime.tender.account('store_credit', 'C1', 390)).toBe(true);
    expect(state(t).completion?.record.tenders.map((x) => [x.type, x.amount])).toEqual([
      ['store_credit', 390],
    ]);
    expect(holds.holds.size).toBe(1);
    expect(holds.available('store_credit', 'C1')).toBe(610);
  });

  it('gives a hold back when its tender is taken off, and one whose answer was lost when the sale is voided', async () => {
    const holds = new FakeAccountHolds().setAccount('gift_card', 'GC-1', 1000);
    const t = await heldTill(holds);
    expect(await t.runtime.tender.account('gift_card', 'GC-1', 100)).toBe(true);
    const taken = state(t).sale?.tenders[0]?.tenderId ?? '';
    await t.runtime.tender.remove(taken);
    expect(holds.holds.get(taken)?.released).toBe(true);
    expect(holds.available('gift_card', 'GC-1')).toBe(1000);
    // Head office holds 2.00 but its answer is lost: the till takes nothing, and the void gives it back.
    holds.loseAnswers = 1;
    expect(await t.runtime.tender.account('gift_card', 'GC-1', 200)).toBe(false);
    expect(holds.available('gift_card', 'GC-1')).toBe(800);
    expect(await t.runtime.sale.voidSale()).toBe(true);
    expect(holds.available('gift_card', 'GC-1')).toBe(1000);
    expect([...holds.holds.values()].every((h) => h.released)).toBe(true);
  });
});
