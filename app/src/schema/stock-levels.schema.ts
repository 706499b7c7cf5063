/**
 * `stockLevels`: the server's projection of on-hand stock per (store, product), pulled read-only. Tills
 * never write it: they push immutable `stock.moved` / `stock.counted` events, and the server keeps
 * on-hand = last count + Σ movements that occurred after it (a late offline sale older than the count
 * does not change it). What the till shows is `onHand` plus its own movements not yet acknowledged.
 */
import type { MigrationStrategies, RxJsonSchema } from 'rxdb';
import {
  dateTimeSchema,
  ID_MAX_LENGTH,
  idSchema,
  nonNegativeQuantitySchema,
  signedQuantitySchema,
} from './common.ts';
import type { SchemaType } from './type-checks.ts';

export const STOCK_LEVELS_SCHEMA_VERSION = 0;

export const stockLevelsSchema = {
  title: 'stockLevels',
  description: 'On-hand stock per store and product, projected by the server from the movement ledger.',
  version: STOCK_LEVELS_SCHEMA_VERSION,
  primaryKey: 'id',
  type: 'object',
  additionalProperties: false,
  properties: {
    /** `${storeId}:${productId}` */
    id: { type: 'string', minLength: 3, maxLength: 2 * ID_MAX_LENGTH + 1 },
    storeId: idSchema,
    productId: idSchema,
    /** Thousandths of the product's unit. Negative is possible (sold offline beyond stock) and flagged. */
    onHand: signedQuantitySchema,
    /** When the last physical count that the projection starts from happened. */
    lastCountAt: dateTimeSchema,
    lastCountQuantity: nonNegativeQuantitySchema,
    /** The server time up to which movements are included. */
    asOf: dateTimeSchema,
    updatedAt: dateTimeSchema,
  },
  required: ['id', 'storeId', 'productId', 'onHand', 'asOf', 'updatedAt'],
  indexes: [['storeId', 'productId']],
} as const;

export type StockLevelDoc = SchemaType<typeof stockLevelsSchema>;

export const stockLevelsRxSchema: RxJsonSchema<StockLevelDoc> = stockLevelsSchema;

/** Keyed by the version a strategy migrates *to*; v1 adds `1: (v0) => v1`. */
export const stockLevelsMigrationStrategies: MigrationStrategies = {};

export function stockLevelId(storeId: string, productId: string): string {
  return `${storeId}:${productId}`;
}
