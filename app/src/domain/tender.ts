/**
 * Paying for a sale: tenders, cash rounding, change, and completion into the immutable SaleRecord.
 *
 * Tenders are stored as what happened at the counter (cash handed over, an approved card amount,
 * an amount taken from a gift card) and the amounts applied are derived by walking them in order
 * against the frozen total. Removing a tender therefore never leaves stale change or rounding
 * behind. Cash rounding applies only when cash settles the sale (the last tender is cash): the
 * amount still due is rounded per the market's rule, and the difference is the record's
 * `cashRounding`. Card, gift-card and store-credit amounts are never rounded and never give change.
 */
import { DomainError } from './errors.ts';
import { currencyExponent, formatMoney, roundCash, roundToIncrement } from './money.ts';
import type { CashRoundingRule, Minor } from './money.ts';
import type { SaleRecord, TenderRecord } from './records.ts';
import {
  assertNoPayments,
  assertSaleRecordBalanced,
  assertSaleState,
  looksLikeCardNumber,
  looksLikeTrackData,
  priceSale,
} from './sale.ts';
import type { CardTender, PricedSale, Sale, SaleEnvironment, SaleTender } from './sale.ts';

// ---------------------------------------------------------------------------------------------
// Settlement

export interface SettledTender {
  readonly tender: SaleTender;
  /** Applied to the sale. */
  readonly amount: Minor;
  /** Cash handed back from this tender. */
  readonly change: Minor;
  /** Cash rounding taken by this tender (collected − due); non-zero only for a cash tender that settles. */
  readonly rounding: Minor;
}

export interface Settlement {
  readonly tenders: readonly SettledTender[];
  readonly total: Minor;
  /** Σ applied amounts. */
  readonly paid: Minor;
  /** Still due, before any cash rounding; 0 once settled. */
  readonly remaining: Minor;
  readonly cashRounding: Minor;
  readonly change: Minor;
}

/** Applies `tenders` in order to `total`. Pure; the amounts it derives are what the record holds. */
export function settleTenders(
  total: Minor,
  tenders: readonly SaleTender[],
  rule: CashRoundingRule,
): Settlement {
  let remaining = total;
  let paid = 0;
  let cashRounding = 0;
  let change = 0;
  const settled = tenders.map((tender): SettledTender => {
    if (tender.type !== 'cash') {
      remaining -= tender.amount;
      paid += tender.amount;
      return { tender, amount: tender.amount, change: 0, rounding: 0 };
    }
    const due = Math.max(remaining, 0);
    const cashDue = roundCash(due, rule).amount;
    let amount: Minor;
    let rounding = 0;
    if (tender.received >= cashDue) {
      // This cash settles the sale: collect the rounded amount.
      amount = cashDue;
      rounding = cashDue - due;
      remaining = 0;
    } else if (tender.received >= due) {
      // Only possible when rounding goes up and the customer paid the exact, unrounded amount.
      amount = due;
      remaining = 0;
    } else {
      amount = tender.received;
      remaining -= amount;
    }
    paid += amount;
    cashRounding += rounding;
    change += tender.received - amount;
    return { tender, amount, change: tender.received - amount, rounding };
  });
  return { tenders: settled, total, paid, remaining: Math.max(remaining, 0), cashRounding, change };
}

export interface AmountDue {
  readonly total: Minor;
  readonly paid: Minor;
  /** Still to pay by card, gift card or store credit (exact). */
  readonly remaining: Minor;
  /** Still to pay if the customer pays the rest in cash (rounded per the market's rule). */
  readonly cashDue: Minor;
  readonly cashRounding: Minor;
  readonly change: Minor;
}

function pricedFor(sale: Sale, env: SaleEnvironment): PricedSale {
  return sale.priced ?? priceSale(sale, env);
}

/** What is paid and what is left; uses the frozen totals once tendering has started. */
export function amountDue(sale: Sale, env: SaleEnvironment): AmountDue {
  const priced = pricedFor(sale, env);
  const s = settleTenders(priced.total, sale.tenders, env.cashRounding);
  return {
    total: priced.total,
    paid: s.paid,
    remaining: s.remaining,
    cashDue: roundCash(s.remaining, env.cashRounding).amount,
    cashRounding: s.cashRounding,
    change: s.change,
  };
}

// ---------------------------------------------------------------------------------------------
// Transitions

