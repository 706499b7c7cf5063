/**
 * Pull by commit-safe checkpoint `{epoch, txid, seq}` (sync-protocol.md "Checkpoint"). Rows are read in
 * (txid, seq) order and only below the snapshot's xmin, so a transaction that commits late is never
 * jumped over: its rows stay invisible until every older transaction has finished.
 *
 * A page must be a walk of the `(txid, seq)` index that stops after `limit` rows, whatever the table's
 * size. Without statistics (PGlite has no autovacuum, so a table is never analysed unless told; on
 * PostgreSQL, right after a bulk load) the planner guesses that the store filter leaves a handful of
 * rows, and reads every row after the checkpoint into a bitmap scan and a sort instead: 15 ms became
 * 280 ms per page at 20,000 products, and a first download of N rows cost O(N²), hours at a million.
 * So each page runs in a transaction that takes those two plans away from the planner.
 */
import type { DbAdapter, Queryable } from './db/adapter.ts';
import { COLLECTION_SOURCES } from './collections.ts';
import type { PullCollection } from './collections.ts';

export const MAX_PULL_LIMIT = 1000;

export interface Checkpoint {
  readonly epoch: string;
  /** xid8 as a decimal string (it can exceed 2^53). */
  readonly txid: string;
  readonly seq: number;
}

export interface PullResult {
  readonly documents: readonly Readonly<Record<string, unknown>>[];
  readonly checkpoint: Checkpoint;
}

/** Run before a page's query, in its transaction: only an index walk in feed order is left to plan. */
export const PULL_PLAN_SETTINGS =
  "select set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)";

/** The page query of `collection`: $1 txid, $2 seq (exclusive start), $3 store id, $4 limit. */
export function pullSql(collection: PullCollection): string {
  const source = COLLECTION_SOURCES[collection];
  // The text copies get their own names: ORDER BY would otherwise sort by the text ('1000' < '453').
  return `select ${source.docSql} as doc, txid::text as cp_txid, seq::text as cp_seq
       from ${source.table}
      where (txid, seq) > ($1::xid8, $2::bigint)
        and txid < pg_snapshot_xmin(pg_current_snapshot())
        and (store_id is null or store_id = $3)
      order by txid, seq
      limit $4`;
}

export async function pullCollection(
  db: Pick<DbAdapter, 'transaction'>,
  collection: PullCollection,
  input: {
    readonly checkpoint: Checkpoint | undefined;
    readonly storeId: string;
    readonly limit: number;
    readonly epoch: string;
  },
): Promise<PullResult> {
  // A checkpoint of another epoch (a restore, a move to another database) restarts from the beginning.
  const from =
    input.checkpoint?.epoch === input.epoch ? input.checkpoint : { epoch: input.epoch, txid: '0', seq: 0 };
  const rows = await db.transaction(async (tx: Queryable) => {
    await tx.query(PULL_PLAN_SETTINGS);
    return tx.query<{ doc: Readonly<Record<string, unknown>>; cp_txid: string; cp_seq: string }>(
      pullSql(collection),
      [from.txid, from.seq, input.storeId, Math.min(input.limit, MAX_PULL_LIMIT)],
    );
  });
  const last = rows.at(-1);
  return {
    documents: rows.map((r) => r.doc),
    checkpoint:
      last === undefined
        ? { epoch: input.epoch, txid: from.txid, seq: from.seq }
        : { epoch: input.epoch, txid: last.cp_txid, seq: Number(last.cp_seq) },
  };
}
