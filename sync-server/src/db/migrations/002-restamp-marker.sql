-- Marks rows already re-stamped by an epoch rotation (db/epoch.ts), so a rotation works in chunks and
-- can resume after an interruption.
alter table products add column restamped_epoch text;
alter table prices add column restamped_epoch text;
alter table config add column restamped_epoch text;
alter table staff add column restamped_epoch text;
alter table customers add column restamped_epoch text;
alter table stock_levels add column restamped_epoch text;
