/**
 * `carts`: the sales this till has not finished (open, parked, tendering); local only, never
 * replicated. A document is the domain's `Sale` (sale.ts) as it stands, minus its `config`, which holds
 * role policies (sets) and is rebuilt from `config` documents when the cart is loaded: `{ ...doc,
 * config }` is the sale again. The completed sale's `SaleRecord` is the only thing that leaves the till.
 *
 * The sale is saved on every change, including `priced` (frozen when tendering starts) and the tenders
 * already accepted: a card payment approved before a crash survives the restart, the cart comes back in
 * `tendering`, and the customer is not charged twice.
 */
import type { MigrationStrategies, RxJsonSchema } from 'rxdb';
import type { Sale, SaleConfig } from '../domain/sale.ts';
import {
  barcodeSchema,
  currencySchema,
  dateTimeSchema,
  epochMsSchema,
  idListSchema,
  idSchema,
  MAX_SAFE,
  nameSchema,
  nonNegativeMinorSchema,
  positiveQuantitySchema,
  textSchema,
  unitSchema,
  utcTimestampSchema,
} from './common.ts';
import { taxExemptionSchema } from './customers.schema.ts';
import {
  approvalRecordSchema,
  saleLineRecordSchema,
  taxSummaryRecordSchema,
  voidedLineRecordSchema,
} from './record-schemas.ts';
import type { Equivalent, Expect, SchemaType } from './type-checks.ts';

export const CARTS_SCHEMA_VERSION = 0;

export const SALE_STATE_VALUES = ['open', 'parked', 'tendering', 'completed', 'voided'] as const;

/** `ManualDiscount` (sale.ts): a rate in millionths, or an amount in minor units. */
export const manualDiscountSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'rate'],
      properties: {
        kind: { type: 'string', enum: ['percent'] },
        rate: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        reason: textSchema,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'amount'],
      properties: {
        kind: { type: 'string', enum: ['amount'] },
        amount: { type: 'integer', minimum: 1, maximum: MAX_SAFE },
        reason: textSchema,
      },
    },
  ],
} as const;

/** `SaleLine` (sale.ts): what the cashier rang, before pricing. */
export const saleLineSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['lineId', 'productId', 'sku', 'name', 'categoryId', 'taxClassId', 'unit', 'quantity'],
  properties: {
    lineId: idSchema,
    productId: idSchema,
    sku: idSchema,
    name: nameSchema,
    categoryId: idSchema,
    taxClassId: idSchema,
    unit: unitSchema,
    barcode: barcodeSchema,
    quantity: positiveQuantitySchema,
    embeddedPrice: nonNegativeMinorSchema,
    priceOverride: nonNegativeMinorSchema,
    manualDiscount: manualDiscountSchema,
  },
} as const;

/** `SaleTender` (sale.ts): cash handed over, an approved card payment, or a gift card / store credit. */
export const saleTenderSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['tenderId', 'type', 'received'],
      properties: {
        tenderId: idSchema,
        type: { type: 'string', enum: ['cash'] },
        received: nonNegativeMinorSchema,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['tenderId', 'type', 'amount', 'reference'],
      properties: {
        tenderId: idSchema,
        type: { type: 'string', enum: ['card'] },
        amount: nonNegativeMinorSchema,
        reference: { type: 'string', minLength: 1, maxLength: 128 },
        approvalCode: { type: 'string', minLength: 1, maxLength: 64 },
        cardBrand: { type: 'string', minLength: 1, maxLength: 32 },
        cardLast4: { type: 'string', pattern: '^[0-9]{4}$', minLength: 4, maxLength: 4 },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['tenderId', 'type', 'amount', 'reference'],
      properties: {
        tenderId: idSchema,
        type: { type: 'string', enum: ['gift_card', 'store_credit'] },
        amount: nonNegativeMinorSchema,
        reference: { type: 'string', minLength: 1, maxLength: 128 },
      },
    },
  ],
} as const;

