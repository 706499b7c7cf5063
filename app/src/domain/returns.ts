/**
 * Returns and exchanges. A return with a receipt is refunded from the original sale's snapshot —
 * the prices paid, the discounts (order discounts included, as allocated to each line) and the tax
 * as charged — never from today's prices. A ledger of what earlier returns already took back (from
 * any till) keeps a line from being refunded twice and makes the pieces of several partial returns
 * add up to exactly what was paid.
 *
 * Proration is cumulative: after a return the customer has had round(component × returned ÷ sold)
 * of every component back, so each return takes "cumulative share minus already refunded" and the
 * return that empties a line takes the exact remainder. Rounding never drifts.
 *
 * Refunds go back to the tenders that paid, in a fixed order (`DEFAULT_REFUND_ORDER`): store
 * credit and gift cards first (the value stays with the retailer and is credited at once), then
 * cards, cash last, so a sale paid by card cannot be turned into cash by returning part of it,
 * and cash rounding applies to the last piece only. No tender ever gets back more than it paid
 * minus what earlier returns already gave it.
 */
import { DomainError } from './errors.ts';
import {
  allocate,
  applyRate,
  cashRoundingFor,
  extendPrice,
  formatDecimal,
  formatMoney,
  mulDiv,
  QUANTITY_SCALE,
  RATE_SCALE,
  roundCash,
  type CashRoundingRule,
  type Minor,
} from './money.ts';
import {
  DEFAULT_ROLE_POLICIES,
  approveAction,
  roleAllows,
  type Actor,
  type GrantedApproval,
  type ApprovalRecord,
  type Permission,
  type Role,
  type RolePolicy,
} from './permissions.ts';
import type {
  LineTax,
  ReturnDisposition,
  ReturnLineRecord,
  ReturnRecord,
  SaleLineRecord,
  SaleRecord,
  TaxSummaryRecord,
  TenderRecord,
  TenderType,
} from './records.ts';

/** Store credit and gift cards first, then cards, cash last (see the module comment). */
export const DEFAULT_REFUND_ORDER: readonly TenderType[] = ['store_credit', 'gift_card', 'card', 'cash'];

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Ledger

export interface TaxRefunded {
  readonly base: Minor;
  readonly amount: Minor;
}

/** What earlier returns took back from one sale line. */
export interface LineLedger {
  readonly line: SaleLineRecord;
  readonly returnedQuantity: number;
  readonly refundedTotal: Minor;
  readonly refundedNet: Minor;
  readonly refundedDiscount: Minor;
  /** taxId → base and tax refunded so far. */
  readonly refundedTaxes: ReadonlyMap<string, TaxRefunded>;
}

/**
 * One tender of the sale, as a refund destination. Tenders of the same type and reference are one
 * destination (all cash is one); `paid` is what was applied to the sale, after change.
 */
export interface TenderLedger {
  readonly key: string;
  readonly type: TenderType;
  readonly reference?: string;
  readonly cardBrand?: string;
  readonly cardLast4?: string;
  readonly paid: Minor;
  readonly refunded: Minor;
}

export interface ReturnLedger {
  readonly sale: SaleRecord;
  readonly lines: ReadonlyMap<string, LineLedger>;
  /** In the order the sale's tenders first appear. */
  readonly tenders: readonly TenderLedger[];
  /**
   * Refunds of earlier returns that match none of the sale's tenders (e.g. written by another
   * system). They are charged against the tenders in refund order when planning.
   */
  readonly unmatchedRefunds: Minor;
  /** Σ over earlier returns of cash refunded − their cash rounding: cash owed before rounding. */
  readonly cashRefundedUnrounded: Minor;
  /** The returns counted, so the same return replicated twice is counted once. */
  readonly returnIds: ReadonlySet<string>;
}

