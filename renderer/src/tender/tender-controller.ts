/**
 * Taking payment: cash (quick amounts, change, cash rounding), card through the semi-integrated
 * terminal, gift card and store credit, split across as many as needed. The domain (`tender.ts`)
 * decides what a tender may be and what is still due; this controller drives the terminal and hands
 * the settled sale to the checkout.
 *
 * Card payments are crash-recoverable: the payment id is saved (a local document) before the terminal
 * is asked, so after a restart the till asks the terminal how that payment ended instead of charging
 * again. `unresolved` means the terminal's answer was lost and is being recovered: the sale is not
 * paid, and no new card payment can start until it resolves (Adyen retry double charges: odoo
 * PR#75246). The approved payment's id is the tender id, so the same approval arriving twice (the
 * command's answer and the event) is recorded once.
 */
import { addTender, amountDue, cancelTender, recordReversal, removeTender, startTender } from '@pos/app';
import type { AmountDue, CardTender, Sale } from '@pos/app';
import type { PaymentStatus } from '@pos/app/contracts/desktop-bridge';
import { isRecord, LOCAL_PENDING_PAYMENT, readLocal, writeLocal } from '../app/local-state.ts';
import { formatMoney } from '../i18n/format.ts';
import type { TillServices } from '../app/till-context.ts';
import { msg } from '../sale/messages.ts';
import type { SaleController } from '../sale/sale-controller.ts';
import { paymentInFlight } from '../sale/sale-store.ts';
import type { CardPayment, SaleState, SaleStore } from '../sale/sale-store.ts';
import type { StoreConfig } from '../sale/store-config.ts';
import type { AccountHolds } from './account-holds.ts';

/** Saved before the terminal is asked; cleared once the payment is final. */
export interface PendingPayment {
  readonly saleId: string;
  readonly paymentId: string;
  readonly kind: 'sale' | 'refund';
  readonly amount: number;
  /** For a refund: the card tender being reversed. */
  readonly tenderId?: string;
}

function isPendingPayment(value: unknown): value is PendingPayment {
  return (
    isRecord(value) &&
    typeof value.saleId === 'string' &&
    typeof value.paymentId === 'string' &&
    (value.kind === 'sale' || value.kind === 'refund') &&
    typeof value.amount === 'number' &&
    (value.tenderId === undefined || typeof value.tenderId === 'string')
  );
}

export interface TenderControllerDeps {
  readonly services: TillServices;
  readonly store: SaleStore;
  readonly sale: SaleController;
  readonly config: () => StoreConfig;
  /** Called once the tenders cover the sale; the checkout completes it. */
  readonly onSettled: () => Promise<void>;
  /**
   * Head office's holds: every gift-card and store-credit tender is authorised by a hold for its amount.
   * Without them (a till not connected to head office) those tenders are refused: a balance the till
   * could only read might be spent by another till at the same moment.
   */
  readonly holds?: AccountHolds;
  /** How often to ask the terminal while a payment is pending or unresolved. */
  readonly pollMs?: number;
}

const FINAL_STATES: ReadonlySet<PaymentStatus['state']> = new Set([
  'approved',
  'declined',
  'cancelled',
  'failed',
]);

/** A hold this till asked head office for, on the sale on the counter. */
interface OutstandingHold {
  readonly saleId: string;
  readonly type: 'gift_card' | 'store_credit';
  readonly reference: string;
  readonly amount: number;
  /** False while its answer is unknown (lost, timed out): it may exist on the server. */
  readonly confirmed: boolean;
}

export class TenderController {
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private readonly unsubscribe: () => void;
  private readonly unwatchSale: () => void;
  /**
   * Holds placed (or perhaps placed) for the sale on the counter, by hold id. A confirmed hold's id is
   * its tender's id, so it stays with the tender (and the sale's journal record) and can be released
   * by tender id even after a restart. Dropped when its sale completes (the push captures it),
   * released when its tender is taken off or the sale goes without completing.
   */
  private readonly outstanding = new Map<string, OutstandingHold>();

