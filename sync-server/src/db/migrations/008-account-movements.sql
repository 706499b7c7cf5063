-- Gift cards and store credit: one ledger of movements per chain-wide account, named by its type and
-- reference (the card number, or the customer's store-credit account). The balance is the sum of the
-- account's movements: HQ issues or adds credit (positive), a sale paid from the account redeems
-- (negative), a refund paid back to it credits (positive). Amounts are minor units of `currency`.
--
-- The movement id is the idempotency key: HQ gives one (or the server makes one), and a till's tender
-- becomes a movement whose id is derived from (event id, tender id), so a retried or duplicated push never
-- debits twice. `store_id` is the store whose till wrote it (null: HQ); `event_id` the event it comes
-- from (null: HQ). No foreign key to `events`, for the reason migration 007 gives.
create table account_movements (
  movement_id text primary key,
  type text not null check (type in ('gift_card', 'store_credit')),
  reference text not null,
  amount bigint not null check (amount <> 0),
  currency text not null,
  reason text not null,
  event_id text,
  store_id text,
  occurred_at timestamptz not null,
  received_at timestamptz not null default now());
create index account_movements_account on account_movements (type, reference);