interface MutableLineLedger {
  line: SaleLineRecord;
  returnedQuantity: number;
  refundedTotal: Minor;
  refundedNet: Minor;
  refundedDiscount: Minor;
  refundedTaxes: Map<string, { base: Minor; amount: Minor }>;
}

interface MutableTenderLedger {
  key: string;
  type: TenderType;
  reference?: string;
  cardBrand?: string;
  cardLast4?: string;
  paid: Minor;
  refunded: Minor;
  /** Position of the first tender of this destination in the sale. */
  position: number;
}

function tenderKey(tender: { readonly type: TenderType; readonly reference?: string }): string {
  return tender.type === 'cash' ? 'cash' : `${tender.type}:${tender.reference ?? ''}`;
}

interface WorkingLedger {
  lines: Map<string, MutableLineLedger>;
  tenders: Map<string, MutableTenderLedger>;
  unmatchedRefunds: Minor;
  cashRefundedUnrounded: Minor;
  returnIds: Set<string>;
}

function buildWorkingLedger(sale: SaleRecord, priorReturns: readonly ReturnRecord[]): WorkingLedger {
  const lines = new Map<string, MutableLineLedger>();
  for (const line of sale.lines) {
    lines.set(line.lineId, {
      line,
      returnedQuantity: 0,
      refundedTotal: 0,
      refundedNet: 0,
      refundedDiscount: 0,
      refundedTaxes: new Map(line.taxes.map((t) => [t.taxId, { base: 0, amount: 0 }])),
    });
  }
  const tenders = new Map<string, MutableTenderLedger>();
  sale.tenders.forEach((tender, position) => {
    const key = tenderKey(tender);
    const existing = tenders.get(key);
    if (existing !== undefined) {
      existing.paid += tender.amount;
      return;
    }
    tenders.set(key, {
      key,
      type: tender.type,
      ...(tender.type !== 'cash' && tender.reference !== undefined ? { reference: tender.reference } : {}),
      ...(tender.cardBrand === undefined ? {} : { cardBrand: tender.cardBrand }),
      ...(tender.cardLast4 === undefined ? {} : { cardLast4: tender.cardLast4 }),
      paid: tender.amount,
      refunded: 0,
      position,
    });
  });

  let unmatchedRefunds = 0;
  let cashRefundedUnrounded = 0;
  const returnIds = new Set<string>();
  for (const previous of priorReturns) {
    // A caller may pass a customer's whole return history; only this sale's returns count.
    if (previous.originalSaleId !== sale.saleId || returnIds.has(previous.returnId)) continue;
    returnIds.add(previous.returnId);
    if (previous.currency !== sale.currency) {
      throw new DomainError(
        'invalid_return',
        `Return ${previous.receiptNumber} is in ${previous.currency} but sale ${sale.receiptNumber} was in ${sale.currency}.`,
        { returnId: previous.returnId, saleId: sale.saleId },
      );
    }
    for (const returned of previous.lines) {
      const entry = returned.originalLineId === undefined ? undefined : lines.get(returned.originalLineId);
      if (entry === undefined) {
        throw new DomainError(
          'invalid_return',
          `Return ${previous.receiptNumber} names a line that is not on sale ${sale.receiptNumber}.`,
          { returnId: previous.returnId, saleId: sale.saleId },
        );
      }
      entry.returnedQuantity += returned.quantity;
      entry.refundedTotal += returned.total;
      entry.refundedNet += returned.net;
      entry.refundedDiscount += returned.discount;
      for (const tax of returned.taxes) {
        const refunded = entry.refundedTaxes.get(tax.taxId);
        if (refunded === undefined) {
          entry.refundedTaxes.set(tax.taxId, { base: tax.base, amount: tax.amount });
        } else {
          refunded.base += tax.base;
          refunded.amount += tax.amount;
        }
      }
    }
    for (const refund of previous.refunds) {
      const destination = tenders.get(tenderKey(refund));
      if (destination === undefined) {
        unmatchedRefunds += refund.amount;
        continue;
      }
      destination.refunded += refund.amount;
      if (refund.type === 'cash') {
        cashRefundedUnrounded += refund.amount;
      }
    }
    // Cash rounding belongs to the cash refund; take it out to know the cash owed before rounding.
    // Also when the rounded cash came to nothing (no cash refund line): 0.01 owed rounds to 0.00,
    // and the next return must still count that 0.01 as owed, or the last return pays out short.
    cashRefundedUnrounded -= previous.cashRounding;
  }
  return { lines, tenders, unmatchedRefunds, cashRefundedUnrounded, returnIds };
}

