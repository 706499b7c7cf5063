/**
 * Shift reports and closing. An X report (any time) and a Z report (at close) are the same figures
 * computed in one pass over the shift's events: sales, returns, discounts, voids, taxes by rate,
 * tenders, by hour, by cashier, and the cash the drawer should hold. Every figure is an integer sum
 * and every list is sorted on its key, so the report depends only on the set of events, not on the
 * order they arrive in (replication may deliver them out of order) — a Z report rebuilt from the
 * same events is identical.
 *
 * Returns count in the shift where they were made, not the shift of the original sale, so each
 * drawer's cash balances.
 */
import { DomainError } from './errors.ts';
import { formatMoney, mulDiv, QUANTITY_SCALE, type Minor } from './money.ts';
import {
  DEFAULT_ROLE_POLICIES,
  approveAction,
  type Actor,
  type GrantedApproval,
  type ApprovalRecord,
  type Permission,
  type Role,
  type RolePolicy,
} from './permissions.ts';
import type {
  AppliedDiscount,
  CashMovementRecord,
  DenominationCount,
  ReturnRecord,
  SaleRecord,
  ShiftClosedRecord,
  ShiftOpenedRecord,
  TenderCount,
  TenderType,
} from './records.ts';

export type ShiftEvent =
  | { readonly type: 'shift.opened'; readonly record: ShiftOpenedRecord }
  | { readonly type: 'sale.completed'; readonly record: SaleRecord }
  | { readonly type: 'return.completed'; readonly record: ReturnRecord }
  | { readonly type: 'cash.moved'; readonly record: CashMovementRecord }
  | { readonly type: 'shift.closed'; readonly record: ShiftClosedRecord };

export interface ShiftReportOptions {
  readonly kind: 'X' | 'Z';
  /** The store's offset from UTC in minutes (+120 for CEST), for the by-hour table. Default 0. */
  readonly utcOffsetMinutes?: number;
  /**
   * The local hour an instant falls in, as a label that sorts in time order ('2024-05-01T14').
   * Use it where the offset changes within a shift (daylight saving); it replaces the offset.
   */
  readonly hourOf?: (iso: string) => string;
}

/** The tender types in the order reports list them. */
export const TENDER_TYPES: readonly TenderType[] = ['cash', 'card', 'gift_card', 'store_credit'];

export interface DiscountSummary {
  readonly source: AppliedDiscount['source'];
  readonly promotionId?: string;
  readonly couponCode?: string;
  /** The alphabetically first description seen, so the label does not depend on event order. */
  readonly description: string;
  /** Lines it applied to. */
  readonly lines: number;
  readonly amount: Minor;
}

export interface TaxRateSummary {
  readonly taxId: string;
  readonly name: string;
  readonly rate: number;
  readonly salesBase: Minor;
  readonly salesAmount: Minor;
  readonly returnsBase: Minor;
  readonly returnsAmount: Minor;
  /** Sales minus returns. */
  readonly base: Minor;
  readonly amount: Minor;
}

export interface TenderSummary {
  readonly type: TenderType;
  readonly salesCount: number;
  /** Applied to sales (cash after change). */
  readonly sales: Minor;
  readonly refundsCount: number;
  readonly refunds: Minor;
  /** sales − refunds */
  readonly net: Minor;
}

export interface HourSummary {
  /** Local hour, 'YYYY-MM-DDTHH' (or the label `hourOf` gave). */
  readonly hour: string;
  readonly salesCount: number;
  readonly returnsCount: number;
  /** Sales totals minus return totals in that hour. */
  readonly net: Minor;
}

export interface CashierSummary {
  readonly cashierId: string;
  readonly salesCount: number;
  readonly sales: Minor;
  readonly returnsCount: number;
  readonly returns: Minor;
  readonly net: Minor;
  readonly voidedLines: number;
  readonly voidedAmount: Minor;
}

export interface CashSummary {
  readonly openingFloat: Minor;
  /** Cash applied to sales (received − change). */
  readonly sales: Minor;
  readonly refunds: Minor;
  readonly paidIn: Minor;
  readonly paidOut: Minor;
  readonly drops: Minor;
  readonly noSales: number;
  readonly changeGiven: Minor;
  /** float + sales − refunds + paid in − paid out − drops */
  readonly expected: Minor;
}

