-- Omnitill sync server, initial schema. The same SQL runs on PGlite and PostgreSQL 15+.

create extension if not exists btree_gist;

create table server_meta (k text primary key, v text not null);
-- A new epoch on initialisation (and after a restore or a move between databases): tills holding a
-- checkpoint of another epoch pull from the beginning.
insert into server_meta (k, v) values ('epoch', gen_random_uuid()::text);

-- Canonical UTC instant with milliseconds, as the tills' schemas index it (Date#toISOString).
create function iso(t timestamptz) returns text language sql immutable strict as $$
  select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- Feed position of every pulled row: (txid, seq). txid is the writing transaction, seq one global
-- sequence; pulls read only below the xmin watermark so a late commit is never skipped.
create sequence feed_seq;

create function stamp_feed() returns trigger language plpgsql as $$
begin
  new.txid := pg_current_xact_id();
  new.seq := nextval('feed_seq');
  new.updated_at := now();
  -- Identical payloads in one transaction are folded into one notification by PostgreSQL.
  perform pg_notify('pos_feed', json_build_object('c', tg_argv[0], 's', coalesce(new.store_id, 'global'))::text);
  return new;
end $$;

-- Pulled collections. store_id null = a global row (every till), else only that store's tills.
create table products (
  id text primary key, store_id text, doc jsonb not null, deleted boolean not null default false,
  txid xid8 not null default pg_current_xact_id(), seq bigint not null default 0,
  updated_at timestamptz not null default now());
create table config (
  id text primary key, store_id text, doc jsonb not null, deleted boolean not null default false,
  txid xid8 not null default pg_current_xact_id(), seq bigint not null default 0,
  updated_at timestamptz not null default now());
create table staff (
  id text primary key, store_id text, doc jsonb not null, deleted boolean not null default false,
  txid xid8 not null default pg_current_xact_id(), seq bigint not null default 0,
  updated_at timestamptz not null default now());
create table customers (
  id text primary key, store_id text, doc jsonb not null, deleted boolean not null default false,
  txid xid8 not null default pg_current_xact_id(), seq bigint not null default 0,
  updated_at timestamptz not null default now());
-- Price versions: never two live versions of one (book, product) over the same instant.
create table prices (
  id text primary key, store_id text, doc jsonb not null, deleted boolean not null default false,
  price_book_id text not null, product_id text not null,
  valid_from timestamptz not null, valid_to timestamptz,
  txid xid8 not null default pg_current_xact_id(), seq bigint not null default 0,
  updated_at timestamptz not null default now(),
  check (valid_to is null or valid_to > valid_from),
  constraint prices_no_overlap exclude using gist (
    price_book_id with =, product_id with =, tstzrange(valid_from, valid_to) with &&) where (not deleted));
create index prices_book_product on prices (price_book_id, product_id, valid_from);
-- On-hand projection of the movement ledger: last count + movements that occurred after it.
create table stock_levels (
  store_id text not null, product_id text not null,
  last_count_at timestamptz, last_count_qty bigint,
  delta_since_count bigint not null default 0,
  deleted boolean not null default false,
  txid xid8 not null default pg_current_xact_id(), seq bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (store_id, product_id));

create trigger products_feed before insert or update on products for each row execute function stamp_feed('products');
create trigger config_feed before insert or update on config for each row execute function stamp_feed('config');
create trigger staff_feed before insert or update on staff for each row execute function stamp_feed('staff');
create trigger customers_feed before insert or update on customers for each row execute function stamp_feed('customers');
create trigger prices_feed before insert or update on prices for each row execute function stamp_feed('prices');
create trigger stock_levels_feed before insert or update on stock_levels for each row execute function stamp_feed('stockLevels');

create index products_feed_pos on products (txid, seq);
create index config_feed_pos on config (txid, seq);
create index staff_feed_pos on staff (txid, seq);
create index customers_feed_pos on customers (txid, seq);
create index prices_feed_pos on prices (txid, seq);
create index stock_levels_feed_pos on stock_levels (txid, seq);

-- Devices and enrolment. Secrets are stored only as SHA-256 hashes.
create table enrollment_codes (
  code_sha256 text primary key, store_id text not null, expires_at timestamptz not null,
  created_at timestamptz not null default now(), used_at timestamptz, used_by_device text);
create table devices (
  device_id text primary key, store_id text not null, device_name text not null, app_version text not null,
  refresh_sha256 text not null unique, enrolled_at timestamptz not null default now(),
  revoked_at timestamptz, last_seen_at timestamptz, last_push_at timestamptz,
  reported_pending integer, contiguous_seq bigint not null default 0);

-- Inbound ledger and idempotency of till-authored facts.
create table events (
  event_id text primary key, device_id text not null, store_id text not null, device_seq bigint not null,
  type text not null, schema_version integer not null, occurred_at timestamptz not null,
  doc jsonb not null, content_sha256 text not null,
  status text not null check (status in ('applied', 'quarantined')), reason text,
  received_at timestamptz not null default now(),
  unique (device_id, device_seq));
-- Rows that could not even be filed as events (identity mismatch, broken envelope); kept for review.
create table rejected_rows (
  id bigserial primary key, device_id text not null, store_id text not null, reason text not null,
  doc jsonb not null, received_at timestamptz not null default now());
-- Things a person should look at: key reuse, negative stock, clock skew.
create table alerts (
  id bigserial primary key, kind text not null, device_id text, store_id text, event_id text,
  detail jsonb not null default '{}'::jsonb, created_at timestamptz not null default now());
create index alerts_device on alerts (device_id);

create table stock_movements (
  movement_id text primary key, store_id text not null, product_id text not null, qty_delta bigint not null,
  reason text not null, event_id text not null references events, occurred_at timestamptz not null,
  received_at timestamptz not null default now());
create index stock_movements_key_time on stock_movements (store_id, product_id, occurred_at);
create table stock_counts (
  count_id text primary key, store_id text not null, product_id text not null, quantity bigint not null,
  event_id text not null references events, counted_at timestamptz not null,
  received_at timestamptz not null default now());
