/**
 * The transaction on the counter, as UI state (a Zustand vanilla store): the domain's `Sale` value,
 * its pricing, what is selected, what the till is telling or asking the cashier, a card payment in
 * progress, and the completed sale's outcome. Everything persisted lives in RxDB (the cart, the
 * outbox); totals are computed by `@pos/app` and only cached here for rendering. The controllers
 * (sale, tender, checkout) are the only writers.
 */
import type { PaymentStatus } from '@pos/app/contracts/desktop-bridge';
import type { PricedSale, Product, ReceiptModel, Sale, SaleRecord } from '@pos/app';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { PrintOutcome } from '../checkout/checkout.ts';
import type { Message, Notice } from './messages.ts';

/** A question the till needs answered before it goes on. */
export interface SalePrompt {
  readonly kind: 'age';
  readonly product: Product;
  readonly minimumAge: number;
  /** Resumes the add with the customer's age confirmed. */
  readonly confirm: () => void;
}

export type CardPaymentPhase = PaymentStatus['state'] | 'starting' | 'cancelling';

/** A payment on the terminal; only one at a time, and none while one is unresolved. */
export interface CardPayment {
  readonly paymentId: string;
  readonly kind: 'sale' | 'refund';
  readonly amount: number;
  readonly phase: CardPaymentPhase;
  /** The terminal's words (decline reason …), shown as is. */
  readonly message: string;
}

/** What happened after the sale became durable. */
export interface Completion {
  readonly record: SaleRecord;
  readonly receipt: ReceiptModel;
  readonly change: number;
  readonly cashTaken: boolean;
  /** Null while the first print is being queued; absent prints (0 copies configured) stay null. */
  readonly print: PrintOutcome | null;
  readonly printSkipped: boolean;
  /** The drawer's refusal, when it did not open. */
  readonly drawerProblem: string | null;
  /** False while the outbox write is being retried (the sale is safe in the journal). */
  readonly inOutbox: boolean;
}

export interface SaleState {
  readonly sale: Sale | null;
  /** Live pricing of an open sale, or the frozen figures once tendering started. */
  readonly priced: PricedSale | null;
  /** Why the open sale cannot be priced right now (a line without price or tax rate). */
  readonly pricingProblem: Message | null;
  readonly selectedLineId: string | null;
  /** A quantity typed before the scan ("3 ×"), thousandths; applies to the next item added. */
  readonly pendingQuantity: number | null;
  readonly notice: Notice | null;
  readonly prompt: SalePrompt | null;
  /** The line the last scan added to, for the highlight. */
  readonly lastAddedLineId: string | null;
  /** On hand at this store by product id (thousandths), for the lines and the search results. */
  readonly stock: ReadonlyMap<string, number>;
  /** A scan or lookup is being processed. */
  readonly busy: boolean;
  readonly payment: CardPayment | null;
  /** The journal append is under way: the pay buttons are locked. */
  readonly completing: boolean;
  readonly completion: Completion | null;
}

export const INITIAL_SALE_STATE: SaleState = {
  sale: null,
  priced: null,
  pricingProblem: null,
  selectedLineId: null,
  pendingQuantity: null,
  notice: null,
  prompt: null,
  lastAddedLineId: null,
  stock: new Map(),
  busy: false,
  payment: null,
  completing: false,
  completion: null,
};

export type SaleStore = StoreApi<SaleState>;

export function createSaleStore(initial: Partial<SaleState> = {}): SaleStore {
  return createStore<SaleState>()(() => ({ ...INITIAL_SALE_STATE, ...initial }));
}

/** A payment that is neither approved, declined nor cancelled yet blocks every other tender. */
export function paymentInFlight(payment: CardPayment | null): boolean {
  return (
    payment !== null &&
    (payment.phase === 'starting' ||
      payment.phase === 'pending' ||
      payment.phase === 'unresolved' ||
      payment.phase === 'cancelling')
  );
}

/** Which panel the right side of the screen shows. */
export type SaleMode = 'sale' | 'tender' | 'complete';

export function saleMode(state: SaleState): SaleMode {
  if (state.completion !== null) return 'complete';
  if (state.sale?.state === 'tendering') return 'tender';
  return 'sale';
}
