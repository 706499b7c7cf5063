/**
 * JSON schemas of the immutable records of records.ts (and the approval of permissions.ts). They are the
 * payloads of `sale.completed`, `return.completed`, `cash.moved`, `shift.opened` and `shift.closed`
 * version 1, checked by the sync server before it applies an event. The `RecordSchemasMatch` proof at the
 * bottom makes `tsc` fail if a record type and its schema drift apart.
 *
 * Sign rules follow the invariants documented in records.ts: quantities sold or returned are positive,
 * line amounts are non-negative, only cash rounding and count variances carry a sign. Cross-field sums
 * (Σ lines = totals) are the business of `assertSaleRecordBalanced`, not of a schema.
 */
import type { ApprovalRecord } from '../domain/permissions.ts';
import type {
  AppliedDiscount,
  CashMovementRecord,
  DenominationCount,
  LineTax,
  PriceSource,
  ReturnLineRecord,
  ReturnRecord,
  SaleLineRecord,
  SaleRecord,
  ShiftClosedRecord,
  ShiftOpenedRecord,
  TaxSummaryRecord,
  TenderCount,
  TenderRecord,
  VoidedLineRecord,
} from '../domain/records.ts';
import {
  barcodeSchema,
  booleanSchema,
  CASH_MOVEMENT_KIND_VALUES,
  countSchema,
  currencySchema,
  dateTimeSchema,
  idSchema,
  minorSchema,
  nameSchema,
  nonNegativeMinorSchema,
  permissionSchema,
  positiveQuantitySchema,
  rateSchema,
  RETURN_DISPOSITION_VALUES,
  tenderTypeSchema,
  textSchema,
  unitSchema,
} from './common.ts';
import type { Equivalent, Expect, SchemaType } from './type-checks.ts';

export const approvalRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['approvalId', 'permission', 'requestedBy', 'approvedBy', 'approvedAt'],
  properties: {
    approvalId: idSchema,
    permission: permissionSchema,
    requestedBy: idSchema,
    approvedBy: idSchema,
    approvedAt: dateTimeSchema,
    reason: textSchema,
    lineId: idSchema,
  },
} as const;

export const appliedDiscountSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'scope', 'description', 'amount'],
  properties: {
    source: { type: 'string', enum: ['promotion', 'coupon', 'manual'] },
    promotionId: idSchema,
    couponCode: idSchema,
    scope: { type: 'string', enum: ['line', 'order'] },
    description: nameSchema,
    // An order discount allocated by largest remainder can leave a line a share of 0.
    amount: nonNegativeMinorSchema,
  },
} as const;

export const lineTaxSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['taxId', 'name', 'rate', 'base', 'amount'],
  properties: {
    taxId: idSchema,
    name: nameSchema,
    rate: rateSchema,
    base: nonNegativeMinorSchema,
    amount: nonNegativeMinorSchema,
  },
} as const;

/** Same fields as a line tax; kept separate because records.ts keeps two types. */
export const taxSummaryRecordSchema = lineTaxSchema;

export const priceSourceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['priceBookId', 'priceId', 'version'],
  properties: {
    priceBookId: idSchema,
    priceId: { type: 'string', minLength: 1, maxLength: 160 },
    version: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
  },
} as const;

export const saleLineRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'lineId',
    'productId',
    'sku',
    'name',
    'categoryId',
    'taxClassId',
    'unit',
    'quantity',
    'unitPrice',
    'priceSource',
    'gross',
    'discounts',
    'discount',
    'net',
    'taxes',
    'tax',
    'total',
  ],
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
    unitPrice: nonNegativeMinorSchema,
    priceSource: { anyOf: [{ type: 'null' }, priceSourceSchema] },
    overriddenFrom: nonNegativeMinorSchema,
    gross: nonNegativeMinorSchema,
    discounts: { type: 'array', items: appliedDiscountSchema },
    discount: nonNegativeMinorSchema,
    net: nonNegativeMinorSchema,
    taxes: { type: 'array', items: lineTaxSchema },
    tax: nonNegativeMinorSchema,
    total: nonNegativeMinorSchema,
  },
} as const;