/**
 * The returnable-quantity ledger of `sale`: what the returns already made against it (from any
 * till; others' returns and duplicates are ignored) took back, line by line and tender by tender.
 */
export function buildReturnLedger(sale: SaleRecord, priorReturns: readonly ReturnRecord[]): ReturnLedger {
  const working = buildWorkingLedger(sale, priorReturns);
  return {
    sale,
    lines: working.lines,
    tenders: [...working.tenders.values()]
      .sort((a, b) => a.position - b.position)
      .map((t): TenderLedger => ({
        key: t.key,
        type: t.type,
        ...(t.reference === undefined ? {} : { reference: t.reference }),
        ...(t.cardBrand === undefined ? {} : { cardBrand: t.cardBrand }),
        ...(t.cardLast4 === undefined ? {} : { cardLast4: t.cardLast4 }),
        paid: t.paid,
        refunded: t.refunded,
      })),
    unmatchedRefunds: working.unmatchedRefunds,
    cashRefundedUnrounded: working.cashRefundedUnrounded,
    returnIds: working.returnIds,
  };
}

/** How much of a sale line (thousandths) can still be returned; never negative. */
export function returnableQuantity(ledger: ReturnLedger, lineId: string): number {
  const entry = ledger.lines.get(lineId);
  if (entry === undefined) {
    throw new DomainError('unknown_line', `That item is not on receipt ${ledger.sale.receiptNumber}.`, {
      lineId,
    });
  }
  return Math.max(0, entry.line.quantity - entry.returnedQuantity);
}

// ---------------------------------------------------------------------------------------------
// Policy and input

export interface NoReceiptPolicy {
  readonly enabled: boolean;
  /** Where a no-receipt refund goes; store credit keeps the value in the store. */
  readonly refundTo: 'store_credit' | 'cash';
  /** Largest no-receipt refund, in minor units. */
  readonly maxAmount: Minor;
  /** True when the actor needs 'return.no_receipt' (their role or a manager's approval). */
  readonly requiresPermission: boolean;
}

export interface ReturnPolicy {
  /** Days after the sale a receipt return is accepted without 'return.beyond_window'; null = no limit. */
  readonly windowDays: number | null;
  readonly noReceipt: NoReceiptPolicy;
  /** Refund destinations in order; types left out come after, in DEFAULT_REFUND_ORDER. */
  readonly tenderOrder?: readonly TenderType[];
  /** Cash rounding of cash refunds; defaults to the currency's (money.ts cashRoundingFor). */
  readonly cashRounding?: CashRoundingRule;
  /** Categories that are never taken back (e.g. hygiene items, gift cards). */
  readonly nonReturnableCategoryIds?: readonly string[];
}

export interface ReturnRequestLine {
  readonly lineId: string;
  /** Thousandths of the line's unit. */
  readonly quantity: number;
  readonly disposition: ReturnDisposition;
  readonly reason: string;
}

export interface NoReceiptTax {
  readonly taxId: string;
  readonly name: string;
  /** Millionths. */
  readonly rate: number;
}

export interface NoReceiptRequestLine {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly categoryId: string;
  readonly unit: SaleLineRecord['unit'];
  readonly quantity: number;
  /** The lowest price the item sold at recently, per unit, in the input's price mode (caller's lookup). */
  readonly lowestRecentUnitPrice: Minor;
  readonly taxes: readonly NoReceiptTax[];
  readonly disposition: ReturnDisposition;
  readonly reason: string;
}

