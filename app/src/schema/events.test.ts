import Ajv from 'ajv';
import type { AnySchema, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReturnRecord, SaleRecord } from '../domain/records.ts';
import {
  CURRENT_EVENT_VERSIONS,
  EVENT_NON_CONTENT_FIELDS,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  eventPayloadSchema,
  eventsSchema,
  isEventType,
} from './events.schema.ts';
import type { EventType, OutboxEvent } from './events.schema.ts';
import {
  SAMPLE_CASH_MOVEMENT,
  SAMPLE_CUSTOMER_SIGNUP,
  SAMPLE_EVENT,
  SAMPLE_LOYALTY_ACCRUAL,
  SAMPLE_RETURN,
  SAMPLE_SALE,
  SAMPLE_SHIFT_CLOSED,
  SAMPLE_SHIFT_OPENED,
  SAMPLE_STOCK_COUNT,
  SAMPLE_STOCK_MOVEMENTS,
} from './samples.ts';
import { RXDB_SCHEMA_KEYWORDS } from './wire.ts';

type Json = Record<string, unknown>;

const ajv = new Ajv({ strict: true, allErrors: true });
ajv.addVocabulary([...RXDB_SCHEMA_KEYWORDS]);
addFormats(ajv);

const payloadValidators = new Map<EventType, ValidateFunction>(
  EVENT_TYPES.map((type) => [type, ajv.compile(eventPayloadSchema(type, 1) as AnySchema)]),
);
const validPayload = (type: EventType, payload: unknown) => payloadValidators.get(type)!(payload);
const validEnvelope = ajv.compile(eventsSchema as unknown as AnySchema);

/** How the sync server judges a pushed row: envelope first, then the payload of its type@version. */
function judge(row: Json): 'valid' | 'invalid' | 'unknown type or version' {
  if (!validEnvelope(row)) return 'invalid';
  const schema = eventPayloadSchema(row.type as string, row.schemaVersion as number);
  if (schema === undefined) return 'unknown type or version';
  return ajv.validate(schema as AnySchema, row.payload) ? 'valid' : 'invalid';
}

const SAMPLES: Record<EventType, readonly unknown[]> = {
  'sale.completed': [SAMPLE_SALE],
  'return.completed': [SAMPLE_RETURN],
  'stock.moved': SAMPLE_STOCK_MOVEMENTS,
  'stock.counted': [SAMPLE_STOCK_COUNT],
  'cash.moved': [SAMPLE_CASH_MOVEMENT],
  'shift.opened': [SAMPLE_SHIFT_OPENED],
  'shift.closed': [SAMPLE_SHIFT_CLOSED],
  'customer.signup': [SAMPLE_CUSTOMER_SIGNUP],
  'loyalty.accrued': [SAMPLE_LOYALTY_ACCRUAL],
};

function withPath(doc: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(doc) as Json;
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) Reflect.deleteProperty(node, last);
  else node[last] = value;
  return copy;
}

describe('event registry', () => {
  it('has version 1 of every event type, and that is what tills write', () => {
    expect(EVENT_TYPES).toEqual([
      'sale.completed',
      'return.completed',
      'stock.moved',
      'stock.counted',
      'cash.moved',
      'shift.opened',
      'shift.closed',
      'customer.signup',
      'loyalty.accrued',
    ]);
    for (const type of EVENT_TYPES) {
      expect(Object.keys(EVENT_SCHEMAS[type])).toEqual(['1']);
      expect(CURRENT_EVENT_VERSIONS[type]).toBe(1);
      expect(eventPayloadSchema(type, 1)).toBe(EVENT_SCHEMAS[type][1]);
    }
  });

  it.each<[string, number]>([
    ['sale.completed', 2],
    ['sale.completed', 0],
    ['sale.completed', 1.5],
    ['sale.completed', Number.NaN],
    ['sale.voided', 1],
    ['Sale.Completed', 1],
    ['constructor', 1],
    ['__proto__', 1],
    ['toString', 1],
    ['', 1],
  ])('does not know %s@%s', (type, version) => {
    expect(eventPayloadSchema(type, version)).toBeUndefined();
  });

  it('tells known types from unknown ones without trusting the prototype chain', () => {
    expect(isEventType('stock.moved')).toBe(true);
    expect(isEventType('hasOwnProperty')).toBe(false);
    expect(isEventType('stock.moved ')).toBe(false);
  });

  it('excludes only RxDB bookkeeping and the server receipt from an event’s content', () => {
    expect(EVENT_NON_CONTENT_FIELDS).toEqual([
      '_deleted',
      '_rev',
      '_meta',
      '_attachments',
      'serverStatus',
      'serverReason',
    ]);
  });
});