  constructor(private readonly deps: TenderControllerDeps) {
    this.unsubscribe = deps.services.desktop.on('hardware.paymentUpdated', (status) => {
      void this.onStatus(status);
    });
    this.unwatchSale = deps.store.subscribe((state) => {
      this.settleHolds(state.sale);
    });
  }

  private get state(): SaleState {
    return this.deps.store.getState();
  }

  private setPayment(payment: CardPayment | null): void {
    this.deps.store.setState({ payment });
  }

  /** What is paid and due now, or null outside tendering. */
  due(): AmountDue | null {
    const { sale } = this.state;
    if (sale?.state !== 'tendering') return null;
    return amountDue(sale, this.deps.sale.env());
  }

  private tendering(): Sale | null {
    const { sale } = this.state;
    if (sale?.state !== 'tendering') return null;
    if (paymentInFlight(this.state.payment)) {
      this.deps.sale.say('warning', msg('tender:notices.paymentInProgress'));
      return null;
    }
    if (this.state.completing) return null;
    return sale;
  }

  /** Freezes the totals and shows the payment panel. */
  start(): Promise<boolean> {
    return this.deps.sale.run(() => {
      const { sale, pricingProblem } = this.state;
      if (sale?.state === 'tendering') return true;
      if (sale?.state !== 'open' || sale.lines.length === 0) {
        this.deps.sale.say('warning', msg('sale:errors.empty_sale'));
        return false;
      }
      if (pricingProblem !== null) {
        this.deps.sale.say('error', pricingProblem);
        return false;
      }
      try {
        this.deps.sale.commit(startTender(sale, this.deps.sale.env()), { notice: null });
        return true;
      } catch (error) {
        this.deps.sale.sayError(error);
        return false;
      }
    });
  }

  /** Back to the items (only while nothing has been paid). */
  back(): Promise<boolean> {
    return this.deps.sale.run(() => {
      const sale = this.tendering();
      if (sale === null) return false;
      try {
        this.deps.sale.commit(cancelTender(sale), { notice: null });
        return true;
      } catch (error) {
        this.deps.sale.sayError(error);
        return false;
      }
    });
  }

  private async afterTender(next: Sale): Promise<void> {
    this.deps.sale.commit(next, { notice: null });
    const due = amountDue(next, this.deps.sale.env());
    if (due.remaining === 0) await this.deps.onSettled();
  }

  /** Cash handed over (minor units). More than due gives change. */
  cash(received: number): Promise<void> {
    return this.deps.sale.run(async () => {
      const sale = this.tendering();
      if (sale === null) return;
      try {
        const next = addTender(sale, this.deps.sale.env(), {
          type: 'cash',
          tenderId: this.deps.services.newId(),
          received,
        });
        await this.afterTender(next);
      } catch (error) {
        this.deps.sale.sayError(error);
      }
    });
  }

  /** Gift card or store credit: head office holds the amount for this sale first. */
  account(type: 'gift_card' | 'store_credit', reference: string, amount: number): Promise<boolean> {
    return this.deps.sale.run(async () => {
      const sale = this.tendering();
      if (sale === null) return false;
      const holds = this.deps.holds;
      if (holds === undefined) {
        this.deps.sale.say('error', msg('tender:errors.balanceUnavailable'));
        return false;
      }
      return this.heldAccount(holds, sale, type, reference.trim(), amount);
    });
  }