/** Moves an open sale to payment and freezes its priced totals. */
export function startTender(sale: Sale, env: SaleEnvironment): Sale {
  assertSaleState(sale, ['open'], 'take payment');
  if (sale.lines.length === 0) {
    throw new DomainError('empty_sale', 'The sale has no items to pay for.');
  }
  const priced = priceSale(sale, env);
  return { ...sale, state: 'tendering', priced };
}

/** Back from payment to the open sale (to add or change items); only while nothing is paid. */
export function cancelTender(sale: Sale): Sale {
  assertSaleState(sale, ['tendering'], 'go back to the sale');
  assertNoPayments(sale, 'go back to the sale');
  // Back to open: the totals are live again until the next startTender freezes them.
  const reopened: Partial<Sale> = { ...sale, state: 'open' };
  Reflect.deleteProperty(reopened, 'priced');
  return reopened as Sale;
}

export interface CashTenderInput {
  readonly type: 'cash';
  readonly tenderId: string;
  /** What the customer handed over. */
  readonly received: Minor;
}

/** The payment terminal's answer. The POS never sees a card number, only what is printed on a receipt. */
export interface TerminalResult {
  readonly approved: boolean;
  /** The terminal's transaction reference (used for reversals and refunds). */
  readonly reference: string;
  readonly approvalCode?: string;
  readonly brand?: string;
  readonly last4?: string;
}

export interface CardTenderInput {
  readonly type: 'card';
  readonly tenderId: string;
  readonly amount: Minor;
  readonly terminal: TerminalResult;
}

export interface AccountTenderInput {
  readonly type: 'gift_card' | 'store_credit';
  readonly tenderId: string;
  readonly amount: Minor;
  /** The gift card or store-credit account id. */
  readonly reference: string;
  /** The balance the account reported (or the offline allowance), in the sale's currency. */
  readonly availableBalance: Minor;
}

export type TenderInput = CashTenderInput | CardTenderInput | AccountTenderInput;

function assertAmount(amount: Minor, what: string): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new DomainError('invalid_tender', `The ${what} amount must be more than zero.`, { amount });
  }
}

function assertNoCardNumber(
  fields: Readonly<Record<string, string | undefined>>,
  screen: (text: string) => boolean = looksLikeCardNumber,
): void {
  for (const [field, value] of Object.entries(fields)) {
    if (value !== undefined && screen(value)) {
      // Never echo the value: it may be a real card number.
      throw new DomainError(
        'invalid_tender',
        'The payment data holds what looks like a full card number; it was refused and not stored.',
        { field },
      );
    }
  }
}

function cardTender(input: CardTenderInput, remaining: Minor, currency: string): CardTender {
  const { terminal } = input;
  assertNoCardNumber({
    reference: terminal.reference,
    approvalCode: terminal.approvalCode,
    brand: terminal.brand,
    last4: terminal.last4,
  });
  if (!terminal.approved) {
    throw new DomainError('invalid_tender', 'The card payment was declined; ask for another payment.', {});
  }
  if (terminal.reference.trim() === '') {
    throw new DomainError('invalid_tender', 'The terminal gave no transaction reference for this payment.');
  }
  if (terminal.last4 !== undefined && !/^\d{4}$/.test(terminal.last4)) {
    throw new DomainError('invalid_tender', 'The card ending reported by the terminal is not four digits.');
  }
  assertAmount(input.amount, 'card');
  if (input.amount > remaining) {
    throw new DomainError(
      'tender_exceeds_due',
      `A card cannot pay more than is due (${formatMoney(remaining, currency)}); only cash gives change.`,
      { amount: input.amount, remaining },
    );
  }
  return {
    tenderId: input.tenderId,
    type: 'card',
    amount: input.amount,
    reference: terminal.reference,
    ...(terminal.approvalCode === undefined ? {} : { approvalCode: terminal.approvalCode }),
    ...(terminal.brand === undefined ? {} : { cardBrand: terminal.brand }),
    ...(terminal.last4 === undefined ? {} : { cardLast4: terminal.last4 }),
  };
}

/**
 * Records a payment. Cash may exceed what is due (the excess is change); any other tender may not.
 * A declined card is not a tender. A gift card or store credit cannot go beyond its balance.
 */
