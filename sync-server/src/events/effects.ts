/**
 * Domain effects of a valid event on the stock ledger, loyalty balances and gift-card / store-credit
 * accounts. A sale line takes its quantity out, a restocked return line puts it back, `stock.moved` is
 * one ledger row, `stock.counted` resets the projection, `loyalty.accrued` adds points once per sale. A
 * sale tender paid from a gift card or store credit debits that account; a return refund paid to one
 * credits it.
 * Movement ids of sale/return lines are derived from (event id, line id), and those of account tenders from
 * (event id, tender id), so an event applied twice, or a till that also sent the movement itself, lands
 * on the same ledger key.
 *
 * The payload was validated against its schema before this runs; these readers still check every field
 * they use, because the schema registry is pluggable and a wrong effect is worse than a quarantine.
 */
import { lineMovementId, tenderMovementId } from '../derived-ids.ts';

export interface Movement {
  readonly movementId: string;
  readonly storeId: string;
  readonly productId: string;
  /** Signed change of on-hand, thousandths of the unit. */
  readonly qtyDelta: number;
  readonly reason: string;
  readonly eventId: string;
  readonly occurredAt: string;
}

export interface StockCount {
  readonly countId: string;
  readonly storeId: string;
  readonly productId: string;
  readonly quantity: number;
  readonly eventId: string;
  readonly countedAt: string;
}

export interface LoyaltyAccrual {
  readonly saleId: string;
  readonly customerId: string;
  readonly storeId: string;
  readonly points: number;
  readonly eventId: string;
  readonly accruedAt: string;
}

export type AccountType = 'gift_card' | 'store_credit';

/** One row of the gift-card / store-credit ledger (`account_movements`). */
export interface AccountMovement {
  readonly movementId: string;
  readonly type: AccountType;
  readonly reference: string;
  /** Minor units of `currency`: negative = paid from the account, positive = paid back to it. */
  readonly amount: number;
  readonly currency: string;
  readonly reason: 'redeemed' | 'refunded';
  readonly storeId: string;
  readonly eventId: string;
  readonly occurredAt: string;
}

export interface Effects {
  readonly movements: readonly Movement[];
  readonly counts: readonly StockCount[];
  readonly accruals: readonly LoyaltyAccrual[];
  readonly accounts: readonly AccountMovement[];
}

export type EffectsResult =
  { readonly ok: true; readonly effects: Effects } | { readonly ok: false; readonly reason: string };

export interface EventFacts {
  readonly eventId: string;
  readonly storeId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly occurredAt: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

const NONE: Effects = { movements: [], counts: [], accruals: [], accounts: [] };

/** The longest tender reference the app's schema allows (tenderRecordSchema). */
const MAX_REFERENCE_LENGTH = 128;
const CURRENCY = /^[A-Z]{3}$/;

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64;
}

