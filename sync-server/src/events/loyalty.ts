/**
 * Loyalty accruals: the balance on the customer document is server-owned; each sale pays at most once
 * (the accrual's key is the sale id, not the event id). Customers are updated in id order so two
 * overlapping pushes cannot deadlock.
 */
import type { Queryable } from '../db/adapter.ts';
import type { LoyaltyAccrual } from './effects.ts';

/** Applies the accruals; returns the customer ids that do not exist (flagged, the accrual is kept). */
export async function applyAccruals(
  tx: Queryable,
  accruals: readonly LoyaltyAccrual[],
): Promise<readonly string[]> {
  if (accruals.length === 0) return [];
  const inserted = await tx.query<{ customer_id: string; points: string; accrued_at: string }>(
    `insert into loyalty_accruals (sale_id, customer_id, store_id, points, event_id, accrued_at)
     select x.sale_id, x.customer_id, x.store_id, x.points, x.event_id, x.accrued_at
       from jsonb_to_recordset($1::jsonb) as x(sale_id text, customer_id text, store_id text, points bigint,
            event_id text, accrued_at timestamptz)
     on conflict (sale_id) do nothing
     returning customer_id, points::text, iso(accrued_at) as accrued_at`,
    [
      JSON.stringify(
        [...accruals]
          .sort((a, b) => (a.saleId < b.saleId ? -1 : a.saleId > b.saleId ? 1 : 0))
          .map((a) => ({
            sale_id: a.saleId,
            customer_id: a.customerId,
            store_id: a.storeId,
            points: a.points,
            event_id: a.eventId,
            accrued_at: a.accruedAt,
          })),
      ),
    ],
  );
  const byCustomer = new Map<string, { points: number; asOf: string }>();
  for (const row of inserted) {
    const entry = byCustomer.get(row.customer_id) ?? { points: 0, asOf: row.accrued_at };
    entry.points += Number(row.points);
    if (row.accrued_at > entry.asOf) entry.asOf = row.accrued_at;
    byCustomer.set(row.customer_id, entry);
  }
  const missing: string[] = [];
  for (const customerId of [...byCustomer.keys()].sort()) {
    const entry = byCustomer.get(customerId);
    if (entry === undefined) continue;
    const updated = await tx.query<{ id: string }>(
      `update customers set doc = doc || jsonb_build_object(
          'loyaltyPoints', coalesce((doc->>'loyaltyPoints')::bigint, 0) + $2,
          'loyaltyAsOf', greatest(coalesce(doc->>'loyaltyAsOf', ''), $3::text))
        where id = $1 returning id`,
      [customerId, entry.points, entry.asOf],
    );
    if (updated.length === 0) missing.push(customerId);
  }
  return missing;
}