interface PlanReturnCommon {
  readonly returnId: string;
  readonly receiptNumber: string;
  /** Ids for the return's lines and refunds, e.g. ULIDs from the till. */
  readonly newId: () => string;
  /** The till clock, ISO 8601. */
  readonly now: string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly shiftId: string;
  readonly actor: Actor;
  readonly approvals?: readonly GrantedApproval[];
  readonly rolePolicies?: Readonly<Record<Role, RolePolicy>>;
  readonly policy: ReturnPolicy;
  readonly customerId?: string;
  /** Set when this return is half of an exchange. */
  readonly exchangeSaleId?: string;
}

export interface ReceiptReturnInput extends PlanReturnCommon {
  readonly original: SaleRecord;
  readonly lines: readonly ReturnRequestLine[];
  /** Every return already made against the original, from any till. */
  readonly priorReturns: readonly ReturnRecord[];
}

export interface NoReceiptReturnInput extends PlanReturnCommon {
  readonly original: null;
  readonly currency: string;
  readonly pricesIncludeTax: boolean;
  readonly lines: readonly NoReceiptRequestLine[];
  /** The store-credit account to credit, when the policy refunds to store credit. */
  readonly storeCreditReference?: string;
}

export type PlanReturnInput = ReceiptReturnInput | NoReceiptReturnInput;

// ---------------------------------------------------------------------------------------------
// Planning

/**
 * Plans a return: validates it against the policy, the actor's permissions and the ledger, and
 * computes the refund of every line and the refund to every tender. The result is the
 * ReturnRecord to journal once the refunds are paid out.
 */
export function planReturn(input: PlanReturnInput): ReturnRecord {
  return input.original === null ? planNoReceiptReturn(input) : planReceiptReturn(input);
}

function approve(
  input: PlanReturnCommon,
  permission: Permission,
  used: ApprovalRecord[],
  policies: Readonly<Record<Role, RolePolicy>>,
): void {
  approveAction(input.actor, permission, input.approvals, used, policies);
}

function parseInstant(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    throw new DomainError('invalid_return', `The ${what} "${iso}" is not a valid date and time.`, { iso });
  }
  return ms;
}

function formatQuantity(quantity: number): string {
  return formatDecimal(quantity, 3).replace(/\.?0+$/, '');
}

function assertQuantity(quantity: number, unit: SaleLineRecord['unit'], name: string): void {
  if (!Number.isSafeInteger(quantity) || quantity <= 0) {
    throw new DomainError('invalid_quantity', `Enter a quantity of ${name} to return, more than zero.`, {
      quantity: String(quantity),
    });
  }
  if (unit === 'each' && quantity % QUANTITY_SCALE !== 0) {
    throw new DomainError('invalid_quantity', `${name} is returned in whole units.`, {
      quantity: formatQuantity(quantity),
    });
  }
}

/** The part of `amount` still owed after `cumulative` of `sold` units are back, minus what was refunded. */
function proratedIncrement(amount: Minor, refunded: Minor, cumulative: number, sold: number): Minor {
  const share = cumulative >= sold ? amount : mulDiv(amount, cumulative, sold, 'half-up');
  // Records written by another system may be off by a unit; never refund below zero or past the whole.
  return Math.max(0, Math.min(share - refunded, amount - refunded));
}