function qty(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

class Refused extends Error {}

/** `reason` is a function where building the message costs: this runs for every line of every push. */
function need(condition: boolean, reason: string | (() => string)): asserts condition {
  if (!condition) throw new Refused(typeof reason === 'string' ? reason : reason());
}

function sameStore(event: EventFacts, payloadStore: unknown): void {
  need(
    payloadStore === event.storeId,
    () => `payload storeId ${String(payloadStore)} is not the event's store`,
  );
}

function lines(payload: Readonly<Record<string, unknown>>): readonly Readonly<Record<string, unknown>>[] {
  const list = payload.lines;
  need(Array.isArray(list), 'payload has no lines');
  return list.map((line: unknown, index) => {
    need(isRecord(line), () => `line ${index} is not an object`);
    return line;
  });
}

function isAccountType(value: unknown): value is AccountType {
  return value === 'gift_card' || value === 'store_credit';
}

/**
 * The account movements of a sale's `tenders` (debits, 'redeemed') or a return's `refunds` (credits,
 * 'refunded'). Other tender types have no account here. A list a registry's schema left out means none.
 * A sale paid from an account it does not name cannot be booked, so it is quarantined for a person to
 * look at; a refund to store credit without an account (a no-receipt return may give one) credits none.
 */
function accountMovements(event: EventFacts, field: 'tenders' | 'refunds'): readonly AccountMovement[] {
  const list = event.payload[field];
  if (list === undefined) return [];
  need(Array.isArray(list), () => `payload ${field} is not a list`);
  const debit = field === 'tenders';
  const out: AccountMovement[] = [];
  list.forEach((tender: unknown, index) => {
    need(isRecord(tender), () => `${field} ${index} is not an object`);
    if (!isAccountType(tender.type)) return;
    need(
      str(tender.tenderId) && qty(tender.amount) && tender.amount >= 0,
      () => `${field} ${index} lacks tenderId/amount`,
    );
    if (tender.amount === 0) return;
    if (tender.reference === undefined && !debit) return;
    const reference = tender.reference;
    need(
      typeof reference === 'string' && reference.length > 0 && reference.length <= MAX_REFERENCE_LENGTH,
      () => `${field} ${index} (${String(tender.type)}) names no account`,
    );
    const currency = event.payload.currency;
    need(typeof currency === 'string' && CURRENCY.test(currency), 'payload has no currency');
    out.push({
      movementId: tenderMovementId(event.eventId, tender.tenderId),
      type: tender.type,
      reference,
      amount: debit ? -tender.amount : tender.amount,
      currency,
      reason: debit ? 'redeemed' : 'refunded',
      storeId: event.storeId,
      eventId: event.eventId,
      occurredAt: event.occurredAt,
    });
  });
  return out;
}

export function eventEffects(event: EventFacts): EffectsResult {
  try {
    return { ok: true, effects: read(event) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message };
    throw error;
  }
}

function read(event: EventFacts): Effects {
  const { payload } = event;
  const base = { storeId: event.storeId, eventId: event.eventId, occurredAt: event.occurredAt };
  switch (`${event.type}@${event.schemaVersion}`) {
    case 'sale.completed@1': {
      sameStore(event, payload.storeId);
      const movements = lines(payload).map((line, index): Movement => {
        need(
          str(line.lineId) && str(line.productId) && qty(line.quantity),
          () => `line ${index} lacks lineId/productId/quantity`,
        );
        return {
          ...base,
          movementId: lineMovementId(event.eventId, line.lineId),
          productId: line.productId,
          qtyDelta: -line.quantity,
          reason: 'sale',
        };
      });
      return { movements, counts: [], accruals: [], accounts: accountMovements(event, 'tenders') };
    }
    case 'return.completed@1': {
      sameStore(event, payload.storeId);
      const movements: Movement[] = [];
      lines(payload).forEach((line, index) => {
        need(
          str(line.returnLineId) && str(line.productId) && qty(line.quantity),
          () => `line ${index} lacks returnLineId/productId/quantity`,
        );
        // Written-off goods never go back on the shelf.
        if (line.disposition !== 'restock') return;
        movements.push({
          ...base,
          movementId: lineMovementId(event.eventId, line.returnLineId),
          productId: line.productId,
          qtyDelta: line.quantity,
          reason: 'return',
        });
      });
      return { movements, counts: [], accruals: [], accounts: accountMovements(event, 'refunds') };
    }
    case 'stock.moved@1': {
      sameStore(event, payload.storeId);
      need(
        str(payload.movementId) && str(payload.productId) && qty(payload.quantity),
        'movement lacks fields',
      );
      need(typeof payload.reason === 'string', 'movement lacks a reason');
      return {
        movements: [
          {
            ...base,
            movementId: payload.movementId,
            productId: payload.productId,
            qtyDelta: payload.quantity,
            reason: payload.reason,
          },
        ],
        counts: [],
        accruals: [],
        accounts: [],
      };
    }
    case 'stock.counted@1': {
      sameStore(event, payload.storeId);
      need(str(payload.countId) && str(payload.productId) && qty(payload.quantity), 'count lacks fields');
      return {
        movements: [],
        accruals: [],
        accounts: [],
        counts: [
          {
            countId: payload.countId,
            storeId: event.storeId,
            productId: payload.productId,
            quantity: payload.quantity,
            eventId: event.eventId,
            countedAt: event.occurredAt,
          },
        ],
      };
    }
    case 'loyalty.accrued@1': {
      sameStore(event, payload.storeId);
      need(str(payload.saleId) && str(payload.customerId), 'accrual lacks saleId/customerId');
      need(qty(payload.points) && payload.points >= 0, 'accrual points must be a non-negative integer');
      return {
        movements: [],
        counts: [],
        accounts: [],
        accruals: [
          {
            saleId: payload.saleId,
            customerId: payload.customerId,
            storeId: event.storeId,
            points: payload.points,
            eventId: event.eventId,
            accruedAt: event.occurredAt,
          },
        ],
      };
    }
    default:
      return NONE;
  }
}
