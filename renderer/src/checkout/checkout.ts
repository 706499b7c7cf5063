/**
 * The sale path (architecture.md), in exactly this order:
 *   1. the SaleRecord is built by the domain (`complete`: balanced, immutable);
 *   2. `journal.append` in main: fsync'd before it answers; from here on the sale exists;
 *   3. the event goes into the RxDB `events` outbox (idempotent by event id), replication pushes it;
 *   4. only then the receipt prints (job id = sale id, so a retry never prints twice), the drawer
 *      opens when cash was taken, and the customer display shows the result.
 * Nothing after step 2 can undo the sale: a printer out of paper, a drawer that does not answer or
 * an outbox write that fails are reported and retried, never turned into a lost or second sale.
 *
 * Retrying a checkout whose journal answer was lost re-sends the same event id and payload, which
 * the journal answers with the existing entry; the pending event is also kept in a local document
 * so that a till killed between the append and the cart's removal finishes the same sale on restart
 * instead of ringing it again.
 */
import { buildReceipt, complete } from '@pos/app';
import type {
  OutboxEvent,
  ReceiptModel,
  ReceiptStoreInfo,
  Sale,
  SaleEnvironment,
  SaleRecord,
} from '@pos/app';
import type { CommandInput, PrintJobStatus } from '@pos/app/contracts/desktop-bridge';
import {
  isRecord,
  LOCAL_PENDING_CHECKOUT,
  LOCAL_PENDING_PAYMENT,
  readLocal,
  writeLocal,
} from '../app/local-state.ts';
import type { TillDatabase } from '../db/index.ts';
import type { Desktop } from '../platform/desktop.ts';
import type { CartStore } from '../sale/cart-store.ts';
import { findSaleEvent, insertMissing, journalPayload, numbered, saleCompletedEvent } from './outbox.ts';
import type { PendingEvent } from './outbox.ts';
import type { ReceiptNumbers } from './receipt-number.ts';

export interface CheckoutDeps {
  readonly db: TillDatabase;
  readonly desktop: Desktop;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly receiptNumbers: ReceiptNumbers;
  readonly carts: CartStore;
  /** Settles once the outbox was refilled from the journal at start (or that failed). */
  readonly outboxRestored: Promise<unknown>;
  /** Retry delays for an outbox write that failed after the journal append. */
  readonly outboxRetryMs?: readonly number[];
}

/** A pending checkout: the event as it was (or will be) journaled, and its record. */
interface PendingCheckout {
  readonly saleId: string;
  readonly event: PendingEvent;
  readonly record: SaleRecord;
}

function isPendingCheckout(value: unknown): value is PendingCheckout {
  if (!isRecord(value) || typeof value.saleId !== 'string') return false;
  const { event, record } = value;
  return (
    isRecord(event) &&
    event.type === 'sale.completed' &&
    typeof event.eventId === 'string' &&
    isRecord(record) &&
    record.saleId === value.saleId
  );
}

export interface DurableSale {
  readonly record: SaleRecord;
  readonly event: OutboxEvent;
  /** False when the outbox write failed; it is retried in the background and restored at next start. */
  readonly inOutbox: boolean;
}

export type PrintOutcome =
  | { readonly state: PrintJobStatus['state']; readonly detail: string; readonly jobId: string }
  | { readonly state: 'unavailable'; readonly detail: string; readonly jobId: string };

type JournalAppendInput = CommandInput<'journal.append'>;

const DEFAULT_OUTBOX_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

export class Checkout {
  private readonly pending = new Map<string, PendingCheckout>();
  /** Removing the last completed sale's pending records and cart; never rejects. */
  private cleaning: Promise<void> = Promise.resolve();
  private readonly retrying = new Set<string>();
  private closed = false;

  constructor(private readonly deps: CheckoutDeps) {}

  /**
   * Steps 1–3. Throws a DomainError when the tenders do not cover the sale (nothing was written), or
   * the journal's refusal (PosCommandError): then the sale is not complete and may be retried as is.
   */
  async complete(sale: Sale, env: SaleEnvironment): Promise<DurableSale> {
    await this.deps.outboxRestored.catch(() => undefined);
    // The previous sale's local leftovers go first (their writes must not land after this sale's).
    await this.cleaning;
    const pending = this.pending.get(sale.saleId) ?? (await this.storedPending(sale.saleId));
    const checkout = pending ?? (await this.prepare(sale, env));
    const { event, record } = checkout;

    const entry = await this.deps.desktop.call('journal.append', {
      eventId: event.eventId,
      type: event.type,
      // An interface has no index signature, so it is not the contract's JSON type; it is plain JSON.
      payload: journalPayload(event) as unknown as JournalAppendInput['payload'],
    });
    this.deps.receiptNumbers.observe(entry.sequence);

    const outboxEvent = numbered(event, entry.sequence);
    const inOutbox = await this.saveToOutbox(outboxEvent);
    this.pending.delete(sale.saleId);
    // Durable now (journal and outbox): the cashier sees it without waiting for the tidying up.
    this.cleaning = this.cleanUp(sale.saleId);
    return { record, event: outboxEvent, inOutbox };
  }