export const voidedLineRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['lineId', 'productId', 'name', 'quantity', 'amount', 'voidedBy', 'voidedAt'],
  properties: {
    lineId: idSchema,
    productId: idSchema,
    name: nameSchema,
    quantity: positiveQuantitySchema,
    amount: nonNegativeMinorSchema,
    voidedBy: idSchema,
    voidedAt: dateTimeSchema,
  },
} as const;

export const tenderRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tenderId', 'type', 'amount'],
  properties: {
    tenderId: idSchema,
    type: tenderTypeSchema,
    amount: nonNegativeMinorSchema,
    received: nonNegativeMinorSchema,
    reference: { type: 'string', minLength: 1, maxLength: 128 },
    approvalCode: { type: 'string', minLength: 1, maxLength: 64 },
    cardBrand: { type: 'string', minLength: 1, maxLength: 32 },
    // Four digits and nothing more: a longer value would be (part of) a card number, which the POS never holds.
    cardLast4: { type: 'string', pattern: '^[0-9]{4}$', minLength: 4, maxLength: 4 },
  },
} as const;

const approvalsSchema = { type: 'array', items: approvalRecordSchema } as const;

export const saleRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'saleId',
    'receiptNumber',
    'storeId',
    'deviceId',
    'shiftId',
    'cashierId',
    'currency',
    'pricesIncludeTax',
    'openedAt',
    'completedAt',
    'lines',
    'voidedLines',
    'couponCodes',
    'subtotal',
    'discount',
    'tax',
    'total',
    'cashRounding',
    'taxes',
    'tenders',
    'change',
    'approvals',
  ],
  properties: {
    saleId: idSchema,
    receiptNumber: idSchema,
    storeId: idSchema,
    deviceId: idSchema,
    shiftId: idSchema,
    cashierId: idSchema,
    customerId: idSchema,
    currency: currencySchema,
    pricesIncludeTax: booleanSchema,
    openedAt: dateTimeSchema,
    completedAt: dateTimeSchema,
    lines: { type: 'array', minItems: 1, items: saleLineRecordSchema },
    voidedLines: { type: 'array', items: voidedLineRecordSchema },
    couponCodes: { type: 'array', items: idSchema },
    subtotal: nonNegativeMinorSchema,
    discount: nonNegativeMinorSchema,
    tax: nonNegativeMinorSchema,
    total: nonNegativeMinorSchema,
    cashRounding: minorSchema,
    taxes: { type: 'array', items: taxSummaryRecordSchema },
    tenders: { type: 'array', items: tenderRecordSchema },
    change: nonNegativeMinorSchema,
    approvals: approvalsSchema,
  },
} as const;

export const returnLineRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'returnLineId',
    'productId',
    'sku',
    'name',
    'quantity',
    'total',
    'net',
    'discount',
    'taxes',
    'tax',
    'disposition',
    'reason',
  ],
  properties: {
    returnLineId: idSchema,
    originalLineId: idSchema,
    productId: idSchema,
    sku: idSchema,
    name: nameSchema,
    quantity: positiveQuantitySchema,
    total: nonNegativeMinorSchema,
    net: nonNegativeMinorSchema,
    discount: nonNegativeMinorSchema,
    taxes: { type: 'array', items: lineTaxSchema },
    tax: nonNegativeMinorSchema,
    disposition: { type: 'string', enum: RETURN_DISPOSITION_VALUES },
    reason: textSchema,
  },
} as const;

export const returnRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'returnId',
    'receiptNumber',
    'storeId',
    'deviceId',
    'shiftId',
    'cashierId',
    'currency',
    'createdAt',
    'lines',
    'total',
    'tax',
    'taxes',
    'cashRounding',
    'refunds',
    'noReceipt',
    'approvals',
  ],
  properties: {
    returnId: idSchema,
    receiptNumber: idSchema,
    storeId: idSchema,
    deviceId: idSchema,
    shiftId: idSchema,
    cashierId: idSchema,
    customerId: idSchema,
    originalSaleId: idSchema,
    originalReceiptNumber: idSchema,
    currency: currencySchema,
    createdAt: dateTimeSchema,
    lines: { type: 'array', minItems: 1, items: returnLineRecordSchema },
    total: nonNegativeMinorSchema,
    tax: nonNegativeMinorSchema,
    taxes: { type: 'array', items: taxSummaryRecordSchema },
    cashRounding: minorSchema,
    refunds: { type: 'array', items: tenderRecordSchema },
    noReceipt: booleanSchema,
    exchangeSaleId: idSchema,
    approvals: approvalsSchema,
  },
} as const;