  private async heldAccount(
    holds: AccountHolds,
    sale: Sale,
    type: 'gift_card' | 'store_credit',
    reference: string,
    amount: number,
  ): Promise<boolean> {
    const env = this.deps.sale.env();
    const tender = (tenderId: string, availableBalance: number) =>
      addTender(sale, env, { type, tenderId, amount, reference, availableBalance });
    try {
      // What the domain refuses anyway (no reference, a swiped bank card, more than is due) is said
      // without asking head office to hold anything.
      tender('check', amount);
    } catch (error) {
      this.deps.sale.sayError(error);
      return false;
    }
    // The same payment tried again after an answer that never came: the same hold id, so head office
    // answers what it did (or holds it now) instead of holding the amount twice.
    const retry = [...this.outstanding].find(
      ([, h]) =>
        !h.confirmed &&
        h.saleId === sale.saleId &&
        h.type === type &&
        h.reference === reference &&
        h.amount === amount,
    );
    const holdId = retry?.[0] ?? this.deps.services.newId();
    // Noted before asking: a sale abandoned while the answer is lost still releases it.
    this.outstanding.set(holdId, { saleId: sale.saleId, type, reference, amount, confirmed: false });
    const result = await holds.place(type, reference, { holdId, saleId: sale.saleId, amount });
    if (result.kind === 'unavailable') {
      this.deps.sale.say('error', msg('tender:errors.balanceUnavailable'));
      return false;
    }
    if (result.kind === 'refused') {
      this.outstanding.delete(holdId);
      const { currency, locale } = this.deps.config();
      this.deps.sale.say(
        'error',
        msg(`tender:errors.holdRefused.${type}`, {
          available: formatMoney(Math.max(result.available, 0), currency, locale),
        }),
      );
      return false;
    }
    this.outstanding.set(holdId, { saleId: sale.saleId, type, reference, amount, confirmed: true });
    try {
      // The hold id is the tender id: the hold stays with the tender it pays.
      await this.afterTender(tender(holdId, amount));
      return true;
    } catch (error) {
      this.releaseHold(holdId);
      this.deps.sale.sayError(error);
      return false;
    }
  }

  /** Gives a hold back, without waiting: a release that fails is left to expire on the server. */
  private releaseHold(holdId: string): void {
    this.outstanding.delete(holdId);
    void this.deps.holds?.release(holdId);
  }

  /**
   * Follows the sale on the counter: once it completes, its tenders' holds are the push's to capture
   * (and any other hold of it, whose answer was lost or whose tender went, is released); when it is
   * voided, or gone from the counter without completing, every hold of it is released.
   */
  private settleHolds(current: Sale | null): void {
    for (const [holdId, hold] of [...this.outstanding]) {
      if (current?.saleId === hold.saleId) {
        if (current.state === 'completed') {
          if (current.tenders.some((t) => t.tenderId === holdId)) this.outstanding.delete(holdId);
          else this.releaseHold(holdId);
        } else if (current.state === 'voided') this.releaseHold(holdId);
        continue;
      }
      this.releaseHold(holdId);
    }
  }

  /** Takes a payment off; a card payment is reversed on the terminal first. */
  async remove(tenderId: string): Promise<void> {
    const reversal = await this.deps.sale.run((): PendingPayment | null => {
      const sale = this.tendering();
      if (sale === null) return null;
      try {
        const result = removeTender(sale, tenderId);
        if (result.outcome === 'removed') {
          this.deps.sale.commit(result.sale, { notice: null });
          const removed = sale.tenders.find((t) => t.tenderId === tenderId);
          // Its hold (the tender id is the hold id) goes back, known here or from before a restart.
          if (removed?.type === 'gift_card' || removed?.type === 'store_credit') this.releaseHold(tenderId);
          return null;
        }
        return this.refundOf(sale, result.tender);
      } catch (error) {
        this.deps.sale.sayError(error);
        return null;
      }
    });
    // The terminal is driven outside the operation queue: its answer is applied through the queue.
    if (reversal !== null) await this.startPayment(reversal);
  }

  // ------------------------------------------------------------------------------------------
  // Card

  /** Starts a card payment for `amount` (default: all that is still due). */
  async card(amount?: number): Promise<void> {
    const payment = await this.deps.sale.run((): PendingPayment | null => {
      const sale = this.tendering();
      if (sale === null) return null;
      const due = amountDue(sale, this.deps.sale.env());
      const charge = amount ?? due.remaining;
      if (charge <= 0 || charge > due.remaining) {
        this.deps.sale.say('error', msg('tender:errors.cardAmount'));
        return null;
      }
      const pending: PendingPayment = {
        saleId: sale.saleId,
        paymentId: this.deps.services.newId(),
        kind: 'sale',
        amount: charge,
      };
      // Claimed at once so a second tap cannot start a second payment.
      this.claim(pending);
      return pending;
    });
    if (payment !== null) await this.startPayment(payment);
  }

