-- Online orders (click & collect) are the server's own records: no till replicates them, so they are
-- not config documents (the till's config schema has no such kind and would refuse them).
create table online_orders (
  order_id text primary key, store_id text not null, doc jsonb not null,
  received_at timestamptz not null default now());