describe('payload schemas', () => {
  it.each(EVENT_TYPES)('%s v1 compiles under strict ajv and accepts its samples', (type) => {
    for (const sample of SAMPLES[type]) {
      expect(validPayload(type, sample), JSON.stringify(payloadValidators.get(type)!.errors)).toBe(true);
    }
  });

  it.each(EVENT_TYPES)(
    '%s v1 refuses a payload missing a required field or carrying an unknown one',
    (type) => {
      const sample = SAMPLES[type][0] as Json;
      const required = Object.keys(sample).filter(
        (key) => !validPayload(type, withPath(sample, [key], undefined)),
      );
      expect(required.length).toBeGreaterThan(2);
      expect(validPayload(type, { ...sample, unexpected: 1 })).toBe(false);
    },
  );

  it('accepts sale and return records typed as the records of records.ts', () => {
    const sale: SaleRecord = { ...SAMPLE_SALE, customerId: 'cust-2', couponCodes: ['SPRING25'] };
    const noReceiptReturn: ReturnRecord = {
      returnId: 'ret-2',
      receiptNumber: 'R01-T02-000008',
      storeId: 'store-zrh-01',
      deviceId: 'till-zrh-01-02',
      shiftId: 'shift-0192',
      cashierId: 'staff-anna',
      currency: 'CHF',
      createdAt: '2025-03-14T10:30:00+01:00',
      lines: [
        {
          returnLineId: 'r1',
          productId: 'prod-choc',
          sku: 'CHOC-100',
          name: 'Schokolade 100 g',
          quantity: 1000,
          total: 250,
          net: 250,
          discount: 0,
          taxes: [{ taxId: 'ch-vat-red', name: 'MwSt 2.6 %', rate: 26_000, base: 244, amount: 6 }],
          tax: 6,
          disposition: 'write_off',
          reason: 'No receipt, damaged',
        },
      ],
      total: 250,
      tax: 6,
      taxes: [{ taxId: 'ch-vat-red', name: 'MwSt 2.6 %', rate: 26_000, base: 244, amount: 6 }],
      cashRounding: 0,
      refunds: [{ tenderId: 'rf', type: 'store_credit', amount: 250, reference: 'sc-991' }],
      noReceipt: true,
      approvals: [
        {
          approvalId: 'a9',
          permission: 'return.no_receipt',
          requestedBy: 'staff-anna',
          approvedBy: 'staff-marc',
          approvedAt: '2025-03-14T09:29:00Z',
        },
      ],
    };
    expect(validPayload('sale.completed', sale)).toBe(true);
    expect(validPayload('return.completed', noReceiptReturn)).toBe(true);
  });

  it.each<[string, EventType, unknown, readonly (string | number)[], unknown]>([
    ['a sale without lines', 'sale.completed', SAMPLE_SALE, ['lines'], []],
    ['a sale line of negative quantity', 'sale.completed', SAMPLE_SALE, ['lines', 0, 'quantity'], -1000],
    ['a sale line of quantity 0', 'sale.completed', SAMPLE_SALE, ['lines', 0, 'quantity'], 0],
    [
      'a quantity in units instead of thousandths with decimals',
      'sale.completed',
      SAMPLE_SALE,
      ['lines', 1, 'quantity'],
      0.752,
    ],
    ['an amount in major units', 'sale.completed', SAMPLE_SALE, ['total'], 6.66],
    ['an amount as a string', 'sale.completed', SAMPLE_SALE, ['total'], '666'],
    ['an amount beyond the safe integers', 'sale.completed', SAMPLE_SALE, ['subtotal'], 2 ** 53],
    ['a negative line total', 'sale.completed', SAMPLE_SALE, ['lines', 0, 'total'], -350],
    ['an unknown unit', 'sale.completed', SAMPLE_SALE, ['lines', 1, 'unit'], 'kilo'],
    [
      'a price source without its version',
      'sale.completed',
      SAMPLE_SALE,
      ['lines', 0, 'priceSource'],
      { priceBookId: 'pb', priceId: 'p' },
    ],
    [
      'a missing price source (null is required when there is none)',
      'sale.completed',
      SAMPLE_SALE,
      ['lines', 1, 'priceSource'],
      undefined,
    ],
    [
      'a discount from an unknown source',
      'sale.completed',
      SAMPLE_SALE,
      ['lines', 0, 'discounts', 0, 'source'],
      'loyalty',
    ],
    ['a negative discount', 'sale.completed', SAMPLE_SALE, ['lines', 0, 'discounts', 0, 'amount'], -20],
    ['a tax rate as a fraction', 'sale.completed', SAMPLE_SALE, ['lines', 0, 'taxes', 0, 'rate'], 0.081],
    ['an unknown tender type', 'sale.completed', SAMPLE_SALE, ['tenders', 0, 'type'], 'cheque'],
    [
      'a card number in a tender',
      'sale.completed',
      SAMPLE_SALE,
      ['tenders', 0, 'cardNumber'],
      '4111111111111111',
    ],
    ['more than four card digits', 'sale.completed', SAMPLE_SALE, ['tenders', 0, 'cardLast4'], '41111'],
    [
      'a completion time that is not a date-time',
      'sale.completed',
      SAMPLE_SALE,
      ['completedAt'],
      'yesterday',
    ],
    ['a date-time without an offset', 'sale.completed', SAMPLE_SALE, ['completedAt'], '2025-03-14T09:13:41'],
    ['a currency that is not ISO 4217-shaped', 'sale.completed', SAMPLE_SALE, ['currency'], 'EURO'],
    ['a negative change', 'sale.completed', SAMPLE_SALE, ['change'], -335],
    [
      'an approval of an unknown permission',
      'sale.completed',
      { ...SAMPLE_SALE, approvals: SAMPLE_CASH_MOVEMENT.approvals },
      ['approvals', 0, 'permission'],
      'sale.delete',
    ],
    [
      'a voided line without who voided it',
      'sale.completed',
      SAMPLE_SALE,
      ['voidedLines', 0, 'voidedBy'],
      undefined,
    ],
    ['an unknown field on a line', 'sale.completed', SAMPLE_SALE, ['lines', 0, 'margin'], 120],
    [
      'an unknown return disposition',
      'return.completed',
      SAMPLE_RETURN,
      ['lines', 0, 'disposition'],
      'trash',
    ],
    ['a return line of quantity 0', 'return.completed', SAMPLE_RETURN, ['lines', 0, 'quantity'], 0],
    ['a negative refund', 'return.completed', SAMPLE_RETURN, ['refunds', 0, 'amount'], -175],
    ['a return without the no-receipt flag', 'return.completed', SAMPLE_RETURN, ['noReceipt'], undefined],
    ['an unknown cash movement', 'cash.moved', SAMPLE_CASH_MOVEMENT, ['kind'], 'loan'],
    ['a negative cash movement', 'cash.moved', SAMPLE_CASH_MOVEMENT, ['amount'], -2000],
    ['a negative opening float', 'shift.opened', SAMPLE_SHIFT_OPENED, ['openingFloat'], -1],
    ['Z number 0', 'shift.closed', SAMPLE_SHIFT_CLOSED, ['zNumber'], 0],
    ['a negative count of notes', 'shift.closed', SAMPLE_SHIFT_CLOSED, ['cashCount', 0, 'count'], -1],
    ['a negative counted amount', 'shift.closed', SAMPLE_SHIFT_CLOSED, ['tenders', 0, 'counted'], -5],
    ['a sale movement that adds stock', 'stock.moved', SAMPLE_STOCK_MOVEMENTS[0], ['quantity'], 2000],
    [
      'a sale movement without its source event',
      'stock.moved',
      SAMPLE_STOCK_MOVEMENTS[0],
      ['sourceEventId'],
      undefined,
    ],
    [
      'a source event id that is not a UUIDv7',
      'stock.moved',
      SAMPLE_STOCK_MOVEMENTS[0],
      ['sourceEventId'],
      'sale-0001',
    ],
    ['a return movement that removes stock', 'stock.moved', SAMPLE_STOCK_MOVEMENTS[1], ['quantity'], -1000],
    [
      'a transfer without its transfer id',
      'stock.moved',
      SAMPLE_STOCK_MOVEMENTS[2],
      ['transferId'],
      undefined,
    ],
    ['a transfer of nothing', 'stock.moved', SAMPLE_STOCK_MOVEMENTS[2], ['quantity'], 0],
    ['an adjustment of nothing', 'stock.moved', SAMPLE_STOCK_MOVEMENTS[3], ['quantity'], 0],
    [
      'an adjustment carrying a transfer id',
      'stock.moved',
      SAMPLE_STOCK_MOVEMENTS[3],
      ['transferId'],
      'tr-1',
    ],
    ['a goods receipt that removes stock', 'stock.moved', SAMPLE_STOCK_MOVEMENTS[4], ['quantity'], -48_000],
    ['an unknown movement reason', 'stock.moved', SAMPLE_STOCK_MOVEMENTS[3], ['reason'], 'theft'],
    ['a fractional movement', 'stock.moved', SAMPLE_STOCK_MOVEMENTS[3], ['quantity'], -1.5],
    ['a negative count', 'stock.counted', SAMPLE_STOCK_COUNT, ['quantity'], -1],
    ['a consent given as text', 'customer.signup', SAMPLE_CUSTOMER_SIGNUP, ['emailConsent'], 'yes'],
    [
      'an accrual without the sale that keys it',
      'loyalty.accrued',
      SAMPLE_LOYALTY_ACCRUAL,
      ['saleId'],
      undefined,
    ],
    ['negative points', 'loyalty.accrued', SAMPLE_LOYALTY_ACCRUAL, ['points'], -5],
  ])('refuses %s', (_, type, sample, path, value) => {
    expect(validPayload(type, sample)).toBe(true);
    expect(validPayload(type, withPath(sample, path, value))).toBe(false);
  });

  it('never lets a stock movement’s sign contradict its reason', () => {
    const signs = { sale: -1, return: 1, receipt: 1 } as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: -1e12, max: 1e12 }), (i, quantity) => {
        const movement = { ...SAMPLE_STOCK_MOVEMENTS[i]!, quantity };
        const required = signs[movement.reason as keyof typeof signs] as number | undefined;
        const expected = quantity !== 0 && (required === undefined || Math.sign(quantity) === required);
        expect(validPayload('stock.moved', movement)).toBe(expected);
      }),
    );
  });

  it('keeps sale line quantities and amounts whole numbers of thousandths and minor units', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (value) => {
        const sale = withPath(SAMPLE_SALE, ['lines', 0, 'unitPrice'], value);
        expect(validPayload('sale.completed', sale)).toBe(Number.isInteger(value) && value >= 0);
      }),
    );
  });
});

describe('envelope', () => {
  it('accepts the sample event and judges it valid', () => {
    expect(validEnvelope(SAMPLE_EVENT), JSON.stringify(validEnvelope.errors)).toBe(true);
    expect(judge(SAMPLE_EVENT as unknown as Json)).toBe('valid');
  });

  it('keeps an event of an unknown type or version distinguishable from an invalid one', () => {
    const future = { ...SAMPLE_EVENT, type: 'gift_card.issued', payload: { cardId: 'g1' } };
    const newer = { ...SAMPLE_EVENT, schemaVersion: 2 };
    const broken = { ...SAMPLE_EVENT, payload: { ...SAMPLE_SALE, total: -1 } };
    expect(judge(future)).toBe('unknown type or version');
    expect(judge(newer)).toBe('unknown type or version');
    expect(judge(broken)).toBe('invalid');
    expect(judge({ ...SAMPLE_EVENT, deviceSeq: -3 })).toBe('invalid');
  });

  it('carries a quarantine receipt set by the server', () => {
    const receipt: OutboxEvent = {
      ...SAMPLE_EVENT,
      serverStatus: 'quarantined',
      serverReason: 'storeId differs from the token',
    };
    expect(validEnvelope(receipt)).toBe(true);
  });
});
