/**
 * The same protocol suite against a real PostgreSQL 15 server, plus what only a multi-connection
 * database can show: the checkpoint trap under 8 concurrent writers, fan-out across two server
 * instances, and the LISTEN connection's reconnect poke.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgAdapter } from '../src/db/pg-adapter.ts';
import type { DbAdapter } from '../src/db/adapter.ts';
import { rotateEpoch } from '../src/db/epoch.ts';
import { migrate } from '../src/db/migrate.ts';
import { pullCollection } from '../src/pull.ts';
import { enrollTill, HQ_TOKEN, startHarness } from './harness.ts';
import type { Harness } from './harness.ts';
import { startPostgres } from './postgres-server.ts';
import type { PostgresServer } from './postgres-server.ts';
import { openStream } from './sse-reader.ts';
import { defineSyncSuite } from './sync-suite.ts';

let server: PostgresServer | undefined;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
}, 30_000);

function pgServer(): PostgresServer {
  if (server === undefined) throw new Error('PostgreSQL did not start');
  return server;
}

defineSyncSuite('PostgreSQL 15', () => ({ kind: 'postgres', server: pgServer() }));

describe('PostgreSQL only', () => {
  it('never skips a row: 8 concurrent writers committing out of order, 2 pullers by checkpoint', async () => {
    const url = await pgServer().createDatabase(`trap_${randomUUID().replace(/-/g, '')}`);
    const db: DbAdapter = await createPgAdapter({ connectionString: url, poolSize: 12 });
    try {
      await migrate(db);
      const [{ v: epoch } = { v: '' }] = await db.query<{ v: string }>(
        `select v from server_meta where k = 'epoch'`,
      );
      const WRITERS = 8;
      const PER_WRITER = 60;
      let writing = true;
      const writer = async (w: number) => {
        for (let i = 0; i < PER_WRITER; i++) {
          await db.transaction(async (tx) => {
            await tx.query(`insert into config (id, doc) values ($1, jsonb_build_object('id', $1::text))`, [
              `w${w}-${i}`,
            ]);
            // Work between the insert (seq taken) and the commit: commits land out of seq order.
            await new Promise((r) => setTimeout(r, (w * 7 + i * 3) % 16));
          });
        }
      };
      const puller = async () => {
        const seen = new Map<string, number>();
        let checkpoint: { epoch: string; txid: string; seq: number } | undefined;
        const step = async () => {
          const page = await pullCollection(db, 'config', { checkpoint, storeId: 'none', limit: 25, epoch });
          for (const d of page.documents) seen.set(String(d.id), (seen.get(String(d.id)) ?? 0) + 1);
          checkpoint = page.checkpoint;
          return page.documents.length;
        };
        while (writing) {
          await step();
          await new Promise((r) => setTimeout(r, 2));
        }
        while ((await step()) > 0) {
          /* drain */
        }
        return seen;
      };
      const pullers = [puller(), puller()];
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      writing = false;
      for (const seen of await Promise.all(pullers)) {
        expect(seen.size).toBe(WRITERS * PER_WRITER);
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
      }
    } finally {
      await db.close();
    }
  }, 60_000);

  it('after an epoch rotation (restore, move of database) a till with an old checkpoint pulls everything again', async () => {
    const first = await startHarness({ kind: 'postgres', server: pgServer() });
    const url = first.databaseUrl ?? '';
    await first.db.query(
      `insert into config (id, doc) select 'k' || g, jsonb_build_object('id', 'k' || g) from generate_series(1, 30) g`,
    );
    const till = await enrollTill(first, 'S01');
    const page = await first.json<{
      documents: unknown[];
      checkpoint: { epoch: string; txid: string; seq: number };
    }>('/pull/config?limit=1000', { token: till.accessToken });
    expect(page.body.documents).toHaveLength(30);
    const old = page.body.checkpoint;
    await first.close();

    const db = await createPgAdapter({ connectionString: url });
    // A row as restored from another cluster: its txid is far ahead of this cluster's xid counter, so
    // it would stay above the pull watermark (invisible) until the counter caught up.
    await db.exec(`alter table config disable trigger config_feed;
      update config set txid = '900000000'::xid8 where id = 'k1';
      alter table config enable trigger config_feed;`);
    const epoch = await rotateEpoch(db);
    await db.close();
    expect(epoch).not.toBe(old.epoch);

    const second = await startHarness({ kind: 'postgres', server: pgServer(), url });
    try {
      const again = await second.json<{ documents: unknown[]; checkpoint: { epoch: string } }>(
        `/pull/config?epoch=${old.epoch}&txid=${old.txid}&seq=${old.seq}&limit=1000`,
        { token: till.accessToken },
      );
      expect(again.body.documents).toHaveLength(30);
      expect(again.body.documents).toContainEqual({ id: 'k1', _deleted: false });
      expect(again.body.checkpoint.epoch).toBe(epoch);
    } finally {
      await second.close();
    }
  }, 60_000);

  describe('fan-out across two instances on one database', () => {
    let a: Harness;
    let b: Harness;
    beforeAll(async () => {
      a = await startHarness({ kind: 'postgres', server: pgServer() });
      b = await startHarness({
        kind: 'postgres',
        server: pgServer(),
        ...(a.databaseUrl === undefined ? {} : { url: a.databaseUrl }),
      });
    }, 60_000);
    afterAll(async () => {
      await b.close();
      await a.close();
    });

    it('a price change through instance A pokes a till streaming from instance B', async () => {
      const till = await enrollTill(a, 'S01');
      const stream = await openStream(b.base, till.accessToken);
      try {
        await stream.next('hello');
        const r = await a.json('/admin/price-changes', {
          token: HQ_TOKEN,
          tillHeaders: false,
          body: {
            changes: [
              {
                priceBookId: 'PB',
                productId: 'P1',
                sku: 'S1',
                amount: 100,
                currency: 'EUR',
                taxIncluded: true,
                validFrom: '2026-01-01T00:00:00.000Z',
              },
            ],
          },
        });
        expect(r.status).toBe(200);
        expect(JSON.parse((await stream.next('poke')).data)).toEqual({
          collections: ['prices'],
          scope: 'global',
        });
        // And the till pulls it from B.
        const pulled = await b.json<{ documents: { productId: string }[] }>('/pull/prices', {
          token: till.accessToken,
        });
        expect(pulled.body.documents.map((d) => d.productId)).toEqual(['P1']);
      } finally {
        stream.close();
      }
    });

    it('when its LISTEN connection drops, an instance reconnects and pokes every client for everything', async () => {
      const till = await enrollTill(a, 'S02');
      const stream = await openStream(b.base, till.accessToken);
      try {
        await stream.next('hello');
        // Kill every LISTEN session (A's and B's); both reconnect.
        await a.db.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen %' and pid <> pg_backend_pid()`,
        );
        const poke = JSON.parse((await stream.next('poke', 10_000)).data) as { collections: string[] };
        expect(poke.collections).toEqual([
          'config',
          'customers',
          'prices',
          'products',
          'staff',
          'stockLevels',
        ]);
        // Live again after the reconnect.
        await a.json('/admin/price-changes', {
          token: HQ_TOKEN,
          tillHeaders: false,
          body: {
            changes: [
              {
                priceBookId: 'PB',
                productId: 'P2',
                sku: 'S2',
                amount: 100,
                currency: 'EUR',
                taxIncluded: true,
                validFrom: '2026-01-01T00:00:00.000Z',
              },
            ],
          },
        });
        expect(JSON.parse((await stream.next('poke')).data)).toEqual({
          collections: ['prices'],
          scope: 'global',
        });
      } finally {
        stream.close();
      }
    }, 30_000);
  });
});