  private refundOf(sale: Sale, tender: CardTender): PendingPayment {
    const pending: PendingPayment = {
      saleId: sale.saleId,
      paymentId: this.deps.services.newId(),
      kind: 'refund',
      amount: tender.amount,
      tenderId: tender.tenderId,
    };
    this.claim(pending);
    return pending;
  }

  private claim(pending: PendingPayment): void {
    this.pendingPayment = pending;
    this.setPayment({
      paymentId: pending.paymentId,
      kind: pending.kind,
      amount: pending.amount,
      phase: 'starting',
      message: '',
    });
  }

  private async startPayment(pending: PendingPayment): Promise<void> {
    const { services } = this.deps;
    // Saved first: a crash from here on is recovered by asking the terminal about this id.
    try {
      await writeLocal(services.db, LOCAL_PENDING_PAYMENT, pending);
    } catch (error) {
      await this.finish(pending, { phase: 'failed', message: error instanceof Error ? error.message : '' });
      return;
    }
    const result = await services.desktop
      .tryCall('hardware.startPayment', {
        paymentId: pending.paymentId,
        kind: pending.kind,
        amount: pending.amount,
        currency: this.deps.config().currency,
      })
      .catch((error: unknown) => ({
        ok: false as const,
        error: { code: 'internal' as const, message: error instanceof Error ? error.message : String(error) },
      }));
    if (!result.ok) {
      if (result.error.code === 'unavailable' || result.error.code === 'device_busy') {
        // The terminal never took the payment: nothing to recover.
        await this.finish(pending, {
          phase: 'failed',
          message: result.error.message,
        });
        return;
      }
      // Anything else: the request may have reached the terminal. Ask it, never assume.
      this.setPayment({
        ...this.currentPayment(pending),
        phase: 'unresolved',
        message: result.error.message,
      });
      this.startPolling();
      return;
    }
    await this.onStatus(result.value);
  }

  /** The pending payment this till is waiting for (in memory; the local document survives restarts). */
  private pendingPayment: PendingPayment | null = null;

  private currentPayment(pending: PendingPayment): CardPayment {
    return (
      this.state.payment ?? {
        paymentId: pending.paymentId,
        kind: pending.kind,
        amount: pending.amount,
        phase: 'pending',
        message: '',
      }
    );
  }

  /** A status from the terminal (command answer, event or poll). */
  private async onStatus(status: PaymentStatus): Promise<void> {
    const pending = this.pendingPayment;
    if (pending?.paymentId !== status.paymentId) return;
    if (!FINAL_STATES.has(status.state)) {
      this.setPayment({
        ...this.currentPayment(pending),
        phase: status.state,
        message: status.message,
      });
      this.startPolling();
      return;
    }
    if (status.state !== 'approved') {
      await this.finish(pending, { phase: status.state, message: status.message });
      return;
    }
    await this.deps.sale.run(async () => {
      if (this.pendingPayment?.paymentId !== status.paymentId) return;
      const sale = this.state.sale;
      if (sale?.state !== 'tendering' || sale.saleId !== pending.saleId) {
        await this.finish(pending, { phase: 'approved', message: status.message });
        return;
      }
      try {
        if (pending.kind === 'refund') {
          const next = recordReversal(sale, pending.tenderId ?? '', {
            approved: true,
            reference: status.reference ?? status.paymentId,
          });
          this.deps.sale.commit(next, { notice: null });
          await this.finish(pending, null);
          return;
        }
        // The tender id is the payment id: a second "approved" for it changes nothing.
        if (sale.tenders.some((t) => t.tenderId === status.paymentId)) {
          await this.finish(pending, null);
          return;
        }
        const next = addTender(sale, this.deps.sale.env(), {
          type: 'card',
          tenderId: status.paymentId,
          amount: status.amount,
          terminal: {
            approved: true,
            reference: status.reference ?? status.paymentId,
            ...(status.authCode === null ? {} : { approvalCode: status.authCode }),
            ...(status.cardBrand === null ? {} : { brand: status.cardBrand }),
            ...(status.cardLast4 === null ? {} : { last4: status.cardLast4 }),
          },
        });
        this.deps.sale.commit(next, { notice: null });
        await this.finish(pending, null);
        if (amountDue(next, this.deps.sale.env()).remaining === 0) await this.deps.onSettled();
      } catch (error) {
        // Charged but not recordable (e.g. more than due): keep it visible, never drop it silently.
        this.setPayment({ ...this.currentPayment(pending), phase: 'failed', message: '' });
        this.deps.sale.sayError(error);
      }
    });
  }

