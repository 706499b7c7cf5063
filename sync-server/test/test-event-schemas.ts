/**
 * The app's payload registry, with `sale.completed` and `return.completed` narrowed to the fields the
 * server's effects read: a full SaleRecord per test event would bury what each test is about. Every
 * other type (stock.counted, unknown types …) goes through the app's real schemas.
 */
import { appEventSchemas } from '../src/events/event-validator.ts';
import type { PayloadSchemaLookup } from '../src/events/event-validator.ts';

const id = { type: 'string', minLength: 1, maxLength: 64 } as const;
const quantity = { type: 'integer', minimum: 1 } as const;

const saleCompleted = {
  type: 'object',
  required: ['saleId', 'storeId', 'lines', 'total'],
  properties: {
    saleId: id,
    storeId: id,
    total: { type: 'integer', minimum: 0 },
    lines: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['lineId', 'productId', 'quantity', 'total'],
        properties: { lineId: id, productId: id, quantity, total: { type: 'integer', minimum: 0 } },
      },
    },
  },
} as const;

const returnCompleted = {
  type: 'object',
  required: ['returnId', 'storeId', 'lines'],
  properties: {
    returnId: id,
    storeId: id,
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['returnLineId', 'productId', 'quantity', 'disposition'],
        properties: {
          returnLineId: id,
          productId: id,
          quantity,
          disposition: { enum: ['restock', 'write_off'] },
        },
      },
    },
  },
} as const;

const REGISTRY: Readonly<Record<string, object>> = {
  'sale.completed@1': saleCompleted,
  'return.completed@1': returnCompleted,
};

export const testEventSchemas: PayloadSchemaLookup = (type, version) =>
  REGISTRY[`${type}@${version}`] ?? appEventSchemas(type, version);