export function addTender(sale: Sale, env: SaleEnvironment, input: TenderInput): Sale {
  assertSaleState(sale, ['tendering'], 'take a payment');
  if (sale.tenders.some((t) => t.tenderId === input.tenderId)) {
    throw new RangeError(`tender id ${input.tenderId} is already used on sale ${sale.saleId}`);
  }
  const due = amountDue(sale, env);
  if (due.remaining === 0) {
    throw new DomainError('tender_exceeds_due', 'Nothing is left to pay: complete the sale.', {});
  }
  let tender: SaleTender;
  switch (input.type) {
    case 'cash': {
      if (!Number.isSafeInteger(input.received) || input.received < 0) {
        throw new DomainError('invalid_tender', 'Enter the cash received.', { received: input.received });
      }
      // Zero is accepted only when rounding alone settles the sale (e.g. 0.02 CHF left).
      if (input.received === 0 && due.cashDue !== 0) {
        throw new DomainError('invalid_tender', 'Enter the cash received.', { received: 0 });
      }
      tender = { tenderId: input.tenderId, type: 'cash', received: input.received };
      break;
    }
    case 'card':
      tender = cardTender(input, due.remaining, sale.currency);
      break;
    case 'gift_card':
    case 'store_credit': {
      const what = input.type === 'gift_card' ? 'gift card' : 'store credit';
      assertAmount(input.amount, what);
      // A gift-card number may itself be a Luhn-valid digit run; only a payment-card swipe is refused.
      assertNoCardNumber({ reference: input.reference }, looksLikeTrackData);
      if (input.reference.trim() === '') {
        throw new DomainError('invalid_tender', `Scan or enter the ${what} first.`);
      }
      if (input.amount > input.availableBalance) {
        throw new DomainError(
          'insufficient_balance',
          `The ${what} has only ${formatMoney(Math.max(input.availableBalance, 0), sale.currency)} left.`,
          { amount: input.amount, available: input.availableBalance },
        );
      }
      if (input.amount > due.remaining) {
        throw new DomainError(
          'tender_exceeds_due',
          `The ${what} cannot pay more than is due (${formatMoney(due.remaining, sale.currency)}).`,
          { amount: input.amount, remaining: due.remaining },
        );
      }
      tender = {
        tenderId: input.tenderId,
        type: input.type,
        amount: input.amount,
        reference: input.reference,
      };
      break;
    }
  }
  return { ...sale, tenders: [...sale.tenders, tender] };
}

export type RemoveTenderResult =
  | { readonly outcome: 'removed'; readonly sale: Sale }
  /** The card was charged: reverse it on the terminal, then call `recordReversal`. The sale is unchanged. */
  | { readonly outcome: 'reversal_required'; readonly sale: Sale; readonly tender: CardTender };

/** Takes a tender off before completion. An approved card payment cannot simply be dropped. */
export function removeTender(sale: Sale, tenderId: string): RemoveTenderResult {
  assertSaleState(sale, ['tendering'], 'remove a payment');
  const tender = findTender(sale, tenderId);
  if (tender.type === 'card') return { outcome: 'reversal_required', sale, tender };
  return { outcome: 'removed', sale: { ...sale, tenders: sale.tenders.filter((t) => t !== tender) } };
}

export interface ReversalResult {
  /** The terminal confirmed the reversal (void or refund) of the original transaction. */
  readonly approved: boolean;
  readonly reference: string;
}

/** Removes a card tender once the terminal has reversed it. */
export function recordReversal(sale: Sale, tenderId: string, reversal: ReversalResult): Sale {
  assertSaleState(sale, ['tendering'], 'record a card reversal');
  const tender = findTender(sale, tenderId);
  if (tender.type !== 'card') throw new RangeError(`tender ${tenderId} is not a card payment`);
  assertNoCardNumber({ reference: reversal.reference });
  if (!reversal.approved) {
    throw new DomainError(
      'reversal_required',
      'The terminal did not reverse the card payment; try again, or keep the payment.',
      { tenderId },
    );
  }
  return { ...sale, tenders: sale.tenders.filter((t) => t !== tender) };
}

function findTender(sale: Sale, tenderId: string): SaleTender {
  const tender = sale.tenders.find((t) => t.tenderId === tenderId);
  if (tender === undefined) {
    throw new DomainError('invalid_tender', 'That payment is no longer on the sale.', { tenderId });
  }
  return tender;
}

export interface CompleteInput {
  /** ISO 8601. */
  readonly completedAt: string;
  readonly receiptNumber: string;
}

