/**
 * The stockLevels projection: on-hand(store, product) = last count + Σ movements that occurred after
 * that count (Square's rule, sync-anchors §5). A movement older than the last count stays in the ledger
 * only; a count older than the last one is stored but not applied. Runs inside the push transaction,
 * keys in sorted order so overlapping pushes cannot deadlock.
 */
import type { Queryable } from '../db/adapter.ts';
import type { Movement, StockCount } from './effects.ts';

interface LevelRow {
  readonly last_count_ms: string | null;
}

function key(storeId: string, productId: string): string {
  return `${storeId}\u0000${productId}`;
}

/**
 * Inserts the movements and counts (duplicates ignored) and updates the projection from the ones that
 * were new. Returns the keys whose on-hand went below zero (flagged, never refused).
 */
export async function applyStockEffects(
  tx: Queryable,
  movements: readonly Movement[],
  counts: readonly StockCount[],
): Promise<readonly { storeId: string; productId: string; onHand: number }[]> {
  if (movements.length === 0 && counts.length === 0) return [];
  const sortedMovements = [...movements].sort((a, b) =>
    a.movementId < b.movementId ? -1 : a.movementId > b.movementId ? 1 : 0,
  );
  const inserted =
    sortedMovements.length === 0
      ? []
      : await tx.query<{ store_id: string; product_id: string; qty_delta: string; occurred_ms: string }>(
          `insert into stock_movements (movement_id, store_id, product_id, qty_delta, reason, event_id, occurred_at)
           select x.movement_id, x.store_id, x.product_id, x.qty_delta, x.reason, x.event_id, x.occurred_at
             from jsonb_to_recordset($1::jsonb) as x(movement_id text, store_id text, product_id text,
                  qty_delta bigint, reason text, event_id text, occurred_at timestamptz)
           on conflict (movement_id) do nothing
           returning store_id, product_id, qty_delta::text,
                     (extract(epoch from occurred_at) * 1000)::bigint::text as occurred_ms`,
          [
            JSON.stringify(
              sortedMovements.map((m) => ({
                movement_id: m.movementId,
                store_id: m.storeId,
                product_id: m.productId,
                qty_delta: m.qtyDelta,
                reason: m.reason,
                event_id: m.eventId,
                occurred_at: m.occurredAt,
              })),
            ),
          ],
        );
  const sortedCounts = [...counts].sort((a, b) =>
    a.countId < b.countId ? -1 : a.countId > b.countId ? 1 : 0,
  );
  const newCounts =
    sortedCounts.length === 0
      ? []
      : await tx.query<{ store_id: string; product_id: string; quantity: string; counted_ms: string }>(
          `insert into stock_counts (count_id, store_id, product_id, quantity, event_id, counted_at)
           select x.count_id, x.store_id, x.product_id, x.quantity, x.event_id, x.counted_at
             from jsonb_to_recordset($1::jsonb) as x(count_id text, store_id text, product_id text,
                  quantity bigint, event_id text, counted_at timestamptz)
           on conflict (count_id) do nothing
           returning store_id, product_id, quantity::text,
                     (extract(epoch from counted_at) * 1000)::bigint::text as counted_ms`,
          [
            JSON.stringify(
              sortedCounts.map((c) => ({
                count_id: c.countId,
                store_id: c.storeId,
                product_id: c.productId,
                quantity: c.quantity,
                event_id: c.eventId,
                counted_at: c.countedAt,
              })),
            ),
          ],
        );

  const byKey = new Map<
    string,
    {
      storeId: string;
      productId: string;
      moves: { qty: number; at: number }[];
      count?: { qty: number; at: number };
    }
  >();
  const entry = (storeId: string, productId: string) => {
    const k = key(storeId, productId);
    let e = byKey.get(k);
    if (e === undefined) {
      e = { storeId, productId, moves: [] };
      byKey.set(k, e);
    }
    return e;
  };
  for (const m of inserted)
    entry(m.store_id, m.product_id).moves.push({ qty: Number(m.qty_delta), at: Number(m.occurred_ms) });
  for (const c of newCounts) {
    const e = entry(c.store_id, c.product_id);
    const at = Number(c.counted_ms);
    if (e.count === undefined || at > e.count.at) e.count = { qty: Number(c.quantity), at };
  }

  const negative: { storeId: string; productId: string; onHand: number }[] = [];
  for (const k of [...byKey.keys()].sort()) {
    const e = byKey.get(k);
    if (e === undefined) continue;
    await tx.query('insert into stock_levels (store_id, product_id) values ($1, $2) on conflict do nothing', [
      e.storeId,
      e.productId,
    ]);
    const [level] = await tx.query<LevelRow>(
      `select (extract(epoch from last_count_at) * 1000)::bigint::text as last_count_ms
         from stock_levels where store_id = $1 and product_id = $2 for update`,
      [e.storeId, e.productId],
    );
    const lastCountAt =
      level?.last_count_ms === null || level === undefined ? undefined : Number(level.last_count_ms);
    let onHand: { on_hand: string }[];
    if (e.count !== undefined && (lastCountAt === undefined || e.count.at > lastCountAt)) {
      // A newer count: on-hand restarts from it, plus whatever the ledger holds after it.
      onHand = await tx.query<{ on_hand: string }>(
        `update stock_levels set last_count_at = $3::timestamptz, last_count_qty = $4,
                delta_since_count = (select coalesce(sum(qty_delta), 0) from stock_movements
                  where store_id = $1 and product_id = $2 and occurred_at > $3::timestamptz)
          where store_id = $1 and product_id = $2
          returning (coalesce(last_count_qty, 0) + delta_since_count)::text as on_hand`,
        [e.storeId, e.productId, new Date(e.count.at).toISOString(), e.count.qty],
      );
    } else {
      const delta = e.moves.reduce(
        (sum, m) => (lastCountAt === undefined || m.at > lastCountAt ? sum + m.qty : sum),
        0,
      );
      if (delta === 0) continue;
      onHand = await tx.query<{ on_hand: string }>(
        `update stock_levels set delta_since_count = delta_since_count + $3
          where store_id = $1 and product_id = $2
          returning (coalesce(last_count_qty, 0) + delta_since_count)::text as on_hand`,
        [e.storeId, e.productId, delta],
      );
    }
    const value = Number(onHand[0]?.on_hand ?? '0');
    if (value < 0) negative.push({ storeId: e.storeId, productId: e.productId, onHand: value });
  }
  return negative;
}
