/**
 * `npm run bench -- sync`: the sync server over real HTTP on 127.0.0.1, server and clients in this one
 * Node process (so the client side's JSON and SSE parsing shares the server's two cores).
 * - ingest on embedded PGlite, 4 tills at once (targets.md: ≥ 500 sales/s);
 * - ingest on PostgreSQL 15 (a throwaway server from the test helper with PostgreSQL's durable defaults:
 *   fsync, synchronous_commit and full_page_writes on), 8 tills (≥ 2,000/s);
 * - HQ price change to 500 connected streams on PostgreSQL, POST to poke (p99 ≤ 1 s).
 * Throughput cases report one rate per round (acknowledged sales of all tills over the round's wall
 * time); read their p50 as the typical and the lowest rounds as the floor. The till-side catalog
 * download is the `sync-till` suite (tests/integration/bench), because it needs the renderer's RxDB.
 *
 * Env: BENCH_INGEST_ROUNDS (default 5), BENCH_INGEST_BATCHES (batches of 50 per till per round, 5),
 * BENCH_STREAMS (500), BENCH_STREAM_DEVICES (500), BENCH_FANOUT_ROUNDS (10), BENCH_PG_DURABLE (1; 0 runs
 * PostgreSQL with fsync and synchronous_commit off, as the tests do, for comparison only).
 */
import type { BenchResult, BenchSuite } from '../../bench/harness.ts';
import { seedDemo } from '../src/seed/demo-seed.ts';
import { appEventSchemas } from '../src/events/event-validator.ts';
import { startHarness, type Backend } from '../test/harness.ts';
import { startPostgres } from '../test/postgres-server.ts';
import { runFanout } from './fanout.ts';
import { INGEST_PRODUCTS, runIngest } from './ingest.ts';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/** A seeded server with the app's real payload schemas and the production poke merge window. */
async function withServer<T>(
  backend: Backend,
  body: (h: Awaited<ReturnType<typeof startHarness>>) => Promise<T>,
): Promise<T> {
  const h = await startHarness(backend, {
    eventSchemas: appEventSchemas,
    pokeMergeMs: 50,
    minClientVersion: '0.1.0',
  });
  try {
    await seedDemo(h.db, { products: INGEST_PRODUCTS });
    return await body(h);
  } finally {
    await h.close();
  }
}

export const suite: BenchSuite = {
  name: 'sync',
  description:
    'sync server: ingest (PGlite 4 tills, PostgreSQL 15 8 tills) and price-change fan-out to SSE streams, HTTP on 127.0.0.1',
  async run() {
    const rounds = envInt('BENCH_INGEST_ROUNDS', 5);
    const results: BenchResult[] = [];
    results.push(
      ...(await withServer({ kind: 'pglite' }, (h) =>
        runIngest(h, {
          label: 'PGlite',
          tills: 4,
          rounds,
          batchesPerRound: envInt('BENCH_INGEST_BATCHES', 5),
          target: '≥ 500 sales/s',
        }),
      )),
    );
    const durable = process.env.BENCH_PG_DURABLE !== '0';
    const postgres = await startPostgres({ durable });
    const pgLabel = durable ? 'PostgreSQL 15' : 'PostgreSQL 15 (fsync off)';
    try {
      const backend: Backend = { kind: 'postgres', server: postgres };
      results.push(
        ...(await withServer(backend, (h) =>
          runIngest(h, {
            label: pgLabel,
            tills: 8,
            rounds,
            batchesPerRound: envInt('BENCH_INGEST_BATCHES', 5),
            target: '≥ 2,000 sales/s',
          }),
        )),
      );
      results.push(
        ...(await withServer(backend, (h) =>
          runFanout(h, {
            streams: envInt('BENCH_STREAMS', 500),
            devices: envInt('BENCH_STREAM_DEVICES', 500),
            rounds: envInt('BENCH_FANOUT_ROUNDS', 10),
            target: 'p99 ≤ 1000 ms',
          }),
        )),
      );
    } finally {
      await postgres.stop();
    }
    return results;
  },
};
