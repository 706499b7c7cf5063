/**
 * A new epoch after a restore from backup or a move between PGlite and PostgreSQL. The new cluster's
 * xid counter has nothing to do with the stored `txid` values, so every pulled row is re-stamped (the
 * feed trigger runs on update) in chunks, and tills holding a checkpoint of the old epoch pull from the
 * beginning. Run it before serving: a server started earlier keeps its epoch in memory.
 */
import { randomUUID } from 'node:crypto';
import type { DbAdapter } from './adapter.ts';

const FEED_TABLES = [
  { table: 'products', key: 'id' },
  { table: 'prices', key: 'id' },
  { table: 'config', key: 'id' },
  { table: 'staff', key: 'id' },
  { table: 'customers', key: 'id' },
  { table: 'stock_levels', key: 'store_id, product_id' },
] as const;

const CHUNK = 5000;

/** Returns the new epoch. Interrupted, it resumes with the same pending epoch on the next run. */
export async function rotateEpoch(db: DbAdapter): Promise<string> {
  await db.query(`insert into server_meta (k, v) values ('pending_epoch', $1) on conflict (k) do nothing`, [
    randomUUID(),
  ]);
  const [pending] = await db.query<{ v: string }>(`select v from server_meta where k = 'pending_epoch'`);
  const epoch = pending?.v ?? randomUUID();
  for (const { table, key } of FEED_TABLES) {
    // Chunks keep each transaction short: one huge one would hold the pull watermark back until it ends.
    for (;;) {
      const touched = await db.transaction(async (tx) => {
        const rows = await tx.query<{ n: string }>(
          `with chunk as (select ${key} from ${table} where restamped_epoch is distinct from $1 limit ${CHUNK} for update)
           update ${table} t set restamped_epoch = $1 from chunk
            where (${key
              .split(', ')
              .map((k) => `t.${k} = chunk.${k}`)
              .join(' and ')})
           returning 1 as n`,
          [epoch],
        );
        return rows.length;
      });
      if (touched < CHUNK) break;
    }
  }
  await db.transaction(async (tx) => {
    await tx.query(`update server_meta set v = $1 where k = 'epoch'`, [epoch]);
    await tx.query(`delete from server_meta where k = 'pending_epoch'`);
  });
  return epoch;
}