export interface ShiftReport {
  readonly kind: 'X' | 'Z';
  readonly shiftId: string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly currency: string;
  readonly openedAt: string;
  readonly openedBy: string;
  /** The latest instant among the events (the opening when there is nothing else). */
  readonly lastEventAt: string;
  readonly eventCount: number;
  /** The closing record, when the events include it (a reprinted Z report). */
  readonly closed?: ShiftClosedRecord;

  readonly salesCount: number;
  readonly returnsCount: number;
  /** Units of counted goods plus one per line of measured goods (see `itemCount`). */
  readonly itemsSold: number;
  readonly itemsReturned: number;
  /** Σ sale subtotals: before discounts, in the sales' price mode. */
  readonly grossSales: Minor;
  /** Σ discounts given on sales. */
  readonly discounts: Minor;
  /** Σ the discount share of returned lines. */
  readonly discountsReturned: Minor;
  /** Σ sale totals: what customers were charged. */
  readonly salesTotal: Minor;
  /** Σ return totals: what customers got back. */
  readonly returnsTotal: Minor;
  /** salesTotal − returnsTotal */
  readonly netSales: Minor;
  readonly salesTax: Minor;
  readonly returnsTax: Minor;
  readonly netTax: Minor;
  /** Cash rounding on sales minus cash rounding on refunds. */
  readonly cashRounding: Minor;
  /** salesTotal ÷ salesCount, half-up; 0 without sales. */
  readonly averageBasket: Minor;
  readonly voids: { readonly lines: number; readonly amount: Minor };
  /** Largest amount first. */
  readonly discountsBySource: readonly DiscountSummary[];
  /** Highest rate first. */
  readonly taxes: readonly TaxRateSummary[];
  /** Every tender type, in TENDER_TYPES order. */
  readonly tenders: readonly TenderSummary[];
  readonly byHour: readonly HourSummary[];
  readonly byCashier: readonly CashierSummary[];
  readonly cash: CashSummary;
}

/** Whole units for counted goods (3.000 → 3); one for a measured quantity (0.375 kg → 1). */
export function itemCount(quantity: number): number {
  return quantity % QUANTITY_SCALE === 0 ? quantity / QUANTITY_SCALE : 1;
}

interface DiscountAcc {
  source: AppliedDiscount['source'];
  promotionId?: string;
  couponCode?: string;
  description: string;
  lines: number;
  amount: Minor;
}

interface TaxAcc {
  taxId: string;
  name: string;
  rate: number;
  salesBase: Minor;
  salesAmount: Minor;
  returnsBase: Minor;
  returnsAmount: Minor;
}

interface TenderAcc {
  salesCount: number;
  sales: Minor;
  refundsCount: number;
  refunds: Minor;
}

interface HourAcc {
  salesCount: number;
  returnsCount: number;
  net: Minor;
}

interface CashierAcc {
  salesCount: number;
  sales: Minor;
  returnsCount: number;
  returns: Minor;
  voidedLines: number;
  voidedAmount: Minor;
}

const HOUR_MS = 3_600_000;

function invalid(
  message: string,
  params: Readonly<Record<string, string | number | boolean>> = {},
): DomainError {
  return new DomainError('invalid_shift', message, params);
}

function instant(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw invalid(`The ${what} time "${iso}" is not a valid date and time.`, { iso });
  return ms;
}

function discountKey(d: AppliedDiscount): string {
  return d.source === 'manual'
    ? 'manual'
    : `${d.source}\u0000${d.promotionId ?? ''}\u0000${d.couponCode ?? ''}`;
}

