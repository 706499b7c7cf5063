-- The push path updates a whole push's stock levels in one set-based statement and stamps the feed
-- position (txid, seq, updated_at) and the notification itself; a row-level PL/pgSQL trigger per row
-- cost as much as the update. The trigger now runs only when a writer did not stamp the row, so every
-- other writer (seed, epoch rotation, HQ tools) is stamped exactly as before.
drop trigger stock_levels_feed on stock_levels;
create trigger stock_levels_feed_insert before insert on stock_levels
  for each row when (new.seq = 0) execute function stamp_feed('stockLevels');
create trigger stock_levels_feed_update before update on stock_levels
  for each row when (new.seq = old.seq) execute function stamp_feed('stockLevels');