export const cashMovementRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'movementId',
    'storeId',
    'deviceId',
    'shiftId',
    'staffId',
    'kind',
    'currency',
    'amount',
    'reason',
    'at',
    'approvals',
  ],
  properties: {
    movementId: idSchema,
    storeId: idSchema,
    deviceId: idSchema,
    shiftId: idSchema,
    staffId: idSchema,
    kind: { type: 'string', enum: CASH_MOVEMENT_KIND_VALUES },
    currency: currencySchema,
    // A no-sale opens the drawer and moves nothing, so 0 is a valid amount.
    amount: nonNegativeMinorSchema,
    reason: textSchema,
    at: dateTimeSchema,
    approvals: approvalsSchema,
  },
} as const;

export const shiftOpenedRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['shiftId', 'storeId', 'deviceId', 'openedBy', 'openedAt', 'currency', 'openingFloat'],
  properties: {
    shiftId: idSchema,
    storeId: idSchema,
    deviceId: idSchema,
    openedBy: idSchema,
    openedAt: dateTimeSchema,
    currency: currencySchema,
    openingFloat: nonNegativeMinorSchema,
  },
} as const;

export const denominationCountSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['value', 'count'],
  properties: {
    value: { type: 'integer', minimum: 1, maximum: 100_000_000 },
    count: countSchema,
  },
} as const;

export const tenderCountSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'expected', 'counted', 'variance'],
  properties: {
    type: tenderTypeSchema,
    // Expected cash can go below zero when more was paid out than taken; a count cannot.
    expected: minorSchema,
    counted: nonNegativeMinorSchema,
    variance: minorSchema,
  },
} as const;

export const shiftClosedRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'shiftId',
    'storeId',
    'deviceId',
    'closedBy',
    'closedAt',
    'currency',
    'zNumber',
    'cashCount',
    'tenders',
    'approvals',
  ],
  properties: {
    shiftId: idSchema,
    storeId: idSchema,
    deviceId: idSchema,
    closedBy: idSchema,
    closedAt: dateTimeSchema,
    currency: currencySchema,
    zNumber: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
    cashCount: { type: 'array', items: denominationCountSchema },
    tenders: { type: 'array', items: tenderCountSchema },
    approvals: approvalsSchema,
  },
} as const;

/** Each record type is exactly what its schema describes; drift in either fails this line in `tsc`. */
export type RecordSchemasMatch = [
  Expect<Equivalent<SchemaType<typeof approvalRecordSchema>, ApprovalRecord>>,
  Expect<Equivalent<SchemaType<typeof appliedDiscountSchema>, AppliedDiscount>>,
  Expect<Equivalent<SchemaType<typeof lineTaxSchema>, LineTax>>,
  Expect<Equivalent<SchemaType<typeof taxSummaryRecordSchema>, TaxSummaryRecord>>,
  Expect<Equivalent<SchemaType<typeof priceSourceSchema>, PriceSource>>,
  Expect<Equivalent<SchemaType<typeof saleLineRecordSchema>, SaleLineRecord>>,
  Expect<Equivalent<SchemaType<typeof voidedLineRecordSchema>, VoidedLineRecord>>,
  Expect<Equivalent<SchemaType<typeof tenderRecordSchema>, TenderRecord>>,
  Expect<Equivalent<SchemaType<typeof saleRecordSchema>, SaleRecord>>,
  Expect<Equivalent<SchemaType<typeof returnLineRecordSchema>, ReturnLineRecord>>,
  Expect<Equivalent<SchemaType<typeof returnRecordSchema>, ReturnRecord>>,
  Expect<Equivalent<SchemaType<typeof cashMovementRecordSchema>, CashMovementRecord>>,
  Expect<Equivalent<SchemaType<typeof shiftOpenedRecordSchema>, ShiftOpenedRecord>>,
  Expect<Equivalent<SchemaType<typeof denominationCountSchema>, DenominationCount>>,
  Expect<Equivalent<SchemaType<typeof tenderCountSchema>, TenderCount>>,
  Expect<Equivalent<SchemaType<typeof shiftClosedRecordSchema>, ShiftClosedRecord>>,
];