function planReceiptReturn(input: ReceiptReturnInput): ReturnRecord {
  const sale = input.original;
  const policies = input.rolePolicies ?? DEFAULT_ROLE_POLICIES;
  const used: ApprovalRecord[] = [];
  approve(input, 'return.with_receipt', used, policies);
  checkWindow(input, used, policies);
  if (input.lines.length === 0) {
    throw new DomainError('invalid_return', 'Choose at least one item to return.');
  }

  const working = buildWorkingLedger(sale, input.priorReturns);
  if (working.returnIds.has(input.returnId)) {
    throw new DomainError('invalid_return', `Return ${input.receiptNumber} has already been made.`, {
      returnId: input.returnId,
    });
  }
  const blocked = new Set(input.policy.nonReturnableCategoryIds ?? []);
  const lines: ReturnLineRecord[] = [];
  for (const request of input.lines) {
    const entry = working.lines.get(request.lineId);
    if (entry === undefined) {
      throw new DomainError('unknown_line', `That item is not on receipt ${sale.receiptNumber}.`, {
        lineId: request.lineId,
      });
    }
    const line = entry.line;
    if (blocked.has(line.categoryId)) {
      throw new DomainError('not_returnable', `${line.name} cannot be returned.`, { lineId: line.lineId });
    }
    assertQuantity(request.quantity, line.unit, line.name);
    const remaining = Math.max(0, line.quantity - entry.returnedQuantity);
    if (request.quantity > remaining) {
      throw new DomainError(
        'return_exceeds_purchased',
        remaining === 0
          ? `${line.name} has already been returned in full.`
          : `Only ${formatQuantity(remaining)} of ${line.name} can still be returned ` +
              `(${formatQuantity(line.quantity)} bought, ${formatQuantity(entry.returnedQuantity)} already returned).`,
        {
          lineId: line.lineId,
          remaining: formatQuantity(remaining),
          requested: formatQuantity(request.quantity),
        },
      );
    }
    lines.push(refundLine(sale.pricesIncludeTax, entry, request, input.newId()));
  }

  const total = lines.reduce((sum, l) => sum + l.total, 0);
  const refunds = planTenderRefunds(sale, working, total, input);
  return buildRecord(input, {
    lines,
    total,
    refunds: refunds.records,
    cashRounding: refunds.cashRounding,
    currency: sale.currency,
    approvals: used,
    noReceipt: false,
    sale,
  });
}

function checkWindow(
  input: ReceiptReturnInput,
  used: ApprovalRecord[],
  policies: Readonly<Record<Role, RolePolicy>>,
): void {
  const windowDays = input.policy.windowDays;
  if (windowDays === null) return;
  const age = parseInstant(input.now, 'clock') - parseInstant(input.original.completedAt, 'sale time');
  if (age <= windowDays * DAY_MS) return;
  const permission = 'return.beyond_window';
  const hasApproval = input.approvals?.some((a) => a.record.permission === permission) ?? false;
  if (!roleAllows(input.actor.role, permission, policies) && !hasApproval) {
    const days = Math.floor(age / DAY_MS);
    throw new DomainError(
      'return_window_expired',
      `Receipt ${input.original.receiptNumber} is ${days} days old; returns are accepted for ${windowDays} days. ` +
        'A manager can approve it.',
      { days, windowDays, permission },
    );
  }
  approve(input, permission, used, policies);
}

function refundLine(
  pricesIncludeTax: boolean,
  entry: MutableLineLedger,
  request: ReturnRequestLine,
  returnLineId: string,
): ReturnLineRecord {
  const line = entry.line;
  const cumulative = entry.returnedQuantity + request.quantity;
  const taxes: LineTax[] = line.taxes.map((tax) => {
    const refunded = entry.refundedTaxes.get(tax.taxId) ?? { base: 0, amount: 0 };
    const base = proratedIncrement(tax.base, refunded.base, cumulative, line.quantity);
    const amount = proratedIncrement(tax.amount, refunded.amount, cumulative, line.quantity);
    refunded.base += base;
    refunded.amount += amount;
    entry.refundedTaxes.set(tax.taxId, refunded);
    return { taxId: tax.taxId, name: tax.name, rate: tax.rate, base, amount };
  });
  const tax = taxes.reduce((sum, t) => sum + t.amount, 0);
  // Prorate the independent parts and derive the rest, so total = net (+ tax) holds on every
  // return and each part stays non-negative.
  let net: Minor;
  let total: Minor;
  if (pricesIncludeTax) {
    total = proratedIncrement(line.total, entry.refundedTotal, cumulative, line.quantity);
    net = total;
  } else {
    net = proratedIncrement(line.net, entry.refundedNet, cumulative, line.quantity);
    total = net + tax;
  }
  const discount = proratedIncrement(line.discount, entry.refundedDiscount, cumulative, line.quantity);
  entry.returnedQuantity = cumulative;
  entry.refundedTotal += total;
  entry.refundedNet += net;
  entry.refundedDiscount += discount;
  return {
    returnLineId,
    originalLineId: line.lineId,
    productId: line.productId,
    sku: line.sku,
    name: line.name,
    quantity: request.quantity,
    total,
    net,
    discount,
    taxes,
    tax,
    disposition: request.disposition,
    reason: request.reason,
  };
}

