-- Holds on gift cards and store credit: a till authorises the amount a cashier tenders before it takes
-- the payment, and the sale's push captures it when it books the debit (migration 008's ledger). What an
-- account may still pay is its ledger balance less its active holds, so two tills spending one card at
-- the same moment cannot both take more than it holds.
--
-- A hold is active while neither captured nor released and `expires_at` is in the future (the server's
-- clock, as a parameter: never `now()`, so tests can move time). The hold id is the till's idempotency
-- key; `available_after` is what the first answer said, so a retry after a lost answer gets the same one.
-- `device_id`/`store_id` are the till that placed it: only that device may release it, and the push of
-- that store's sale `sale_id` captures it. No foreign keys: holds outlive nothing they point at, and a
-- device row is never deleted.
create table account_holds (
  hold_id text primary key,
  type text not null check (type in ('gift_card', 'store_credit')),
  reference text not null,
  amount bigint not null check (amount > 0),
  currency text not null,
  sale_id text not null,
  device_id text not null,
  store_id text not null,
  available_after bigint not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  captured_at timestamptz,
  captured_by_event text,
  released_at timestamptz,
  check (captured_at is null or released_at is null));
-- What an account's available balance sums: its open holds (expiry is checked on the few rows left).
create index account_holds_open on account_holds (type, reference)
  where captured_at is null and released_at is null;
-- What a sale's push captures.
create index account_holds_sale on account_holds (store_id, sale_id)
  where captured_at is null and released_at is null;
