/**
 * Holds on gift cards and store credit (migration 009): the till authorises what the cashier tenders
 * from an account before it takes the payment, and the sale's push captures the hold when it books the
 * debit (events/push-events.ts). What an account may still pay is its ledger balance less its active
 * holds, decided under the account's lock, so two tills spending one card at the same moment cannot
 * both take more than it holds.
 *
 * A hold is active until it is captured, released by the till that placed it, or expires. Times are the
 * server's clock passed in (`now`), never the database's, so that one clock decides (and tests move it).
 */
import type { AccountBalance, AccountType } from './accounts.ts';
import { accountBalance, lockAccount, MAX_ACCOUNT_AMOUNT } from './accounts.ts';
import type { DbAdapter, Queryable } from './db/adapter.ts';

/**
 * How long a hold keeps its amount from other tills when nobody captures or releases it. It must outlast
 * the time from tender to push: a till may lose its connection right after the hold and complete the sale
 * offline, and its debit only arrives when it is back; while the hold lives no other till can spend that
 * money meanwhile. A day covers a till that is offline until the next opening, yet an abandoned sale
 * whose release was lost (the till crashed, the network fell) ties up a customer's money for at most a
 * day. Configurable per server (`ServerOptions.accountHoldTtlMs`).
 */
export const DEFAULT_HOLD_TTL_MS = 24 * 60 * 60 * 1000;

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const HOLD_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['holdId', 'saleId', 'amount', 'currency'],
  properties: {
    /** The till's idempotency key: a retry after a lost answer sends the same id. */
    holdId: { type: 'string', pattern: UUID },
    /** The sale whose push captures the hold (its `payload.saleId`). */
    saleId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' },
    amount: { type: 'integer', minimum: 1, maximum: MAX_ACCOUNT_AMOUNT },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  },
} as const;

export interface HoldRequest {
  readonly holdId: string;
  readonly saleId: string;
  readonly amount: number;
  readonly currency: string;
}

export interface HoldPlacer {
  readonly deviceId: string;
  readonly storeId: string;
}

export interface PlacedHold {
  readonly holdId: string;
  readonly amount: number;
  readonly currency: string;
  /** What the account may still pay once this hold is counted (minor units). */
  readonly available: number;
  readonly expiresAt: string;
}

export type HoldOutcome =
  | { readonly kind: 'placed' | 'replayed'; readonly hold: PlacedHold }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'currency_mismatch'; readonly currency: string }
  /** The account cannot cover the amount: what it may pay now. */
  | { readonly kind: 'insufficient'; readonly available: number; readonly currency: string }
  /** The hold id is taken by another request (another account, sale, amount, or device). */
  | { readonly kind: 'conflict' }
  /** The same request again, but the hold was released or has expired meanwhile. */
  | { readonly kind: 'inactive'; readonly state: 'released' | 'expired' };

export type ReleaseOutcome =
  | { readonly kind: 'released' | 'already_released' | 'captured' }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'forbidden' };

/** An account's ledger balance and what it may pay now (ledger less active holds). */
export interface AccountAvailability extends AccountBalance {
  readonly held: number;
  readonly available: number;
}

/** Sum of the account's active holds in `currency` at `now`. */
async function heldAmount(
  db: Queryable,
  type: AccountType,
  reference: string,
  currency: string,
  now: Date,
): Promise<number> {
  const rows = await db.query<{ held: string }>(
    `select coalesce(sum(amount), 0)::text as held from account_holds
      where type = $1 and reference = $2 and currency = $3
        and captured_at is null and released_at is null and expires_at > $4`,
    [type, reference, currency, now.toISOString()],
  );
  return Number(rows[0]?.held ?? 0);
}

/** The account's balances at `now`, or undefined when it has no movements. */
export async function accountAvailability(
  db: Queryable,
  type: AccountType,
  reference: string,
  now: Date,
): Promise<AccountAvailability | undefined> {
  const account = await accountBalance(db, type, reference);
  if (account === undefined) return undefined;
  const held = await heldAmount(db, type, reference, account.currency, now);
  return { ...account, held, available: account.balance - held };
}

interface HoldRow {
  readonly type: AccountType;
  readonly reference: string;
  readonly amount: string;
  readonly currency: string;
  readonly sale_id: string;
  readonly device_id: string;
  readonly available_after: string;
  readonly expires_at: string;
  readonly expires_ms: string;
  readonly captured: boolean;
  readonly released: boolean;
}