function refundRank(type: TenderType, order: readonly TenderType[]): number {
  const index = order.indexOf(type);
  return index >= 0 ? index : order.length + DEFAULT_REFUND_ORDER.indexOf(type);
}

/**
 * Splits `total` over the sale's tenders in refund order. Capacities are counted before cash
 * rounding (the cash tender's capacity is what it paid minus the sale's cash rounding), so the
 * capacities add up to the sale total and a full return fills each one exactly. The cash piece is
 * rounded cumulatively: the cash paid out over all returns is the rounding of the cash owed over
 * all returns, so the last return brings cash back to exactly what the drawer took.
 */
function planTenderRefunds(
  sale: SaleRecord,
  working: WorkingLedger,
  total: Minor,
  input: ReceiptReturnInput,
): { records: TenderRecord[]; cashRounding: Minor } {
  const order = input.policy.tenderOrder ?? DEFAULT_REFUND_ORDER;
  const destinations = [...working.tenders.values()].sort(
    (a, b) => refundRank(a.type, order) - refundRank(b.type, order) || a.position - b.position,
  );
  const capacity = destinations.map((d) =>
    d.type === 'cash'
      ? Math.max(0, d.paid - sale.cashRounding - working.cashRefundedUnrounded)
      : Math.max(0, d.paid - d.refunded),
  );
  // Refunds that match no tender were still paid out; charge them in refund order.
  let unmatched = working.unmatchedRefunds;
  for (let i = 0; i < capacity.length && unmatched > 0; i++) {
    const take = Math.min(unmatched, capacity[i] ?? 0);
    capacity[i] = (capacity[i] ?? 0) - take;
    unmatched -= take;
  }

  const records: TenderRecord[] = [];
  let cashRounding = 0;
  let left = total;
  destinations.forEach((destination, i) => {
    const take = Math.min(left, capacity[i] ?? 0);
    if (take <= 0) return;
    left -= take;
    let amount = take;
    if (destination.type === 'cash') {
      const rule = input.policy.cashRounding ?? cashRoundingFor(sale.currency);
      const owed = working.cashRefundedUnrounded + take;
      const paid = roundCash(owed, rule).amount - destination.refunded;
      amount = Math.max(0, Math.min(paid, destination.paid - destination.refunded));
      cashRounding += amount - take;
    }
    if (amount > 0) records.push(refundTender(destination, amount, input.newId()));
  });
  if (left > 0) {
    throw new DomainError(
      'invalid_return',
      `Receipt ${sale.receiptNumber} has no ${formatMoney(left, sale.currency)} left to refund; ` +
        'earlier refunds already returned what it was paid.',
      { saleId: sale.saleId, missing: left },
    );
  }
  return { records, cashRounding };
}