function hourLabel(hourIndex: number): string {
  return new Date(hourIndex * HOUR_MS).toISOString().slice(0, 13);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Builds the X or Z report of one shift from its events, in one pass. Refuses ('invalid_shift')
 * events of another shift, another currency, a second opening or closing, a missing opening,
 * anything recorded after the closing, and the same sale, return or movement twice.
 */
export function buildShiftReport(events: readonly ShiftEvent[], options: ShiftReportOptions): ShiftReport {
  const offsetMs = (options.utcOffsetMinutes ?? 0) * 60_000;
  const hourOf = options.hourOf;

  let shiftId: string | undefined;
  let currency: string | undefined;
  let opened: ShiftOpenedRecord | undefined;
  let closed: ShiftClosedRecord | undefined;
  let lastMs = Number.NEGATIVE_INFINITY;
  let lastAt = '';

  const seen = new Set<string>();
  let salesCount = 0;
  let returnsCount = 0;
  let itemsSold = 0;
  let itemsReturned = 0;
  let grossSales = 0;
  let discounts = 0;
  let discountsReturned = 0;
  let salesTotal = 0;
  let returnsTotal = 0;
  let salesTax = 0;
  let returnsTax = 0;
  let salesRounding = 0;
  let returnsRounding = 0;
  let voidedLines = 0;
  let voidedAmount = 0;
  let changeGiven = 0;
  let paidIn = 0;
  let paidOut = 0;
  let drops = 0;
  let noSales = 0;

  const discountMap = new Map<string, DiscountAcc>();
  const taxMap = new Map<string, TaxAcc>();
  const tenderMap = new Map<TenderType, TenderAcc>(
    TENDER_TYPES.map((t) => [t, { salesCount: 0, sales: 0, refundsCount: 0, refunds: 0 }]),
  );
  const hourMap = new Map<string | number, HourAcc>();
  const cashierMap = new Map<string, CashierAcc>();

  const cashierOf = (id: string): CashierAcc => {
    let acc = cashierMap.get(id);
    if (acc === undefined) {
      acc = { salesCount: 0, sales: 0, returnsCount: 0, returns: 0, voidedLines: 0, voidedAmount: 0 };
      cashierMap.set(id, acc);
    }
    return acc;
  };
  const hourAcc = (iso: string, ms: number): HourAcc => {
    const key = hourOf === undefined ? Math.floor((ms + offsetMs) / HOUR_MS) : hourOf(iso);
    let acc = hourMap.get(key);
    if (acc === undefined) {
      acc = { salesCount: 0, returnsCount: 0, net: 0 };
      hourMap.set(key, acc);
    }
    return acc;
  };
  const taxAcc = (taxId: string, name: string, rate: number): TaxAcc => {
    const key = `${taxId}\u0000${rate}`;
    let acc = taxMap.get(key);
    if (acc === undefined) {
      acc = { taxId, name, rate, salesBase: 0, salesAmount: 0, returnsBase: 0, returnsAmount: 0 };
      taxMap.set(key, acc);
    } else if (name < acc.name) {
      acc.name = name;
    }
    return acc;
  };
  const tenderAcc = (type: TenderType): TenderAcc => {
    const acc = tenderMap.get(type);
    // Records arrive from storage and the wire; an unknown type is refused, not silently dropped.
    if (acc === undefined) throw invalid(`"${type}" is not a tender type.`);
    return acc;
  };
  const once = (kind: string, id: string): void => {
    const key = `${kind}\u0000${id}`;
    if (seen.has(key)) throw invalid(`The ${kind} ${id} appears twice in the shift.`, { id });
    seen.add(key);
  };
  const at = (iso: string, what: string): number => {
    const ms = instant(iso, what);
    if (ms > lastMs || (ms === lastMs && iso > lastAt)) {
      lastMs = ms;
      lastAt = iso;
    }
    return ms;
  };

  for (const event of events) {
    const record = event.record;
    if (closed !== undefined) {
      throw invalid(`Shift ${closed.shiftId} is closed; nothing can be recorded in it after the close.`, {
        shiftId: closed.shiftId,
      });
    }
    if (shiftId === undefined) shiftId = record.shiftId;
    else if (record.shiftId !== shiftId) {
      throw invalid(`An event of shift ${record.shiftId} was given with shift ${shiftId}.`, {
        expected: shiftId,
        actual: record.shiftId,
      });
    }
    if (currency === undefined) currency = record.currency;
    else if (record.currency !== currency) {
      throw invalid(
        `Shift ${shiftId} is in ${currency}; an event in ${record.currency} cannot be part of it.`,
        {
          expected: currency,
          actual: record.currency,
        },
      );
    }

    switch (event.type) {
      case 'shift.opened': {
        if (opened !== undefined) throw invalid(`Shift ${shiftId} was opened twice.`, { shiftId });
        opened = event.record;
        at(opened.openedAt, 'opening');
        break;
      }
      case 'shift.closed': {
        closed = event.record;
        break;
      }
      case 'sale.completed': {
        const sale = event.record;
        once('sale', sale.saleId);
        const ms = at(sale.completedAt, 'sale');
        salesCount += 1;
        grossSales += sale.subtotal;
        discounts += sale.discount;
        salesTotal += sale.total;
        salesTax += sale.tax;
        salesRounding += sale.cashRounding;
        changeGiven += sale.change;
        for (const line of sale.lines) {
          itemsSold += itemCount(line.quantity);
          for (const d of line.discounts) {
            const key = discountKey(d);
            const acc = discountMap.get(key);
            if (acc === undefined) {
              discountMap.set(key, {
                source: d.source,
                ...(d.source !== 'manual' && d.promotionId !== undefined
                  ? { promotionId: d.promotionId }
                  : {}),
                ...(d.source !== 'manual' && d.couponCode !== undefined ? { couponCode: d.couponCode } : {}),
                description: d.description,
                lines: 1,
                amount: d.amount,
              });
            } else {
              acc.lines += 1;
              acc.amount += d.amount;
              if (d.description < acc.description) acc.description = d.description;
            }
          }
        }
        for (const t of sale.taxes) {
          const acc = taxAcc(t.taxId, t.name, t.rate);
          acc.salesBase += t.base;
          acc.salesAmount += t.amount;
        }
        for (const t of sale.tenders) {
          const acc = tenderAcc(t.type);
          acc.salesCount += 1;
          acc.sales += t.amount;
        }
        const cashierAcc = cashierOf(sale.cashierId);
        cashierAcc.salesCount += 1;
        cashierAcc.sales += sale.total;
        for (const v of sale.voidedLines) {
          voidedLines += 1;
          voidedAmount += v.amount;
          const voider = cashierOf(v.voidedBy);
          voider.voidedLines += 1;
          voider.voidedAmount += v.amount;
        }
        const hour = hourAcc(sale.completedAt, ms);
        hour.salesCount += 1;
        hour.net += sale.total;
        break;
      }
      case 'return.completed': {
        const ret = event.record;
        once('return', ret.returnId);
        const ms = at(ret.createdAt, 'return');
        returnsCount += 1;
        returnsTotal += ret.total;
        returnsTax += ret.tax;
        returnsRounding += ret.cashRounding;
        for (const line of ret.lines) {
          itemsReturned += itemCount(line.quantity);
          discountsReturned += line.discount;
        }
        for (const t of ret.taxes) {
          const acc = taxAcc(t.taxId, t.name, t.rate);
          acc.returnsBase += t.base;
          acc.returnsAmount += t.amount;
        }
        for (const t of ret.refunds) {
          const acc = tenderAcc(t.type);
          acc.refundsCount += 1;
          acc.refunds += t.amount;
        }
        const cashierAcc = cashierOf(ret.cashierId);
        cashierAcc.returnsCount += 1;
        cashierAcc.returns += ret.total;
        const hour = hourAcc(ret.createdAt, ms);
        hour.returnsCount += 1;
        hour.net -= ret.total;
        break;
      }
      case 'cash.moved': {
        const move = event.record;
        once('cash movement', move.movementId);
        at(move.at, 'cash movement');
        switch (move.kind) {
          case 'paid_in':
            paidIn += move.amount;
            break;
          case 'paid_out':
            paidOut += move.amount;
            break;
          case 'drop':
            drops += move.amount;
            break;
          case 'no_sale':
            noSales += 1;
            break;
        }
        break;
      }
    }
  }

  if (opened === undefined) throw invalid('These events do not include the opening of the shift.');
  if (closed !== undefined && lastMs > instant(closed.closedAt, 'closing')) {
    throw invalid(`Shift ${opened.shiftId} has events after its close at ${closed.closedAt}.`, {
      shiftId: opened.shiftId,
    });
  }

  const tenders = TENDER_TYPES.map((type): TenderSummary => {
    const acc = tenderAcc(type);
    return { type, ...acc, net: acc.sales - acc.refunds };
  });
  const cashTender = tenders[0] ?? { sales: 0, refunds: 0 };
  const expected = opened.openingFloat + cashTender.sales - cashTender.refunds + paidIn - paidOut - drops;

  return {
    kind: options.kind,
    shiftId: opened.shiftId,
    storeId: opened.storeId,
    deviceId: opened.deviceId,
    currency: opened.currency,
    openedAt: opened.openedAt,
    openedBy: opened.openedBy,
    lastEventAt: lastAt,
    eventCount: events.length,
    ...(closed === undefined ? {} : { closed }),
    salesCount,
    returnsCount,
    itemsSold,
    itemsReturned,
    grossSales,
    discounts,
    discountsReturned,
    salesTotal,
    returnsTotal,
    netSales: salesTotal - returnsTotal,
    salesTax,
    returnsTax,
    netTax: salesTax - returnsTax,
    cashRounding: salesRounding - returnsRounding,
    averageBasket: salesCount === 0 ? 0 : mulDiv(salesTotal, 1, salesCount, 'half-up'),
    voids: { lines: voidedLines, amount: voidedAmount },
    discountsBySource: [...discountMap.entries()]
      .sort(([ka, a], [kb, b]) => b.amount - a.amount || compare(ka, kb))
      .map(([, acc]) => acc),
    taxes: [...taxMap.values()]
      .sort((a, b) => b.rate - a.rate || compare(a.taxId, b.taxId))
      .map((acc) => ({
        ...acc,
        base: acc.salesBase - acc.returnsBase,
        amount: acc.salesAmount - acc.returnsAmount,
      })),
    tenders,
    byHour: [...hourMap.entries()]
      .map(([key, acc]) => ({ hour: typeof key === 'number' ? hourLabel(key) : key, ...acc }))
      .sort((a, b) => compare(a.hour, b.hour)),
    byCashier: [...cashierMap.entries()]
      .sort(([a], [b]) => compare(a, b))
      .map(([cashierId, acc]) => ({ cashierId, ...acc, net: acc.sales - acc.returns })),
    cash: {
      openingFloat: opened.openingFloat,
      sales: cashTender.sales,
      refunds: cashTender.refunds,
      paidIn,
      paidOut,
      drops,
      noSales,
      changeGiven,
      expected,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Closing

/** The blind count: counted without seeing the expected figures. */
export interface ShiftCount {
  readonly cash: readonly DenominationCount[];
  /** Totals counted for other tenders, e.g. the card terminal's batch total. */
  readonly others?: readonly { readonly type: Exclude<TenderType, 'cash'>; readonly counted: Minor }[];
}

export interface ClosePolicy {
  /** Largest |counted − expected| per tender accepted without 'shift.accept_variance'. */
  readonly varianceThreshold: Minor;
}

export interface CloseShiftInput {
  /** A Z report of the shift, built from all its events. */
  readonly report: ShiftReport;
  readonly count: ShiftCount;
  readonly policy: ClosePolicy;
  readonly actor: Actor;
  readonly approvals?: readonly GrantedApproval[];
  readonly rolePolicies?: Readonly<Record<Role, RolePolicy>>;
  /** The Z number for this close: the device's previous Z number + 1. */
  readonly zNumber: number;
  /** The device's last Z number; 0 before its first close. */
  readonly previousZNumber: number;
  /** The till clock, ISO 8601. */
  readonly closedAt: string;
}

/**
 * Closes a shift: compares the blind count with the Z report tender by tender (cash, plus every
 * other tender the count includes) and returns the ShiftClosedRecord to journal. Needs
 * 'shift.close', and 'shift.accept_variance' when any variance is over the threshold.
 */
export function closeShift(input: CloseShiftInput): ShiftClosedRecord {
  const { report, count } = input;
  if (report.kind !== 'Z') throw invalid('A shift is closed from its Z report, not an X report.');
  if (report.closed !== undefined) {
    throw invalid(`Shift ${report.shiftId} is already closed (Z ${report.closed.zNumber}).`, {
      shiftId: report.shiftId,
    });
  }
  if (!Number.isSafeInteger(input.previousZNumber) || input.previousZNumber < 0) {
    throw new RangeError(`previous Z number must be a non-negative integer, got ${input.previousZNumber}`);
  }
  if (input.zNumber !== input.previousZNumber + 1) {
    throw invalid(
      `Z number ${input.zNumber} does not follow the last one (${input.previousZNumber}); Z numbers have no gaps.`,
      { zNumber: input.zNumber, expected: input.previousZNumber + 1 },
    );
  }
  if (instant(input.closedAt, 'closing') < instant(report.lastEventAt, 'last event')) {
    throw invalid(
      `The closing time ${input.closedAt} is before the shift's last event (${report.lastEventAt}).`,
    );
  }

  const policies = input.rolePolicies ?? DEFAULT_ROLE_POLICIES;
  const used: ApprovalRecord[] = [];
  const approve = (permission: Permission): void => {
    approveAction(input.actor, permission, input.approvals, used, policies);
  };
  approve('shift.close');

  const cashCount = mergeDenominations(count.cash);
  const countedCash = cashCount.reduce((sum, d) => sum + d.value * d.count, 0);
  if (!Number.isSafeInteger(countedCash)) throw invalid('The cash count is too large.');

  const tenders: TenderCount[] = [tenderCount('cash', report.cash.expected, countedCash)];
  const others = new Map<TenderType, Minor>();
  for (const other of count.others ?? []) {
    if (other.type === ('cash' as TenderType) || others.has(other.type)) {
      throw invalid(`${other.type} is counted twice.`, { type: other.type });
    }
    if (!Number.isSafeInteger(other.counted)) {
      throw new DomainError('invalid_quantity', `The ${other.type} total must be a whole amount.`, {
        type: other.type,
      });
    }
    others.set(other.type, other.counted);
  }
  for (const summary of report.tenders) {
    const counted = others.get(summary.type);
    if (counted !== undefined) tenders.push(tenderCount(summary.type, summary.net, counted));
  }

  const over = tenders.filter((t) => Math.abs(t.variance) > input.policy.varianceThreshold);
  if (over.length > 0) {
    const first = over[0];
    try {
      approve('shift.accept_variance');
    } catch (error) {
      if (error instanceof DomainError && error.code === 'permission_denied' && first !== undefined) {
        throw new DomainError(
          'permission_denied',
          `The ${first.type} count is ${formatMoney(first.variance, report.currency)} off what was expected; ` +
            `a variance over ${formatMoney(input.policy.varianceThreshold, report.currency)} needs a manager's approval.`,
          { permission: 'shift.accept_variance', type: first.type, variance: first.variance },
        );
      }
      throw error;
    }
  }

  return {
    shiftId: report.shiftId,
    storeId: report.storeId,
    deviceId: report.deviceId,
    closedBy: input.actor.staffId,
    closedAt: input.closedAt,
    currency: report.currency,
    zNumber: input.zNumber,
    cashCount,
    tenders,
    approvals: used,
  };
}

function tenderCount(type: TenderType, expected: Minor, counted: Minor): TenderCount {
  return { type, expected, counted, variance: counted - expected };
}

/** Validates the denomination count and merges repeated values; largest value first. */
function mergeDenominations(counts: readonly DenominationCount[]): DenominationCount[] {
  const byValue = new Map<Minor, number>();
  for (const { value, count } of counts) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new DomainError('invalid_quantity', `${value} is not a coin or note value.`, { value });
    }
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new DomainError('invalid_quantity', 'Count each coin and note as a whole number, zero or more.', {
        value,
        count,
      });
    }
    byValue.set(value, (byValue.get(value) ?? 0) + count);
  }
  return [...byValue.entries()].sort(([a], [b]) => b - a).map(([value, count]) => ({ value, count }));
}
