/**
 * Pull by commit-safe checkpoint `{epoch, txid, seq}` (sync-protocol.md "Checkpoint"). Rows are read in
 * (txid, seq) order and only below the snapshot's xmin, so a transaction that commits late is never
 * jumped over: its rows stay invisible until every older transaction has finished.
 */
import type { Queryable } from './db/adapter.ts';
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

export async function pullCollection(
  db: Queryable,
  collection: PullCollection,
  input: {
    readonly checkpoint: Checkpoint | undefined;
    readonly storeId: string;
    readonly limit: number;
    readonly epoch: string;
  },
): Promise<PullResult> {
  const source = COLLECTION_SOURCES[collection];
  // A checkpoint of another epoch (a restore, a move to another database) restarts from the beginning.
  const from =
    input.checkpoint?.epoch === input.epoch ? input.checkpoint : { epoch: input.epoch, txid: '0', seq: 0 };
  // The text copies get their own names: ORDER BY would otherwise sort by the text ('1000' < '453').
  const rows = await db.query<{ doc: Readonly<Record<string, unknown>>; cp_txid: string; cp_seq: string }>(
    `select ${source.docSql} as doc, txid::text as cp_txid, seq::text as cp_seq
       from ${source.table}
      where (txid, seq) > ($1::xid8, $2::bigint)
        and txid < pg_snapshot_xmin(pg_current_snapshot())
        and (store_id is null or store_id = $3)
      order by txid, seq
      limit $4`,
    [from.txid, from.seq, input.storeId, Math.min(input.limit, MAX_PULL_LIMIT)],
  );
  const last = rows.at(-1);
  return {
    documents: rows.map((r) => r.doc),
    checkpoint:
      last === undefined
        ? { epoch: input.epoch, txid: from.txid, seq: from.seq }
        : { epoch: input.epoch, txid: last.cp_txid, seq: Number(last.cp_seq) },
  };
}
