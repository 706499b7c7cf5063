/**
 * Payloads of the outbox events that have no record in records.ts: stock movements and counts, customer
 * sign-ups and loyalty accruals (version 1 of each). The other payloads are the records themselves (see
 * record-schemas.ts).
 */
import {
  booleanSchema,
  cardNumberSchema,
  currencySchema,
  idSchema,
  MAX_SAFE,
  nonNegativeMinorSchema,
  nonNegativeQuantitySchema,
  textSchema,
  uuidV7Schema,
} from './common.ts';
import type { SchemaType } from './type-checks.ts';

/** The vocabulary of the server's movement ledger. */
export const STOCK_MOVEMENT_REASONS = ['sale', 'return', 'transfer', 'adjustment', 'receipt'] as const;
export type StockMovementReason = (typeof STOCK_MOVEMENT_REASONS)[number];

const outgoingQuantity = { type: 'integer', minimum: -MAX_SAFE, maximum: -1 } as const;
const incomingQuantity = { type: 'integer', minimum: 1, maximum: MAX_SAFE } as const;
const nonZeroQuantity = {
  type: 'integer',
  minimum: -MAX_SAFE,
  maximum: MAX_SAFE,
  not: { const: 0 },
} as const;

const movementProperties = {
  /** The ledger row's id (idempotency key of the movement). */
  movementId: idSchema,
  storeId: idSchema,
  productId: idSchema,
  /** Who moved the goods (the cashier, for a sale). */
  staffId: idSchema,
} as const;
const movementRequired = ['movementId', 'storeId', 'productId', 'staffId', 'reason', 'quantity'] as const;

/**
 * A sale or return movement names the event and line it comes from. The server derives these movements
 * itself from `sale.completed` / `return.completed` with ids derived from (event id, line id), so a till
 * that also sends one gives it that same id and the ledger's primary key absorbs the duplicate.
 */
const sourcedMovement = <R extends 'sale' | 'return', Q extends object>(reason: R, quantity: Q) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: [...movementRequired, 'sourceEventId', 'sourceLineId'],
    properties: {
      ...movementProperties,
      reason: { type: 'string', enum: [reason] },
      quantity,
      sourceEventId: uuidV7Schema,
      sourceLineId: idSchema,
    },
  }) as const;

/**
 * `stock.moved` v1: one row of the movement ledger. `quantity` is the signed change of on-hand in
 * thousandths of the product's unit; its sign is fixed by the reason where the reason implies one.
 */
export const stockMovedV1Schema = {
  type: 'object',
  oneOf: [
    sourcedMovement('sale', outgoingQuantity),
    sourcedMovement('return', incomingQuantity),
    {
      type: 'object',
      additionalProperties: false,
      required: [...movementRequired, 'transferId'],
      properties: {
        ...movementProperties,
        reason: { type: 'string', enum: ['transfer'] },
        /** Negative when goods leave this store, positive when they arrive. */
        quantity: nonZeroQuantity,
        /** Shared by the two halves of a transfer; in transit = sent − received. */
        transferId: idSchema,
        counterpartStoreId: idSchema,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: movementRequired,
      properties: {
        ...movementProperties,
        reason: { type: 'string', enum: ['adjustment'] },
        quantity: nonZeroQuantity,
        /** Damaged, expired, theft … as the staff member gave it. */
        note: textSchema,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: movementRequired,
      properties: {
        ...movementProperties,
        reason: { type: 'string', enum: ['receipt'] },
        quantity: incomingQuantity,
        /** Delivery note or purchase order. */
        reference: idSchema,
      },
    },
  ],
} as const;

/**
 * `stock.counted` v1: a physical count of one product. It resets the projection: on-hand becomes this
 * quantity plus the movements that occurred after the count (the envelope's `occurredAt`).
 */
export const stockCountedV1Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['countId', 'storeId', 'productId', 'quantity', 'countedBy'],
  properties: {
    countId: idSchema,
    storeId: idSchema,
    productId: idSchema,
    /** What is on the shelf, in thousandths of the unit. */
    quantity: nonNegativeQuantitySchema,
    countedBy: idSchema,
    /** Groups the counts of one stocktake. */
    sessionId: idSchema,
  },
} as const;

/**
 * `customer.signup` v1: the fact that a customer joined at this till, with the consents given at that
 * moment (the envelope's `occurredAt` is their timestamp). The profile itself travels in `customers`.
 */
export const customerSignupV1Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['customerId', 'storeId', 'signedUpBy', 'emailConsent', 'smsConsent', 'postConsent'],
  properties: {
    customerId: idSchema,
    storeId: idSchema,
    signedUpBy: idSchema,
    emailConsent: booleanSchema,
    smsConsent: booleanSchema,
    postConsent: booleanSchema,
    /** The loyalty card handed over, if any. */
    cardNumber: cardNumberSchema,
  },
} as const;

/**
 * `loyalty.accrued` v1: points earned by one sale. `saleId` is the idempotency key: the server applies at
 * most one accrual per sale, whatever the event id (a re-created event after a crash must not pay twice).
 */
export const loyaltyAccruedV1Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['saleId', 'customerId', 'storeId', 'points', 'basis', 'currency'],
  properties: {
    saleId: idSchema,
    customerId: idSchema,
    storeId: idSchema,
    points: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
    /** The amount the points were computed on, in minor units. */
    basis: nonNegativeMinorSchema,
    currency: currencySchema,
  },
} as const;

export type StockMovedV1 = SchemaType<typeof stockMovedV1Schema>;
export type StockCountedV1 = SchemaType<typeof stockCountedV1Schema>;
export type CustomerSignupV1 = SchemaType<typeof customerSignupV1Schema>;
export type LoyaltyAccruedV1 = SchemaType<typeof loyaltyAccruedV1Schema>;