async function readHold(db: Queryable, holdId: string): Promise<HoldRow | undefined> {
  const rows = await db.query<HoldRow>(
    `select type, reference, amount::text, currency, sale_id, device_id, available_after::text,
            iso(expires_at) as expires_at, (extract(epoch from expires_at) * 1000)::bigint::text as expires_ms,
            captured_at is not null as captured, released_at is not null as released
       from account_holds where hold_id = $1`,
    [holdId],
  );
  return rows[0];
}

/** The answer for a hold id that is already used, as the first answer gave it when it is the same hold. */
function replay(
  row: HoldRow,
  holdId: string,
  type: AccountType,
  reference: string,
  request: HoldRequest,
  placer: HoldPlacer,
  now: Date,
): HoldOutcome {
  const same =
    row.type === type &&
    row.reference === reference &&
    Number(row.amount) === request.amount &&
    row.currency === request.currency &&
    row.sale_id === request.saleId &&
    row.device_id === placer.deviceId;
  if (!same) return { kind: 'conflict' };
  // A captured hold did its work: the retry is answered as the first request was.
  if (row.released) return { kind: 'inactive', state: 'released' };
  if (!row.captured && Number(row.expires_ms) <= now.getTime()) return { kind: 'inactive', state: 'expired' };
  return {
    kind: 'replayed',
    hold: {
      holdId,
      amount: Number(row.amount),
      currency: row.currency,
      available: Number(row.available_after),
      expiresAt: row.expires_at,
    },
  };
}

/**
 * Places a hold of `request.amount` on the account for the placer's sale, if the account can cover it.
 * One transaction under the account's lock: the available amount it reads cannot change before the hold
 * is inserted. Idempotent by hold id.
 */
export async function placeHold(
  db: DbAdapter,
  type: AccountType,
  reference: string,
  request: HoldRequest,
  placer: HoldPlacer,
  now: Date,
  ttlMs: number = DEFAULT_HOLD_TTL_MS,
): Promise<HoldOutcome> {
  const holdId = request.holdId.toLowerCase();
  return db.transaction(async (tx): Promise<HoldOutcome> => {
    await lockAccount(tx, type, reference);
    // Read after the lock: this statement's snapshot holds every hold placed on the account before.
    const existing = await readHold(tx, holdId);
    if (existing !== undefined) return replay(existing, holdId, type, reference, request, placer, now);
    const account = await accountAvailability(tx, type, reference, now);
    if (account === undefined) return { kind: 'not_found' };
    if (account.currency !== request.currency)
      return { kind: 'currency_mismatch', currency: account.currency };
    if (request.amount > account.available) {
      return { kind: 'insufficient', available: Math.max(account.available, 0), currency: account.currency };
    }
    const available = account.available - request.amount;
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    const inserted = await tx.query<{ hold_id: string }>(
      `insert into account_holds (hold_id, type, reference, amount, currency, sale_id, device_id, store_id,
                                  available_after, created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict (hold_id) do nothing
       returning hold_id`,
      [
        holdId,
        type,
        reference,
        request.amount,
        request.currency,
        request.saleId,
        placer.deviceId,
        placer.storeId,
        available,
        now.toISOString(),
        expiresAt,
      ],
    );
    if (inserted.length === 0) {
      // Taken meanwhile by a request for another account (which holds another lock).
      const taken = await readHold(tx, holdId);
      return taken === undefined
        ? { kind: 'conflict' }
        : replay(taken, holdId, type, reference, request, placer, now);
    }
    return {
      kind: 'placed',
      hold: { holdId, amount: request.amount, currency: request.currency, available, expiresAt },
    };
  });
}

/**
 * Releases a hold of the device's; releasing one already released (or expired) answers the same, and a
 * captured hold stays captured (its sale's debit is booked: there is nothing to give back).
 */
export async function releaseHold(
  db: Queryable,
  holdId: string,
  deviceId: string,
  now: Date,
): Promise<ReleaseOutcome> {
  const id = holdId.toLowerCase();
  const updated = await db.query<{ hold_id: string }>(
    `update account_holds set released_at = $3
      where hold_id = $1 and device_id = $2 and captured_at is null and released_at is null
      returning hold_id`,
    [id, deviceId, now.toISOString()],
  );
  if (updated.length > 0) return { kind: 'released' };
  const row = await readHold(db, id);
  if (row === undefined) return { kind: 'not_found' };
  if (row.device_id !== deviceId) return { kind: 'forbidden' };
  return { kind: row.captured ? 'captured' : 'already_released' };
}
