/**
 * A pull page walks the feed index and stops after its limit, also on a table the planner knows
 * nothing about (PGlite never analyses by itself; PostgreSQL not until autovacuum gets to it after a
 * bulk load). Without the page's plan settings the planner read every row after the checkpoint into a
 * bitmap scan and a sort: a first download of N rows cost O(N²).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbAdapter } from '../src/db/adapter.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPgliteAdapter } from '../src/db/pglite-adapter.ts';
import { PULL_COLLECTIONS } from '../src/collections.ts';
import { pullCollection, PULL_PLAN_SETTINGS, pullSql } from '../src/pull.ts';
import { pgliteDataDir } from './pglite-template.ts';

const ROWS = 20_000;

let dir: string;
let db: DbAdapter;

beforeAll(async () => {
  dir = await pgliteDataDir();
  db = await createPgliteAdapter({ dataDir: dir });
  await migrate(db);
  // Bulk loaded in one statement and never analysed, as a seed or an HQ import leaves a table.
  await db.query(
    `insert into products (id, store_id, doc)
     select 'P' || lpad(n::text, 7, '0'), null,
            jsonb_build_object('id', 'P' || lpad(n::text, 7, '0'), 'name', 'Product ' || n)
       from generate_series(1, $1::int) as n`,
    [ROWS],
  );
}, 120_000);

afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function plan(collection: (typeof PULL_COLLECTIONS)[number], pinned: boolean): Promise<string> {
  return db.transaction(async (tx) => {
    if (pinned) await tx.query(PULL_PLAN_SETTINGS);
    const rows = await tx.query<{ 'QUERY PLAN': string }>(`explain ${pullSql(collection)}`, [
      '0',
      0,
      'S01',
      1000,
    ]);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

describe('pull page plan', () => {
  it('the unpinned planner reads every row into a sort on an unanalysed table (the trap)', async () => {
    expect(await plan('products', false)).toMatch(/Sort|Seq Scan|Bitmap/);
  });

  it.each(PULL_COLLECTIONS)(
    '%s: a walk of the feed index, no sort, no bitmap, no full scan',
    async (name) => {
      const text = await plan(name, true);
      expect(text).toMatch(/Index Scan using \w+_feed_pos/);
      expect(text).not.toMatch(/Sort|Seq Scan|Bitmap/);
    },
  );

  it('pages through the whole table in feed order with the settings in force', async () => {
    const epoch = 'test-epoch';
    let checkpoint;
    let seen = 0;
    let previous = '';
    for (;;) {
      const page = await pullCollection(db, 'products', { checkpoint, storeId: 'S01', limit: 1000, epoch });
      for (const doc of page.documents) {
        const id = String(doc.id);
        expect(id > previous).toBe(true);
        previous = id;
      }
      seen += page.documents.length;
      checkpoint = page.checkpoint;
      if (page.documents.length < 1000) break;
    }
    expect(seen).toBe(ROWS);
    // The settings were local to each page's transaction: the connection plans as before afterwards.
    const [setting] = await db.query<{ enable_bitmapscan: string }>('show enable_bitmapscan');
    expect(setting?.enable_bitmapscan).toBe('on');
  });
});