export interface CompletedSale {
  readonly sale: Sale;
  readonly record: SaleRecord;
}

function toTenderRecord(s: SettledTender): TenderRecord {
  const t = s.tender;
  switch (t.type) {
    case 'cash':
      return { tenderId: t.tenderId, type: 'cash', amount: s.amount, received: t.received };
    case 'card':
      return {
        tenderId: t.tenderId,
        type: 'card',
        amount: s.amount,
        reference: t.reference,
        ...(t.approvalCode === undefined ? {} : { approvalCode: t.approvalCode }),
        ...(t.cardBrand === undefined ? {} : { cardBrand: t.cardBrand }),
        ...(t.cardLast4 === undefined ? {} : { cardLast4: t.cardLast4 }),
      };
    case 'gift_card':
    case 'store_credit':
      return { tenderId: t.tenderId, type: t.type, amount: s.amount, reference: t.reference };
  }
}

/**
 * Completes a fully paid sale. Returns the completed sale and its immutable record, which satisfies
 * every invariant of records.ts (checked here before it is returned).
 */
export function complete(sale: Sale, env: SaleEnvironment, input: CompleteInput): CompletedSale {
  assertSaleState(sale, ['tendering'], 'complete the sale');
  const priced = sale.priced;
  if (priced === undefined) throw new RangeError(`sale ${sale.saleId} is tendering without frozen totals`);
  if (input.receiptNumber.trim() === '') throw new RangeError('a completed sale needs a receipt number');
  const s = settleTenders(priced.total, sale.tenders, env.cashRounding);
  if (s.remaining > 0) {
    const cashDue = roundCash(s.remaining, env.cashRounding).amount;
    const still = formatMoney(s.remaining, sale.currency);
    const cash = cashDue === s.remaining ? '' : ` (${formatMoney(cashDue, sale.currency)} in cash)`;
    throw new DomainError('tender_not_covering', `Still to pay: ${still}${cash}.`, {
      remaining: s.remaining,
      cashDue,
    });
  }
  const record: SaleRecord = {
    saleId: sale.saleId,
    receiptNumber: input.receiptNumber,
    storeId: sale.storeId,
    deviceId: sale.deviceId,
    shiftId: sale.shiftId,
    cashierId: sale.cashierId,
    ...(sale.customer === undefined ? {} : { customerId: sale.customer.customerId }),
    currency: sale.currency,
    pricesIncludeTax: priced.pricesIncludeTax,
    openedAt: sale.openedAt,
    completedAt: input.completedAt,
    lines: priced.lines,
    voidedLines: sale.voidedLines,
    couponCodes: priced.couponCodes,
    subtotal: priced.subtotal,
    discount: priced.discount,
    tax: priced.tax,
    total: priced.total,
    cashRounding: s.cashRounding,
    taxes: priced.taxes,
    tenders: s.tenders.map(toTenderRecord),
    change: s.change,
    approvals: sale.approvals,
  };
  assertSaleRecordBalanced(record);
  return {
    sale: { ...sale, state: 'completed', completedAt: input.completedAt, receiptNumber: input.receiptNumber },
    record,
  };
}

// ---------------------------------------------------------------------------------------------
// Quick cash

/**
 * Notes and coins a customer is likely to hand over, in minor units, for currencies whose ladder is
 * not the common 1-5-10-20-50-100 (in major units).
 */
const CASH_LADDERS: Readonly<Record<string, readonly Minor[]>> = {
  JPY: [100, 500, 1000, 5000, 10000],
  KRW: [1000, 5000, 10000, 50000],
  GBP: [100, 500, 1000, 2000, 5000],
};

/**
 * The amounts a cashier can tap for "customer paid": the exact amount, then the next whole unit
 * and each next note above it, deduplicated and ascending (13.40 USD → 13.40, 14, 15, 20, 50).
 */
export function quickCashAmounts(due: Minor, currency: string, count = 5): Minor[] {
  if (!Number.isSafeInteger(due) || due <= 0) return [];
  const major = 10 ** currencyExponent(currency);
  const ladder = CASH_LADDERS[currency] ?? [1, 5, 10, 20, 50, 100].map((n) => n * major);
  const amounts = new Set<Minor>([due, roundToIncrement(due, major, 'ceiling')]);
  for (const step of ladder) amounts.add(roundToIncrement(due, step, 'ceiling'));
  return [...amounts].sort((a, b) => a - b).slice(0, count);
}
