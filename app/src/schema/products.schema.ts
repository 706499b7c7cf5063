/**
 * `products`: the catalog, pulled from the sync server (server-authoritative, never written by a till).
 *
 * Barcode lookup (p99 ≤ 5 ms at 1M products) must be one indexed equality read, but a product has several
 * barcodes and Dexie has no multi-entry index. So a product is stored as one *main row* (`id` =
 * `productId`, `barcode` = its first barcode) plus one *barcode row* per further barcode (`id` =
 * `productId|barcode`). A barcode row is a full copy of the product, so the scan resolves in that single
 * read; its `nameKey` and `skuKey` are empty, so name and SKU searches (prefix ranges over those keys,
 * p95 ≤ 50 ms for the first 20) only ever meet main rows. The server writes and tombstones all rows of a
 * product together. Consumers use `productId`, never `id`, and convert with `toProduct`.
 */
import type { MigrationStrategies, RxJsonSchema } from 'rxdb';
import type { Product } from '../domain/catalog.ts';
import {
  BARCODE_MAX_LENGTH,
  barcodeSchema,
  booleanSchema,
  dateTimeSchema,
  ID_MAX_LENGTH,
  idSchema,
  nameSchema,
  SEARCH_KEY_MAX_LENGTH,
  unitSchema,
} from './common.ts';
import { searchKey, skuKey } from './search-keys.ts';
import type { SchemaType } from './type-checks.ts';

export const PRODUCTS_SCHEMA_VERSION = 0;

/** Separates the product id from the barcode in a barcode row's id; never part of an id or a barcode. */
export const BARCODE_ROW_SEPARATOR = '|';

export const productsSchema = {
  title: 'products',
  description: 'Catalog rows: one main row per product plus one row per additional barcode.',
  version: PRODUCTS_SCHEMA_VERSION,
  primaryKey: 'id',
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: ID_MAX_LENGTH + 1 + BARCODE_MAX_LENGTH },
    productId: idSchema,
    sku: idSchema,
    /** `skuKey(sku)` on the main row, '' on barcode rows. */
    skuKey: { type: 'string', maxLength: SEARCH_KEY_MAX_LENGTH },
    name: nameSchema,
    /** `searchKey(name)` on the main row, '' on barcode rows. */
    nameKey: { type: 'string', maxLength: SEARCH_KEY_MAX_LENGTH },
    /** The code this row is found by; '' on the main row of a product that has no barcode. */
    barcode: { type: 'string', maxLength: BARCODE_MAX_LENGTH },
    /** Every code of the product, in HQ's order (the same list on each of its rows). */
    barcodes: { type: 'array', items: barcodeSchema, uniqueItems: true },
    categoryId: idSchema,
    taxClassId: idSchema,
    unit: unitSchema,
    sellable: booleanSchema,
    active: booleanSchema,
    minimumAge: { type: 'integer', minimum: 0, maximum: 99 },
    /** Set by the server when it wrote the row; informative only (pulls order by the server checkpoint). */
    updatedAt: dateTimeSchema,
  },
  required: [
    'id',
    'productId',
    'sku',
    'skuKey',
    'name',
    'nameKey',
    'barcode',
    'barcodes',
    'categoryId',
    'taxClassId',
    'unit',
    'sellable',
    'active',
    'updatedAt',
  ],
  indexes: ['barcode', 'nameKey', 'skuKey'],
} as const;

export type ProductDoc = SchemaType<typeof productsSchema>;

export const productsRxSchema: RxJsonSchema<ProductDoc> = productsSchema;

/** Keyed by the version a strategy migrates *to*; v1 adds `1: (v0) => v1`. */
export const productsMigrationStrategies: MigrationStrategies = {};

/**
 * The rows that store `product`: its main row, then a barcode row for each barcode after the first. The
 * sync server publishes exactly these (and tombstones rows whose barcode was removed).
 */
export function productRows(product: Product, updatedAt: string): ProductDoc[] {
  const [first = '', ...others] = product.barcodes;
  const common = {
    productId: product.id,
    sku: product.sku,
    name: product.name,
    barcodes: product.barcodes,
    categoryId: product.categoryId,
    taxClassId: product.taxClassId,
    unit: product.unit,
    sellable: product.sellable,
    active: product.active,
    ...(product.minimumAge === undefined ? {} : { minimumAge: product.minimumAge }),
    updatedAt,
  };
  const main: ProductDoc = {
    ...common,
    id: product.id,
    skuKey: skuKey(product.sku),
    nameKey: searchKey(product.name),
    barcode: first,
  };
  return [
    main,
    ...others.map((barcode) => ({
      ...common,
      id: `${product.id}${BARCODE_ROW_SEPARATOR}${barcode}`,
      skuKey: '',
      nameKey: '',
      barcode,
    })),
  ];
}

export function isMainProductRow(doc: Pick<ProductDoc, 'id' | 'productId'>): boolean {
  return doc.id === doc.productId;
}

/** The domain's product, whichever row the lookup found. */
export function toProduct(doc: ProductDoc): Product {
  return {
    id: doc.productId,
    sku: doc.sku,
    name: doc.name,
    barcodes: doc.barcodes,
    categoryId: doc.categoryId,
    taxClassId: doc.taxClassId,
    unit: doc.unit,
    sellable: doc.sellable,
    active: doc.active,
    ...(doc.minimumAge === undefined ? {} : { minimumAge: doc.minimumAge }),
  };
}
