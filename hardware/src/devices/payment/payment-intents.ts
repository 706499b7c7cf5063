/**
 * The durable payment intents of one terminal. An intent is written and fsync'ed before the terminal
 * hears of the payment, and every change of state after that is written before anyone is told of it,
 * so whatever happens to the process, the next start knows every payment that may have reached the
 * terminal and how far it got.
 *
 * States (the contract's PaymentStatus states, plus `reversing`, shown as `unresolved`):
 *
 *   pending ──answer──► approved | declined | cancelled | failed
 *      │
 *      └─answer lost (timeout, dropped connection, crash)──► unresolved ──TransactionStatus──► (as above)
 *   an approval the till must not keep (cancelled by the cashier first, or only partly approved)
 *      ──► reversing ──ReversalResponse──► cancelled (reversed), or approved (the terminal refused)
 *
 * `approved` and `reversing` exclude each other: the decision between them is taken once, in memory
 * and synchronously (JavaScript runs it to completion), and written before it is acted on. Final
 * states never change again.
 *
 * The journal is JSON lines of whole intent snapshots (an intent is small), the last line of an
 * intent winning; at open it is compacted (temp file, fsync, rename, directory fsync), keeping every
 * unsettled intent and the most recent `retainSettled` settled ones, so a repeated start of an old
 * payment id is still recognised.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DurableJsonLines } from '../../device/durable-json-lines.ts';
import type { TransactionIdentification } from './nexo-messages.ts';

export type IntentState =
  'pending' | 'unresolved' | 'reversing' | 'approved' | 'declined' | 'cancelled' | 'failed';
export type SettledState = 'approved' | 'declined' | 'cancelled' | 'failed';
export type PaymentKind = 'sale' | 'refund';

const SETTLED: ReadonlySet<IntentState> = new Set<IntentState>([
  'approved',
  'declined',
  'cancelled',
  'failed',
]);

export function isSettled(state: IntentState): state is SettledState {
  return SETTLED.has(state);
}

export interface PaymentIntent {
  readonly paymentId: string;
  readonly kind: PaymentKind;
  /** Minor units. */
  readonly amount: number;
  readonly currency: string;
  readonly saleId: string;
  readonly poiId: string;
  /** SaleTransactionID: the sale reference the terminal echoes back. */
  readonly transaction: TransactionIdentification;
  /** ServiceID of the PaymentRequest, by which TransactionStatus finds it. */
  readonly serviceId: string;
  readonly state: IntentState;
  /** The cashier cancelled: an approval found afterwards is reversed, never kept. */
  readonly cancelRequested: boolean;
  /** The terminal's id of the transaction, once it answered; what a reversal names. */
  readonly poiTransaction?: TransactionIdentification;
  /** ServiceID of the ReversalRequest, written before it is sent. */
  readonly reversalServiceId?: string;
  readonly authCode?: string;
  readonly cardBrand?: string;
  readonly cardLast4?: string;
  /** The terminal's transaction reference (POITransactionID.TransactionID). */
  readonly reference?: string;
  /** For the cashier: why the payment is where it is. */
  readonly message: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type NewIntent = Omit<PaymentIntent, 'state' | 'cancelRequested' | 'createdAt' | 'updatedAt'>;

export type IntentChange = Partial<
  Pick<
    PaymentIntent,
    | 'state'
    | 'cancelRequested'
    | 'poiTransaction'
    | 'reversalServiceId'
    | 'authCode'
    | 'cardBrand'
    | 'cardLast4'
    | 'reference'
    | 'message'
  >
>;

/** What the till is told: the IPC contract's PaymentStatus, exactly. */
export interface PaymentStatusInfo {
  readonly paymentId: string;
  readonly state: 'pending' | 'approved' | 'declined' | 'cancelled' | 'failed' | 'unresolved';
  readonly amount: number;
  readonly currency: string;
  readonly authCode: string | null;
  readonly cardBrand: string | null;
  readonly cardLast4: string | null;
  readonly reference: string | null;
  readonly message: string;
}

export function paymentStatusOf(intent: PaymentIntent): PaymentStatusInfo {
  return {
    paymentId: intent.paymentId,
    state: intent.state === 'reversing' ? 'unresolved' : intent.state,
    amount: intent.amount,
    currency: intent.currency,
    authCode: intent.authCode ?? null,
    cardBrand: intent.cardBrand ?? null,
    cardLast4: intent.cardLast4 ?? null,
    reference: intent.reference ?? null,
    message: intent.message,
  };
}