function refundTender(
  destination: Omit<TenderLedger, 'paid' | 'refunded'>,
  amount: Minor,
  tenderId: string,
): TenderRecord {
  return {
    tenderId,
    type: destination.type,
    amount,
    // The original terminal reference (card) or account (gift card, store credit) to refund to.
    ...(destination.reference === undefined ? {} : { reference: destination.reference }),
    ...(destination.cardBrand === undefined ? {} : { cardBrand: destination.cardBrand }),
    ...(destination.cardLast4 === undefined ? {} : { cardLast4: destination.cardLast4 }),
  };
}

function planNoReceiptReturn(input: NoReceiptReturnInput): ReturnRecord {
  const policy = input.policy.noReceipt;
  const policies = input.rolePolicies ?? DEFAULT_ROLE_POLICIES;
  if (!policy.enabled) {
    throw new DomainError('not_returnable', 'This store does not take returns without a receipt.');
  }
  const used: ApprovalRecord[] = [];
  approve(input, policy.requiresPermission ? 'return.no_receipt' : 'return.with_receipt', used, policies);
  if (input.lines.length === 0) {
    throw new DomainError('invalid_return', 'Choose at least one item to return.');
  }
  const blocked = new Set(input.policy.nonReturnableCategoryIds ?? []);
  const lines = input.lines.map((request): ReturnLineRecord => {
    if (blocked.has(request.categoryId)) {
      throw new DomainError('not_returnable', `${request.name} cannot be returned.`, {
        productId: request.productId,
      });
    }
    assertQuantity(request.quantity, request.unit, request.name);
    return noReceiptLine(input.pricesIncludeTax, request, input.newId());
  });
  const total = lines.reduce((sum, l) => sum + l.total, 0);
  if (total > policy.maxAmount) {
    throw new DomainError(
      'return_over_limit',
      `A return without a receipt is limited to ${formatMoney(policy.maxAmount, input.currency)}; ` +
        `this one is ${formatMoney(total, input.currency)}.`,
      { maxAmount: policy.maxAmount, total },
    );
  }
  let refunds: TenderRecord[] = [];
  let cashRounding = 0;
  if (total > 0 && policy.refundTo === 'cash') {
    const rounded = roundCash(total, input.policy.cashRounding ?? cashRoundingFor(input.currency));
    cashRounding = rounded.adjustment;
    if (rounded.amount > 0) refunds = [{ tenderId: input.newId(), type: 'cash', amount: rounded.amount }];
  } else if (total > 0) {
    refunds = [
      {
        tenderId: input.newId(),
        type: 'store_credit',
        amount: total,
        ...(input.storeCreditReference === undefined ? {} : { reference: input.storeCreditReference }),
      },
    ];
  }
  return buildRecord(input, {
    lines,
    total,
    refunds,
    cashRounding,
    currency: input.currency,
    approvals: used,
    noReceipt: true,
  });
}

function noReceiptLine(
  pricesIncludeTax: boolean,
  request: NoReceiptRequestLine,
  returnLineId: string,
): ReturnLineRecord {
  const gross = extendPrice(request.lowestRecentUnitPrice, request.quantity, 'half-up');
  const rates = request.taxes.map((t) => t.rate);
  let amounts: Minor[];
  let base: Minor;
  if (pricesIncludeTax) {
    const rateSum = rates.reduce((sum, r) => sum + r, 0);
    base = mulDiv(gross, RATE_SCALE, RATE_SCALE + rateSum, 'half-up');
    amounts = allocate(gross - base, rates);
  } else {
    base = gross;
    amounts = rates.map((rate) => applyRate(gross, rate, 'half-up'));
  }
  const taxes: LineTax[] = request.taxes.map((t, i) => ({
    taxId: t.taxId,
    name: t.name,
    rate: t.rate,
    base,
    amount: amounts[i] ?? 0,
  }));
  const tax = amounts.reduce((sum, a) => sum + a, 0);
  return {
    returnLineId,
    productId: request.productId,
    sku: request.sku,
    name: request.name,
    quantity: request.quantity,
    total: pricesIncludeTax ? gross : gross + tax,
    net: gross,
    discount: 0,
    taxes,
    tax,
    disposition: request.disposition,
    reason: request.reason,
  };
}

