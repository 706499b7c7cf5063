/**
 * `prices`: price-book entries, pulled from the sync server. Each row is one immutable version of one
 * product's price in one price book, valid over [validFrom, validTo). HQ publishes future versions ahead
 * of time and the till switches at `validFrom` by its own clock, online or not; versions of one (book,
 * product) never overlap (the server's exclusion constraint).
 *
 * The till resolves a price with the `[productId, validFrom]` index: rows of the product with
 * `validFrom ≤ instant`, newest first, filtered by the store's price books and `validTo`. `validFrom` is a
 * canonical UTC string so that string order is time order. A store's own override of a price is a row
 * whose `priceBookId` is `storeOverrideBookId(storeId)` (prices.ts); `priceFromDoc` tells them apart.
 */
import type { MigrationStrategies, RxJsonSchema } from 'rxdb';
import { storeOverrideBookId } from '../domain/prices.ts';
import type { PriceRow, StorePriceOverride } from '../domain/prices.ts';
import {
  booleanSchema,
  currencySchema,
  dateTimeSchema,
  idSchema,
  nonNegativeMinorSchema,
  utcTimestampSchema,
} from './common.ts';
import type { SchemaType } from './type-checks.ts';

export const PRICES_SCHEMA_VERSION = 0;

export const pricesSchema = {
  title: 'prices',
  description: 'Price-book entries with effective windows.',
  version: PRICES_SCHEMA_VERSION,
  primaryKey: 'id',
  type: 'object',
  additionalProperties: false,
  properties: {
    /** The price id a sale line records (`PriceSource.priceId`); opaque, chosen by the server. */
    id: { type: 'string', minLength: 1, maxLength: 160 },
    priceBookId: idSchema,
    productId: idSchema,
    /** For audit and HQ tooling; the till matches on `productId`. */
    sku: idSchema,
    /** Per unit of the product (per each, per kg …), in the currency's minor units. */
    amount: nonNegativeMinorSchema,
    currency: currencySchema,
    taxIncluded: booleanSchema,
    validFrom: utcTimestampSchema,
    /** Exclusive end; absent = until further notice. */
    validTo: utcTimestampSchema,
    /** Bumped by every HQ edit of this row; recorded in `PriceSource.version`. */
    version: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
    updatedAt: dateTimeSchema,
  },
  required: [
    'id',
    'priceBookId',
    'productId',
    'sku',
    'amount',
    'currency',
    'taxIncluded',
    'validFrom',
    'version',
    'updatedAt',
  ],
  indexes: [['productId', 'validFrom']],
} as const;

export type PriceDoc = SchemaType<typeof pricesSchema>;

export const pricesRxSchema: RxJsonSchema<PriceDoc> = pricesSchema;

/** Keyed by the version a strategy migrates *to*; v1 adds `1: (v0) => v1`. */
export const pricesMigrationStrategies: MigrationStrategies = {};

const OVERRIDE_BOOK_PREFIX = storeOverrideBookId('');

/**
 * The domain's view of a price document: a row of a price book, or, when its book id is
 * `storeOverrideBookId(storeId)`, that store's own override. Instants become epoch milliseconds.
 */
export function priceFromDoc(
  doc: PriceDoc,
):
  | { readonly kind: 'row'; readonly row: PriceRow }
  | { readonly kind: 'override'; readonly override: StorePriceOverride } {
  const validFrom = Date.parse(doc.validFrom);
  const validTo = doc.validTo === undefined ? null : Date.parse(doc.validTo);
  if (doc.priceBookId.startsWith(OVERRIDE_BOOK_PREFIX)) {
    return {
      kind: 'override',
      override: {
        id: doc.id,
        storeId: doc.priceBookId.slice(OVERRIDE_BOOK_PREFIX.length),
        productId: doc.productId,
        unitPrice: doc.amount,
        version: doc.version,
        validFrom,
        validTo,
      },
    };
  }
  return {
    kind: 'row',
    row: {
      id: doc.id,
      priceBookId: doc.priceBookId,
      productId: doc.productId,
      unitPrice: doc.amount,
      version: doc.version,
      validFrom,
      validTo,
      currency: doc.currency,
    },
  };
}
