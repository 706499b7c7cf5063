-- Loyalty accruals: at most one per sale, whatever the event id (a re-created event must not pay twice).
create table loyalty_accruals (
  sale_id text primary key, customer_id text not null, store_id text not null, points bigint not null,
  event_id text not null references events, accrued_at timestamptz not null,
  received_at timestamptz not null default now());
