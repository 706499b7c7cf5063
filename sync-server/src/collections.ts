/**
 * The pulled collections: which table holds each, and how a row becomes the document the till stores.
 * `_deleted` travels with every document (tombstones keep all required fields).
 */
export const PULL_COLLECTIONS = [
  'products',
  'prices',
  'config',
  'stockLevels',
  'customers',
  'staff',
] as const;
export type PullCollection = (typeof PULL_COLLECTIONS)[number];

/** The only collections a till may push to (events has its own route and semantics). */
export const PUSH_COLLECTIONS = ['events', 'customers'] as const;

export interface CollectionSource {
  readonly table: string;
  /** SQL expression of the document, over the table's columns. */
  readonly docSql: string;
}

const generic = (table: string): CollectionSource => ({
  table,
  docSql: `doc || jsonb_build_object('_deleted', deleted)`,
});

export const COLLECTION_SOURCES: Readonly<Record<PullCollection, CollectionSource>> = {
  products: generic('products'),
  prices: generic('prices'),
  config: generic('config'),
  customers: generic('customers'),
  staff: generic('staff'),
  stockLevels: {
    table: 'stock_levels',
    docSql: `jsonb_strip_nulls(jsonb_build_object(
      'id', store_id || ':' || product_id, 'storeId', store_id, 'productId', product_id,
      'onHand', coalesce(last_count_qty, 0) + delta_since_count,
      'lastCountAt', iso(last_count_at), 'lastCountQuantity', last_count_qty,
      'asOf', iso(updated_at), 'updatedAt', iso(updated_at))) || jsonb_build_object('_deleted', deleted)`,
  },
};

/** Feed table name (as the trigger reports it) → collection. */
export const TABLE_COLLECTION: Readonly<Record<string, PullCollection>> = {
  products: 'products',
  prices: 'prices',
  config: 'config',
  customers: 'customers',
  staff: 'staff',
  stockLevels: 'stockLevels',
};

export function isPullCollection(name: string): name is PullCollection {
  return (PULL_COLLECTIONS as readonly string[]).includes(name);
}