export interface PaymentIntentStoreOptions {
  readonly dataDir: string;
  readonly fileName?: string;
  readonly clock?: () => Date;
  /** Settled intents kept at compaction (idempotency of repeated starts). */
  readonly retainSettled?: number;
}

const DEFAULT_RETAIN_SETTLED = 20_000;

interface JournalLine {
  readonly intent: PaymentIntent;
}

export class PaymentIntentStore {
  readonly #intents = new Map<string, PaymentIntent>();
  readonly #clock: () => Date;
  readonly #log: DurableJsonLines;
  #closed = false;

  private constructor(
    private readonly options: PaymentIntentStoreOptions,
    readonly path: string,
  ) {
    this.#clock = options.clock ?? (() => new Date());
    this.#log = new DurableJsonLines(path);
  }

  static async open(options: PaymentIntentStoreOptions): Promise<PaymentIntentStore> {
    await mkdir(options.dataDir, { recursive: true });
    const store = new PaymentIntentStore(
      options,
      join(options.dataDir, options.fileName ?? 'payment-intents.jsonl'),
    );
    await store.#load();
    return store;
  }

  get(paymentId: string): PaymentIntent | undefined {
    return this.#intents.get(paymentId);
  }

  /** Every intent, oldest first. */
  get intents(): PaymentIntent[] {
    return [...this.#intents.values()];
  }

  /** The intents whose outcome is not final yet, oldest first. */
  get unsettled(): PaymentIntent[] {
    return this.intents.filter((intent) => !isSettled(intent.state));
  }

  /**
   * Records a new intent as `pending`; resolves once it is on disk. The intent is visible (get) at
   * once, so a second start of the same id made meanwhile is recognised; it is forgotten again if
   * the write fails.
   */
  async create(input: NewIntent): Promise<PaymentIntent> {
    this.#requireOpen();
    if (this.#intents.has(input.paymentId)) {
      throw new RangeError(`payment intent '${input.paymentId}' exists already`);
    }
    const now = this.#now();
    const intent: PaymentIntent = {
      ...input,
      state: 'pending',
      cancelRequested: false,
      createdAt: now,
      updatedAt: now,
    };
    this.#intents.set(intent.paymentId, intent);
    try {
      await this.#append(intent);
    } catch (error) {
      if (this.#intents.get(intent.paymentId) === intent) this.#intents.delete(intent.paymentId);
      throw error;
    }
    return intent;
  }

  /**
   * Applies `change` in memory at once (synchronously, so a decision taken on the current state and
   * its recording cannot be split by another change) and resolves once it is on disk.
   */
  update(paymentId: string, change: IntentChange): Promise<PaymentIntent> {
    this.#requireOpen();
    const intent = this.#intents.get(paymentId);
    if (intent === undefined) throw new RangeError(`no payment intent '${paymentId}'`);
    if (isSettled(intent.state)) {
      throw new RangeError(`payment intent '${paymentId}' is settled (${intent.state}) and cannot change`);
    }
    const next: PaymentIntent = { ...intent, ...change, updatedAt: this.#now() };
    this.#intents.set(paymentId, next);
    return this.#append(next).then(() => next);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#log.close();
  }

  #requireOpen(): void {
    if (this.#closed) throw new RangeError('the payment intent store is closed');
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  #append(intent: PaymentIntent): Promise<void> {
    return this.#log.append([{ intent } satisfies JournalLine]);
  }

  async #load(): Promise<void> {
    for (const value of await this.#log.read()) {
      const intent = (value as Partial<JournalLine> | null)?.intent;
      if (typeof intent !== 'object' || typeof intent.paymentId !== 'string') continue;
      // Re-inserted so the map's order is the order of last change.
      this.#intents.delete(intent.paymentId);
      this.#intents.set(intent.paymentId, intent);
    }
    await this.#compact();
  }

  async #compact(): Promise<void> {
    const retain = this.options.retainSettled ?? DEFAULT_RETAIN_SETTLED;
    const settled = this.intents.filter((intent) => isSettled(intent.state));
    for (const intent of settled.slice(0, Math.max(0, settled.length - retain))) {
      this.#intents.delete(intent.paymentId);
    }
    await this.#log.rewrite(this.intents.map((intent) => ({ intent }) satisfies JournalLine));
  }
}