/** `PricedSale` (sale.ts): the figures frozen when tendering started. */
export const pricedSaleSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'currency',
    'pricesIncludeTax',
    'at',
    'lines',
    'subtotal',
    'discount',
    'tax',
    'total',
    'taxes',
    'promotions',
    'couponCodes',
    'unknownCoupons',
  ],
  properties: {
    currency: currencySchema,
    pricesIncludeTax: { type: 'boolean' },
    at: epochMsSchema,
    lines: { type: 'array', items: saleLineRecordSchema },
    subtotal: nonNegativeMinorSchema,
    discount: nonNegativeMinorSchema,
    tax: nonNegativeMinorSchema,
    total: nonNegativeMinorSchema,
    taxes: { type: 'array', items: taxSummaryRecordSchema },
    promotions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['promotionId', 'name', 'description', 'amount'],
        properties: {
          promotionId: idSchema,
          name: nameSchema,
          description: nameSchema,
          couponCode: idSchema,
          amount: nonNegativeMinorSchema,
        },
      },
    },
    couponCodes: { type: 'array', items: idSchema },
    unknownCoupons: { type: 'array', items: idSchema },
  },
} as const;

export const cartsSchema = {
  title: 'carts',
  description: 'Unfinished sales of this till (local only): the domain Sale without its config.',
  version: CARTS_SCHEMA_VERSION,
  primaryKey: 'saleId',
  type: 'object',
  additionalProperties: false,
  properties: {
    saleId: idSchema,
    storeId: idSchema,
    deviceId: idSchema,
    shiftId: idSchema,
    cashierId: idSchema,
    currency: currencySchema,
    openedAt: dateTimeSchema,
    state: { type: 'string', enum: SALE_STATE_VALUES, maxLength: 16 },
    lines: { type: 'array', items: saleLineSchema },
    voidedLines: { type: 'array', items: voidedLineRecordSchema },
    customer: {
      type: 'object',
      additionalProperties: false,
      required: ['customerId', 'groupIds'],
      properties: { customerId: idSchema, groupIds: idListSchema, taxExemption: taxExemptionSchema },
    },
    couponCodes: { type: 'array', items: idSchema },
    orderDiscount: manualDiscountSchema,
    approvals: { type: 'array', items: approvalRecordSchema },
    ageVerified: { type: 'integer', minimum: 0, maximum: 99 },
    parkedAt: dateTimeSchema,
    priced: pricedSaleSchema,
    tenders: { type: 'array', items: saleTenderSchema },
    completedAt: dateTimeSchema,
    receiptNumber: idSchema,
    /** When the till last saved the cart (canonical UTC, indexed): the parked list shows the newest first. */
    updatedAt: utcTimestampSchema,
  },
  required: [
    'saleId',
    'storeId',
    'deviceId',
    'shiftId',
    'cashierId',
    'currency',
    'openedAt',
    'state',
    'lines',
    'voidedLines',
    'couponCodes',
    'approvals',
    'ageVerified',
    'tenders',
    'updatedAt',
  ],
  indexes: [['state', 'updatedAt']],
} as const;

export type CartDoc = SchemaType<typeof cartsSchema>;

export const cartsRxSchema: RxJsonSchema<CartDoc> = cartsSchema;

/** Keyed by the version a strategy migrates *to*; v1 adds `1: (v0) => v1`. */
export const cartsMigrationStrategies: MigrationStrategies = {};

/** The document that stores `sale`, saved at `savedAt` (the till's clock, `toISOString()`). */
export function cartFromSale(sale: Sale, savedAt: string): CartDoc {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the rest is what is stored
  const { config: _config, ...stored } = sale;
  return { ...stored, updatedAt: savedAt };
}

/** The sale a cart stores, with the store's current sale configuration. */
export function saleFromCart(doc: CartDoc, config: SaleConfig): Sale {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the rest is the sale
  const { updatedAt: _savedAt, ...sale } = doc;
  return { ...sale, config };
}

/** A cart is a sale without its config; drift between the two fails `tsc` here. */
export type CartMatchesSale = Expect<Equivalent<Omit<CartDoc, 'updatedAt'>, Omit<Sale, 'config'>>>;
