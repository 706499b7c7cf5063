-- A sale's stock movements are written only by omnitill_push_events, for events the same statement has
-- just inserted; the foreign key to `events` re-checked that row by row (a lookup and a row lock on the
-- event per movement), which cost more than the inserts themselves. Events are never deleted.
alter table stock_movements drop constraint stock_movements_event_id_fkey;