  private async prepare(sale: Sale, env: SaleEnvironment): Promise<PendingCheckout> {
    const receiptNumber = await this.deps.receiptNumbers.next();
    const { record } = complete(sale, env, {
      completedAt: this.deps.now().toISOString(),
      receiptNumber,
    });
    const event = saleCompletedEvent({
      eventId: this.deps.newId(),
      storeId: this.deps.storeId,
      deviceId: this.deps.deviceId,
      record,
    });
    const checkout: PendingCheckout = { saleId: sale.saleId, event, record };
    this.pending.set(sale.saleId, checkout);
    // Best effort: the journal is the durable copy; this only lets a restart reuse the same event id.
    await writeLocal(this.deps.db, LOCAL_PENDING_CHECKOUT, checkout).catch(() => undefined);
    return checkout;
  }

  private async storedPending(saleId: string): Promise<PendingCheckout | undefined> {
    const stored = await readLocal(this.deps.db, LOCAL_PENDING_CHECKOUT, isPendingCheckout).catch(() => null);
    return stored !== null && stored.saleId === saleId ? stored : undefined;
  }

  /** Settles once the last completed sale's pending records and cart are removed. */
  idle(): Promise<void> {
    return this.cleaning;
  }

  private async cleanUp(saleId: string): Promise<void> {
    try {
      await writeLocal(this.deps.db, LOCAL_PENDING_CHECKOUT, null);
      await writeLocal(this.deps.db, LOCAL_PENDING_PAYMENT, null);
      await this.deps.carts.remove(saleId);
    } catch {
      // The sale is durable; a stale cart is recognised at the next start (completedSaleFor).
    }
  }

  private async saveToOutbox(event: OutboxEvent): Promise<boolean> {
    try {
      await insertMissing(this.deps.db, [event]);
      return true;
    } catch {
      this.retryOutbox(event, 0);
      return false;
    }
  }

  private retryOutbox(event: OutboxEvent, attempt: number): void {
    if (this.closed) return;
    const delays = this.deps.outboxRetryMs ?? DEFAULT_OUTBOX_RETRY_MS;
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 60_000;
    this.retrying.add(event.eventId);
    setTimeout(() => {
      insertMissing(this.deps.db, [event]).then(
        () => this.retrying.delete(event.eventId),
        () => {
          this.retryOutbox(event, attempt + 1);
        },
      );
    }, delay);
  }

  /** Event ids whose outbox write is still being retried. */
  get outboxRetries(): number {
    return this.retrying.size;
  }

  /**
   * The completed sale a resumed cart already became (the till was killed after the journal append):
   * from the pending-checkout document, else from the outbox after it was restored from the journal.
   * Resolves null when the sale was never completed.
   */
  async completedSaleFor(saleId: string): Promise<DurableSale | null> {
    await this.deps.outboxRestored.catch(() => undefined);
    const pending = await this.storedPending(saleId);
    if (pending !== undefined) {
      // Finish it with the same event id: the journal returns the existing entry if it has it.
      const entry = await this.deps.desktop.call('journal.append', {
        eventId: pending.event.eventId,
        type: pending.event.type,
        payload: journalPayload(pending.event) as unknown as JournalAppendInput['payload'],
      });
      const event = numbered(pending.event, entry.sequence);
      const inOutbox = await this.saveToOutbox(event);
      await this.cleanUp(saleId);
      return { record: pending.record, event, inOutbox };
    }
    const event = await findSaleEvent(this.deps.db, saleId);
    if (event?.type !== 'sale.completed') return null;
    await this.cleanUp(saleId);
    return { record: event.payload, event, inOutbox: true };
  }

  /** Step 4: the receipt, through the durable print queue. Never throws. */
  async print(receipt: ReceiptModel, jobId: string): Promise<PrintOutcome> {
    const result = await this.deps.desktop
      .tryCall('hardware.printReceipt', { jobId, receipt, copy: receipt.copy })
      .catch((error: unknown) => ({
        ok: false as const,
        error: {
          code: 'unavailable' as const,
          message: error instanceof Error ? error.message : String(error),
        },
      }));
    if (result.ok) return { state: result.value.state, detail: result.value.detail, jobId };
    return { state: 'unavailable', detail: result.error.message, jobId };
  }

  /** Step 4: the drawer. Resolves with the refusal's text, or null when it opened. Never throws. */
  async openDrawer(): Promise<string | null> {
    try {
      const result = await this.deps.desktop.tryCall('hardware.openDrawer', {});
      return result.ok ? null : result.error.message;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  close(): void {
    this.closed = true;
  }
}

/** The receipt of a record, for printing or the screen. */
export function receiptFor(
  record: SaleRecord,
  store: ReceiptStoreInfo,
  options: { readonly copy: boolean; readonly cashierName?: string; readonly reprintedAt?: string },
): ReceiptModel {
  return buildReceipt(record, store, {
    copy: options.copy,
    ...(options.cashierName === undefined || options.cashierName === ''
      ? {}
      : { cashierName: options.cashierName }),
    ...(options.reprintedAt === undefined ? {} : { reprintedAt: options.reprintedAt }),
  });
}