interface RecordParts {
  readonly lines: readonly ReturnLineRecord[];
  readonly total: Minor;
  readonly refunds: readonly TenderRecord[];
  readonly cashRounding: Minor;
  readonly currency: string;
  readonly approvals: readonly ApprovalRecord[];
  readonly noReceipt: boolean;
  readonly sale?: SaleRecord;
}

function buildRecord(input: PlanReturnCommon, parts: RecordParts): ReturnRecord {
  const taxes = summarizeTaxes(parts.lines);
  const customerId = input.customerId ?? parts.sale?.customerId;
  return {
    returnId: input.returnId,
    receiptNumber: input.receiptNumber,
    storeId: input.storeId,
    deviceId: input.deviceId,
    shiftId: input.shiftId,
    cashierId: input.actor.staffId,
    ...(customerId === undefined ? {} : { customerId }),
    ...(parts.sale === undefined
      ? {}
      : { originalSaleId: parts.sale.saleId, originalReceiptNumber: parts.sale.receiptNumber }),
    currency: parts.currency,
    createdAt: input.now,
    lines: parts.lines,
    total: parts.total,
    tax: taxes.reduce((sum, t) => sum + t.amount, 0),
    taxes,
    cashRounding: parts.cashRounding,
    refunds: parts.refunds,
    noReceipt: parts.noReceipt,
    ...(input.exchangeSaleId === undefined ? {} : { exchangeSaleId: input.exchangeSaleId }),
    approvals: parts.approvals,
  };
}

/** Taxes of the return by taxId, in the order they first appear on its lines. */
function summarizeTaxes(lines: readonly ReturnLineRecord[]): TaxSummaryRecord[] {
  const byId = new Map<string, { taxId: string; name: string; rate: number; base: Minor; amount: Minor }>();
  for (const line of lines) {
    for (const tax of line.taxes) {
      const summary = byId.get(tax.taxId);
      if (summary === undefined) {
        byId.set(tax.taxId, { ...tax });
      } else {
        summary.base += tax.base;
        summary.amount += tax.amount;
      }
    }
  }
  return [...byId.values()];
}

// ---------------------------------------------------------------------------------------------
// Exchange

export interface ExchangeSettlement {
  /** What the returned goods are worth (the return's total). */
  readonly returnTotal: Minor;
  readonly newSaleTotal: Minor;
  /** The part of the return's value that pays for the new goods. */
  readonly appliedToNewSale: Minor;
  /** What the customer still pays for the new goods (0 when the return covers them). */
  readonly customerPays: Minor;
  /** What the customer gets back (0 when the new goods cost as much or more). */
  readonly customerGetsBack: Minor;
}

/**
 * Nets a return against the replacement goods of an exchange: exactly one of `customerPays` and
 * `customerGetsBack` is non-zero, or both are zero for an even exchange. Cash rounding of whatever
 * changes hands is applied where it is tendered.
 */
export function netExchange(
  ret: ReturnRecord,
  newSale: { readonly total: Minor; readonly currency: string },
): ExchangeSettlement {
  if (newSale.currency !== ret.currency) {
    throw new DomainError(
      'currency_mismatch',
      `The exchange is in ${newSale.currency} but the return was in ${ret.currency}.`,
      { expected: ret.currency, actual: newSale.currency },
    );
  }
  if (!Number.isSafeInteger(newSale.total) || newSale.total < 0) {
    throw new RangeError(`exchange sale total must be a non-negative integer, got ${newSale.total}`);
  }
  const applied = Math.min(ret.total, newSale.total);
  return {
    returnTotal: ret.total,
    newSaleTotal: newSale.total,
    appliedToNewSale: applied,
    customerPays: newSale.total - applied,
    customerGetsBack: ret.total - applied,
  };
}