  private async finish(
    pending: PendingPayment,
    outcome: Pick<CardPayment, 'phase' | 'message'> | null,
  ): Promise<void> {
    this.stopPolling();
    this.pendingPayment = null;
    // The panel unlocks at once; the crash note is cleared after (a stale one is only asked about again).
    this.setPayment(
      outcome === null
        ? null
        : {
            paymentId: pending.paymentId,
            kind: pending.kind,
            amount: pending.amount,
            phase: outcome.phase,
            message: outcome.message,
          },
    );
    await writeLocal(this.deps.services.db, LOCAL_PENDING_PAYMENT, null).catch(() => undefined);
    if (outcome === null) return;
    if (outcome.phase === 'declined')
      this.deps.sale.say('error', msg('tender:errors.declined', { detail: outcome.message }));
    else if (outcome.phase === 'failed')
      this.deps.sale.say('error', msg('tender:errors.failed', { detail: outcome.message }));
    else if (outcome.phase === 'cancelled') this.deps.sale.say('info', msg('tender:notices.cancelled'));
  }

  /** Asks the terminal to stop the payment in progress; its answer decides what happened. */
  async cancelCard(): Promise<void> {
    const pending = this.pendingPayment;
    const payment = this.state.payment;
    if (pending === null || payment === null || payment.phase === 'unresolved') return;
    this.setPayment({ ...payment, phase: 'cancelling' });
    const result = await this.deps.services.desktop
      .tryCall('hardware.cancelPayment', { paymentId: pending.paymentId })
      .catch(() => null);
    if (result?.ok === true) await this.onStatus(result.value);
    else this.startPolling();
  }

  /** Asks the terminal how the payment stands (also done by the poll). */
  async check(): Promise<void> {
    const pending = this.pendingPayment;
    if (pending === null) return;
    const result = await this.deps.services.desktop
      .tryCall('hardware.paymentStatus', { paymentId: pending.paymentId })
      .catch(() => null);
    if (result?.ok === true) await this.onStatus(result.value);
  }

  /** Clears a declined, cancelled or failed payment from the panel. */
  dismissPayment(): void {
    if (!paymentInFlight(this.state.payment)) this.setPayment(null);
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined) return;
    this.pollTimer = setInterval(() => {
      void this.check();
    }, this.deps.pollMs ?? 2_000);
  }

  private stopPolling(): void {
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  /**
   * After a restart with a sale in tendering: a payment saved as pending is asked about, and applied
   * or dropped as the terminal says.
   */
  async recover(): Promise<void> {
    const pending = await readLocal(this.deps.services.db, LOCAL_PENDING_PAYMENT, isPendingPayment).catch(
      () => null,
    );
    const sale = this.state.sale;
    if (pending === null) return;
    if (sale?.saleId !== pending.saleId) {
      await writeLocal(this.deps.services.db, LOCAL_PENDING_PAYMENT, null).catch(() => undefined);
      return;
    }
    this.pendingPayment = pending;
    this.setPayment({
      paymentId: pending.paymentId,
      kind: pending.kind,
      amount: pending.amount,
      phase: 'unresolved',
      message: '',
    });
    await this.check();
    if (this.waiting()) this.startPolling();
  }

  private waiting(): boolean {
    return this.pendingPayment !== null;
  }

  close(): void {
    this.stopPolling();
    this.unsubscribe();
    this.unwatchSale();
  }
}
