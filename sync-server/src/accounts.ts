/**
 * Gift cards and store credit (migration 008): chain-wide accounts named by (type, reference), whose
 * balance is the sum of their movements. HQ issues a card or adds credit here; tills redeem through
 * their sale events (events/effects.ts) and read a balance before they take an account as payment.
 *
 * An account has one currency: that of its first movement. Its balance counts the movements in that
 * currency; a till of a store in another currency cannot spend it (the till compares currencies), and
 * a movement in another currency that arrives anyway is kept and flagged by the push.
 */
import type { DbAdapter, Queryable } from './db/adapter.ts';
import type { AccountType } from './events/effects.ts';

export type { AccountType } from './events/effects.ts';

export const ACCOUNT_TYPES: readonly AccountType[] = ['gift_card', 'store_credit'];

/**
 * What HQ may name an account: printable, no spaces, at most 64 characters, so that the reference
 * travels unchanged as one path segment of the till's balance request.
 */
export const ACCOUNT_REFERENCE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$';

/** 10^12 minor units (ten billion at two decimals): far above any card, far below where sums lose precision. */
export const MAX_ACCOUNT_AMOUNT = 1_000_000_000_000;

export const ISSUE_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'reference', 'amount', 'currency'],
  properties: {
    type: { type: 'string', enum: ACCOUNT_TYPES },
    reference: { type: 'string', pattern: ACCOUNT_REFERENCE_PATTERN },
    amount: { type: 'integer', minimum: 1, maximum: MAX_ACCOUNT_AMOUNT },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    /** The idempotency key: HQ's tool repeats a request with the same id and it is booked once. */
    movementId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    /** The store that sold the card or granted the credit, if any. */
    storeId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
  },
} as const;

export interface IssueRequest {
  readonly type: AccountType;
  readonly reference: string;
  readonly amount: number;
  readonly currency: string;
  readonly movementId?: string;
  readonly storeId?: string;
}

export interface AccountBalance {
  readonly type: AccountType;
  readonly reference: string;
  /** Minor units of `currency`. */
  readonly balance: number;
  readonly currency: string;
}

export type IssueOutcome =
  | {
      readonly kind: 'issued' | 'replayed';
      readonly movementId: string;
      readonly account: AccountBalance;
    }
  /** The movement id is already used for another account, amount or currency. */
  | { readonly kind: 'conflict'; readonly movementId: string }
  /** The account exists in another currency. */
  | { readonly kind: 'currency_mismatch'; readonly currency: string };

/**
 * Serialises, until the transaction ends, everything that decides on one account's balance: HQ's first
 * issue (its currency) and the holds tills place on it (account-holds.ts). A transaction-scoped advisory
 * lock, so it works alike on PGlite and PostgreSQL and is released by commit or rollback.
 */
export async function lockAccount(tx: Queryable, type: AccountType, reference: string): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtextextended($1, 8008))`, [`${type}\n${reference}`]);
}

/** The account's balance, or undefined when it has no movements. */
export async function accountBalance(
  db: Queryable,
  type: AccountType,
  reference: string,
): Promise<AccountBalance | undefined> {
  const rows = await db.query<{ currency: string; balance: string }>(
    `with first as (
       select currency from account_movements where type = $1 and reference = $2
        order by received_at, movement_id limit 1)
     select f.currency,
            (select coalesce(sum(m.amount), 0) from account_movements m
              where m.type = $1 and m.reference = $2 and m.currency = f.currency)::text as balance
       from first f`,
    [type, reference],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  return { type, reference, balance: Number(row.balance), currency: row.currency };
}

/**
 * Books HQ's credit on an account (a new gift card, or store credit added), once per movement id: the
 * same request again is answered as it was booked, a different one under the same id is a conflict.
 */
export async function issueAccountCredit(
  db: DbAdapter,
  request: IssueRequest,
  now: Date,
  newId: () => string,
): Promise<IssueOutcome> {
  const movementId = request.movementId ?? newId();
  return db.transaction(async (tx): Promise<IssueOutcome> => {
    // Two first issues of one account in different currencies would both see no account otherwise.
    await lockAccount(tx, request.type, request.reference);
    const existing = await sameMovement(tx, movementId, request);
    if (existing !== undefined) return existing;
    const account = await accountBalance(tx, request.type, request.reference);
    if (account !== undefined && account.currency !== request.currency) {
      return { kind: 'currency_mismatch', currency: account.currency };
    }
    const inserted = await tx.query<{ movement_id: string }>(
      `insert into account_movements (movement_id, type, reference, amount, currency, reason, event_id, store_id,
                                      occurred_at, received_at)
       values ($1, $2, $3, $4, $5, 'issued', null, $6, $7, $7)
       on conflict (movement_id) do nothing
       returning movement_id`,
      [
        movementId,
        request.type,
        request.reference,
        request.amount,
        request.currency,
        request.storeId ?? null,
        now.toISOString(),
      ],
    );
    // Taken meanwhile by a request for another account (which holds another lock).
    if (inserted.length === 0) return (await sameMovement(tx, movementId, request)) ?? conflict(movementId);
    const after = await accountBalance(tx, request.type, request.reference);
    if (after === undefined) throw new Error('the account movement just booked is missing');
    return { kind: 'issued', movementId, account: after };
  });
}

function conflict(movementId: string): IssueOutcome {
  return { kind: 'conflict', movementId };
}

/** The answer for a movement id that is already booked, or undefined when it is free. */
async function sameMovement(
  tx: Queryable,
  movementId: string,
  request: IssueRequest,
): Promise<IssueOutcome | undefined> {
  const rows = await tx.query<{
    type: AccountType;
    reference: string;
    amount: string;
    currency: string;
    reason: string;
  }>('select type, reference, amount::text, currency, reason from account_movements where movement_id = $1', [
    movementId,
  ]);
  const row = rows[0];
  if (row === undefined) return undefined;
  const same =
    row.reason === 'issued' &&
    row.type === request.type &&
    row.reference === request.reference &&
    Number(row.amount) === request.amount &&
    row.currency === request.currency;
  if (!same) return conflict(movementId);
  const account = await accountBalance(tx, request.type, request.reference);
  if (account === undefined) throw new Error('the account of a booked movement is missing');
  return { kind: 'replayed', movementId, account };
}
