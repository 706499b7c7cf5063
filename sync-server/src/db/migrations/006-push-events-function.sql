-- The whole of a `POST /push/events` request as one function call, so a push is one statement (its own
-- transaction) instead of a dozen round trips inside BEGIN/COMMIT: row locks are then held only while
-- SQL runs, never across network waits, and every statement's plan is cached by PL/pgSQL per session.
-- The caller (events/push-events.ts) has already validated, hashed and derived the effects of every
-- row; the rules below are those of sync-protocol.md "Push of events".
--
-- p_events: rows that can be filed, in event-id order: {ord, event_id, device_seq, type, schema_version,
--   occurred_at, doc, nc (the non-content fields, for the audit copy), content_sha256, status, reason,
--   first (the first row of its event id in the request), adopted (the till pushes back a receipt it
--   adopted), skew (detail of a clock-skew alert, or null)}
-- p_rejected: rows that cannot be filed: {reason, doc (text)}
-- p_movements / p_counts / p_accruals: the effects of the valid rows, tagged with their event id; only
--   those of events this call inserts are applied.
-- Returns null for an unknown or revoked device (or one of another store), else {new: [event ids inserted], old: [{ord, holder,
-- id_sha, id_status, id_reason, id_doc}] for the rows that were not inserted, alerts: n}.
create function omnitill_push_events(
  p_device_id text, p_store_id text, p_now timestamptz,
  p_events jsonb, p_rejected jsonb, p_movements jsonb, p_counts jsonb, p_accruals jsonb)
returns jsonb language plpgsql as $fn$
declare
  v_new text[];
  v_old jsonb;
  v_plans jsonb;
  v_alerts integer := 0;
  v_n integer;
begin
  -- Locks the device row: pushes of one device are serialised, and a revoked device (or a token naming
  -- another store than the device's) stops here.
  update devices set last_push_at = p_now, last_seen_at = p_now
   where device_id = p_device_id and store_id = p_store_id and revoked_at is null;
  if not found then
    return null;
  end if;

  -- In event-id order: of two rows claiming one deviceSeq the first keeps it.
  with ins as (
    insert into events (event_id, device_id, store_id, device_seq, type, schema_version, occurred_at,
                        doc, content_sha256, status, reason, received_at)
    select x.event_id, p_device_id, p_store_id, x.device_seq, x.type, x.schema_version, x.occurred_at,
           x.doc, x.content_sha256, x.status, x.reason, p_now
      from jsonb_to_recordset(p_events) as x(ord integer, event_id text, device_seq bigint, type text,
           schema_version integer, occurred_at timestamptz, doc jsonb, content_sha256 text, status text,
           reason text, first boolean)
     where x.first
     order by x.ord
    on conflict do nothing
    returning event_id)
  select coalesce(array_agg(event_id), '{}') into v_new from ins;

  -- The rows that were not inserted: an identical resend, or a key reused for other content. (Usually
  -- every row is new: then there is nothing to look at.)
  if cardinality(v_new) = jsonb_array_length(p_events) then
    v_old := '[]'::jsonb;
  else
    with x as (
      select x.* from jsonb_to_recordset(p_events) as x(ord integer, event_id text, device_seq bigint,
             content_sha256 text, first boolean, adopted boolean, doc jsonb, nc jsonb)
       where not (x.first and x.event_id = any(v_new))),
    r as (
      select x.ord, x.event_id, x.device_seq, x.adopted, x.doc || x.nc as audit,
             byid.content_sha256 as id_sha, byid.status as id_status, byid.reason as id_reason,
             case when byid.content_sha256 is distinct from x.content_sha256 or byid.status = 'quarantined'
                  then byid.doc end as id_doc,
             (byid.event_id is not null) as by_id,
             (byid.content_sha256 is not null and byid.content_sha256 <> x.content_sha256) as id_reused,
             (select e.event_id from events e
               where byid.event_id is null and e.device_id = p_device_id and e.device_seq = x.device_seq) as holder
        from x left join events byid on byid.event_id = x.event_id),
    reused as (
      select r.*,
             case when r.id_reused then 'event id reused with different content'
                  else format('deviceSeq %s already used by event %s', r.device_seq, coalesce(r.holder, '?')) end
               as why
        from r where r.id_reused or (not r.by_id and not r.adopted)),
    a as (
      insert into alerts (kind, device_id, store_id, event_id, detail)
      select case when u.id_reused then 'event_id_reused' else 'device_seq_reused' end, p_device_id, p_store_id,
             u.event_id,
             case when u.id_reused
                  then jsonb_build_object('receivedSha256', x.content_sha256, 'storedSha256', u.id_sha)
                  else jsonb_build_object('deviceSeq', u.device_seq, 'storedEventId', u.holder) end
        from reused u join x on x.ord = u.ord
       order by u.ord
      returning 1),
    j as (
      insert into rejected_rows (device_id, store_id, reason, doc)
      select p_device_id, p_store_id, u.why, u.audit from reused u order by u.ord
      returning 1)
    -- (Data-modifying CTEs run to completion whether or not the query reads them.)
    select (select count(*) from a),
           coalesce((select jsonb_agg(jsonb_build_object('ord', r.ord, 'holder', r.holder, 'id_sha', r.id_sha,
                     'id_status', r.id_status, 'id_reason', r.id_reason, 'id_doc', r.id_doc) order by r.ord)
                       from r), '[]'::jsonb)
      into v_n, v_old;
    v_alerts := v_alerts + v_n;
  end if;

  -- Rows that could not even be filed: kept for review.
  insert into rejected_rows (device_id, store_id, reason, doc)
  select p_device_id, p_store_id, x.reason, x.doc::jsonb
    from jsonb_to_recordset(p_rejected) as x(reason text, doc text);

  -- A till clock far ahead is flagged, never refused.
  with a as (
    insert into alerts (kind, device_id, store_id, event_id, detail)
    select 'clock_skew', p_device_id, p_store_id, x.event_id, x.skew
      from jsonb_to_recordset(p_events) as x(ord integer, event_id text, status text, first boolean, skew jsonb)
     where x.first and x.skew is not null and x.status = 'applied' and x.event_id = any(v_new)
     order by x.ord
    returning 1)
  select count(*) into v_n from a;
  v_alerts := v_alerts + v_n;

  -- The ledger rows of the new events (a movement id seen before is absorbed), summed per key: the new
  -- movements and the newest new count (on a tie, the first in count-id order).
  with m as (
    insert into stock_movements (movement_id, store_id, product_id, qty_delta, reason, event_id, occurred_at)
    select x.movement_id, x.store_id, x.product_id, x.qty_delta, x.reason, x.event_id, x.occurred_at
      from jsonb_to_recordset(p_movements) as x(ord integer, movement_id text, store_id text, product_id text,
           qty_delta bigint, reason text, event_id text, occurred_at timestamptz)
     where x.event_id = any(v_new)
     order by x.ord
    on conflict (movement_id) do nothing
    returning store_id, product_id, qty_delta, occurred_at),
  c as (
    insert into stock_counts (count_id, store_id, product_id, quantity, event_id, counted_at)
    select x.count_id, x.store_id, x.product_id, x.quantity, x.event_id, x.counted_at
      from jsonb_to_recordset(p_counts) as x(ord integer, count_id text, store_id text, product_id text,
           quantity bigint, event_id text, counted_at timestamptz)
     where x.event_id = any(v_new)
     order by x.ord
    on conflict (count_id) do nothing
    returning count_id, store_id, product_id, quantity, counted_at),
  newest as (
    select distinct on (store_id, product_id) store_id, product_id, counted_at, quantity
      from c order by store_id, product_id, counted_at desc, count_id),
  moves as (
    select store_id, product_id, jsonb_agg(jsonb_build_object('q', qty_delta, 'at', occurred_at)) as moves
      from m group by store_id, product_id),
  k as (
    select coalesce(mv.store_id, n.store_id) as store_id, coalesce(mv.product_id, n.product_id) as product_id,
           n.counted_at as count_at, n.quantity as count_qty, coalesce(mv.moves, '[]'::jsonb) as moves
      from moves mv full join newest n on n.store_id = mv.store_id and n.product_id = mv.product_id)
  select coalesce(jsonb_agg(to_jsonb(k) order by k.store_id, k.product_id), '[]'::jsonb) into v_plans from k;

  if jsonb_array_length(v_plans) > 0 then
    -- Projection rows that do not exist yet (the feed trigger stamps those).
    insert into stock_levels (store_id, product_id)
    select x.store_id, x.product_id
      from jsonb_to_recordset(v_plans) as x(store_id text, product_id text)
     where not exists (select 1 from stock_levels s where s.store_id = x.store_id and s.product_id = x.product_id)
     order by x.store_id, x.product_id
    on conflict do nothing;
    -- Locks in key order, so overlapping pushes of one store's tills cannot deadlock.
    perform 1 from stock_levels s
      join jsonb_to_recordset(v_plans) as x(store_id text, product_id text)
        on s.store_id = x.store_id and s.product_id = x.product_id
     order by s.store_id, s.product_id
       for update of s;
    -- A newer count restarts on-hand from it plus the ledger after it; otherwise the new movements that
    -- occurred after the last count are added. A key whose on-hand does not change is not touched. The
    -- statement stamps the feed position and notifies as the feed trigger would (migration 004).
    with x as (
      select x.store_id, x.product_id, x.count_at, x.count_qty,
             (x.count_at is not null and (s.last_count_at is null or x.count_at > s.last_count_at)) as reset,
             (select coalesce(sum(d.q), 0) from jsonb_to_recordset(x.moves) as d(q bigint, at timestamptz)
               where s.last_count_at is null or d.at > s.last_count_at) as delta
        from jsonb_to_recordset(v_plans) as x(store_id text, product_id text, count_at timestamptz,
             count_qty bigint, moves jsonb)
        join stock_levels s on s.store_id = x.store_id and s.product_id = x.product_id),
    u as (
      update stock_levels s set
        txid = pg_current_xact_id(), seq = nextval('feed_seq'), updated_at = now(),
        last_count_at = case when x.reset then x.count_at else s.last_count_at end,
        last_count_qty = case when x.reset then x.count_qty else s.last_count_qty end,
        delta_since_count = case when x.reset
          then (select coalesce(sum(m.qty_delta), 0) from stock_movements m
                 where m.store_id = s.store_id and m.product_id = s.product_id and m.occurred_at > x.count_at)
          else s.delta_since_count + x.delta end
        from x
       where s.store_id = x.store_id and s.product_id = x.product_id and (x.reset or x.delta <> 0)
       returning s.store_id, s.product_id, coalesce(s.last_count_qty, 0) + s.delta_since_count as on_hand,
                 pg_notify('pos_feed', json_build_object('c', 'stockLevels', 's', s.store_id)::text)),
    -- Negative on-hand is accepted and flagged.
    a as (
      insert into alerts (kind, device_id, store_id, event_id, detail)
      select 'negative_stock', p_device_id, p_store_id, null,
             jsonb_build_object('storeId', u.store_id, 'productId', u.product_id, 'onHand', u.on_hand)
        from u where u.on_hand < 0
       order by u.store_id, u.product_id
      returning 1)
    select count(*) into v_n from a;
    v_alerts := v_alerts + v_n;
  end if;

  -- Loyalty: at most one accrual per sale, whatever the event id; the balance is server-owned.
  if jsonb_array_length(p_accruals) > 0 then
    -- Per session: the accruals of this call, summed per customer, so the customers can be locked in id
    -- order before they are updated.
    if to_regclass('pg_temp.omnitill_accrued') is null then
      create temporary table omnitill_accrued (customer_id text primary key, points bigint, as_of text)
        on commit delete rows;
    end if;
    delete from omnitill_accrued;
    with ins as (
      insert into loyalty_accruals (sale_id, customer_id, store_id, points, event_id, accrued_at)
      select x.sale_id, x.customer_id, x.store_id, x.points, x.event_id, x.accrued_at
        from jsonb_to_recordset(p_accruals) as x(sale_id text, customer_id text, store_id text, points bigint,
             event_id text, accrued_at timestamptz)
       where x.event_id = any(v_new)
       order by x.sale_id
      on conflict (sale_id) do nothing
      returning customer_id, points, iso(accrued_at) as accrued_at)
    insert into omnitill_accrued (customer_id, points, as_of)
    select customer_id, sum(points), max(accrued_at) from ins group by customer_id;
    perform 1 from customers c join omnitill_accrued x on x.customer_id = c.id order by c.id for update of c;
    update customers c set doc = c.doc || jsonb_build_object(
        'loyaltyPoints', coalesce((c.doc->>'loyaltyPoints')::bigint, 0) + x.points,
        'loyaltyAsOf', greatest(coalesce(c.doc->>'loyaltyAsOf', ''), x.as_of))
      from omnitill_accrued x where c.id = x.customer_id;
    -- An accrual for a customer the server does not know is kept, and flagged.
    with a as (
      insert into alerts (kind, device_id, store_id, event_id, detail)
      select 'loyalty_unknown_customer', p_device_id, p_store_id, null, jsonb_build_object('customerId', x.customer_id)
        from omnitill_accrued x where not exists (select 1 from customers c where c.id = x.customer_id)
       order by x.customer_id
      returning 1)
    select count(*) into v_n from a;
    v_alerts := v_alerts + v_n;
  end if;

  -- contiguous_seq = the highest n such that events 1..n of the device are all on the server. One index
  -- probe per step from the old value (a scalar subquery: as `exists` the planner would join every event
  -- of the device, and a push would cost O(device history)).
  if cardinality(v_new) > 0 then
    with recursive c(s) as (
      select contiguous_seq from devices where device_id = p_device_id
      union all
      select c.s + 1 from c
       where (select true from events e where e.device_id = p_device_id and e.device_seq = c.s + 1))
    update devices set contiguous_seq = (select max(s) from c) where device_id = p_device_id;
  end if;

  return jsonb_build_object('new', to_jsonb(v_new), 'old', v_old, 'alerts', v_alerts);
end
$fn$;
