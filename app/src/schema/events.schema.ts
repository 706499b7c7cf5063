/**
 * `events`: the single push-only outbox for every fact a till authors (sales, returns, stock movements
 * and counts, cash movements, shifts, sign-ups, loyalty accruals), and the registry of their versioned
 * payload schemas that the sync server validates pushes against.
 *
 * An event is immutable once written. Its envelope carries the idempotency key (`eventId`, a UUIDv7 made
 * on the till), the journal's gap-free `deviceSeq`, and `type@schemaVersion`, which selects the payload
 * schema. The envelope accepts any well-formed type name so that an event of a type or version this
 * server does not know is still a valid row: the server keeps it, quarantines it and acknowledges it
 * (`eventPayloadSchema` returns undefined for it), instead of refusing a batch and blocking the queue.
 *
 * Only the server sets `serverStatus` / `serverReason`: a quarantined row comes back to the till as a
 * push "conflict" carrying them, RxDB's default handler adopts it, and the next push is a no-op.
 *
 * Indexes serve the till's own queries: the newest `deviceSeq` (re-filling the outbox from the journal on
 * start; the high-water mark check), a shift's events by type since the shift opened (X/Z reports), and
 * pruning by age after the 30-day retention.
 */
import type { MigrationStrategies, RxJsonSchema } from 'rxdb';
import type {
  CashMovementRecord,
  ReturnRecord,
  SaleRecord,
  ShiftClosedRecord,
  ShiftOpenedRecord,
} from '../domain/records.ts';
import { idSchema, MAX_SAFE, textSchema, utcTimestampSchema, uuidV7Schema } from './common.ts';
import {
  customerSignupV1Schema,
  loyaltyAccruedV1Schema,
  stockCountedV1Schema,
  stockMovedV1Schema,
} from './event-payloads.ts';
import type { CustomerSignupV1, LoyaltyAccruedV1, StockCountedV1, StockMovedV1 } from './event-payloads.ts';
import {
  cashMovementRecordSchema,
  returnRecordSchema,
  saleRecordSchema,
  shiftClosedRecordSchema,
  shiftOpenedRecordSchema,
} from './record-schemas.ts';
import type { Equal, Equivalent, Expect, SchemaType } from './type-checks.ts';

export const EVENTS_SCHEMA_VERSION = 0;

export const EVENT_TYPES = [
  'sale.completed',
  'return.completed',
  'stock.moved',
  'stock.counted',
  'cash.moved',
  'shift.opened',
  'shift.closed',
  'customer.signup',
  'loyalty.accrued',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Type names are dotted lowercase words: `sale.completed`, `stock.moved`. */
export const EVENT_TYPE_PATTERN = '^[a-z][a-z_]*(\\.[a-z][a-z_]*)+$';

export const eventsSchema = {
  title: 'events',
  description: 'Push-only outbox of immutable facts authored by this till.',
  version: EVENTS_SCHEMA_VERSION,
  primaryKey: 'eventId',
  type: 'object',
  additionalProperties: false,
  properties: {
    eventId: uuidV7Schema,
    type: { type: 'string', pattern: EVENT_TYPE_PATTERN, minLength: 3, maxLength: 64 },
    /** The payload schema's version for this type (`EVENT_SCHEMAS[type][schemaVersion]`). */
    schemaVersion: { type: 'integer', minimum: 1, maximum: 1000 },
    storeId: idSchema,
    deviceId: idSchema,
    /** Assigned by the journal: gap-free and strictly increasing per device, from 1. */
    deviceSeq: { type: 'integer', minimum: 1, maximum: MAX_SAFE, multipleOf: 1 },
    /** The till's clock when the fact happened. */
    occurredAt: utcTimestampSchema,
    payload: { type: 'object' },
    serverStatus: { type: 'string', enum: ['quarantined'] },
    serverReason: textSchema,
  },
  required: ['eventId', 'type', 'schemaVersion', 'storeId', 'deviceId', 'deviceSeq', 'occurredAt', 'payload'],
  indexes: ['deviceSeq', ['type', 'deviceSeq'], 'occurredAt'],
} as const;

/**
 * Fields that are not part of what the till said: RxDB's bookkeeping and the server's receipt. The
 * server hashes the canonical JSON (RFC 8785) of an event without them to tell an identical resend from
 * a reused key.
 */
export const EVENT_NON_CONTENT_FIELDS = [
  '_deleted',
  '_rev',
  '_meta',
  '_attachments',
  'serverStatus',
  'serverReason',
] as const;

/**
 * Payload schemas by type and version. Versions are never edited once shipped: a change is a new
 * version, and the server keeps validating the old one for events still waiting in tills' outboxes.
 */
export const EVENT_SCHEMAS = {
  'sale.completed': { 1: saleRecordSchema },
  'return.completed': { 1: returnRecordSchema },
  'stock.moved': { 1: stockMovedV1Schema },
  'stock.counted': { 1: stockCountedV1Schema },
  'cash.moved': { 1: cashMovementRecordSchema },
  'shift.opened': { 1: shiftOpenedRecordSchema },
  'shift.closed': { 1: shiftClosedRecordSchema },
  'customer.signup': { 1: customerSignupV1Schema },
  'loyalty.accrued': { 1: loyaltyAccruedV1Schema },
} as const satisfies Record<EventType, Readonly<Record<number, object>>>;

/** The version a till writes today, per type. */
export const CURRENT_EVENT_VERSIONS = {
  'sale.completed': 1,
  'return.completed': 1,
  'stock.moved': 1,
  'stock.counted': 1,
  'cash.moved': 1,
  'shift.opened': 1,
  'shift.closed': 1,
  'customer.signup': 1,
  'loyalty.accrued': 1,
} as const satisfies { readonly [T in EventType]: EventVersion<T> };

/** The payload type of each (type, version); the records of records.ts where one exists. */
export interface EventPayloads {
  readonly 'sale.completed': { readonly 1: SaleRecord };
  readonly 'return.completed': { readonly 1: ReturnRecord };
  readonly 'stock.moved': { readonly 1: StockMovedV1 };
  readonly 'stock.counted': { readonly 1: StockCountedV1 };
  readonly 'cash.moved': { readonly 1: CashMovementRecord };
  readonly 'shift.opened': { readonly 1: ShiftOpenedRecord };
  readonly 'shift.closed': { readonly 1: ShiftClosedRecord };
  readonly 'customer.signup': { readonly 1: CustomerSignupV1 };
  readonly 'loyalty.accrued': { readonly 1: LoyaltyAccruedV1 };
}

export type EventVersion<T extends EventType> = keyof EventPayloads[T] & number;

export type EventPayload<
  T extends EventType,
  V extends EventVersion<T> = (typeof CURRENT_EVENT_VERSIONS)[T],
> = EventPayloads[T][V];

type Schemas = typeof EVENT_SCHEMAS;

/** Every registered schema describes exactly the payload type declared for it, and no version is missing. */
type VersionsMatch = { [T in EventType]: Equal<keyof Schemas[T], keyof EventPayloads[T]> }[EventType];
export type EventRegistryMatches = [
  Expect<Equal<VersionsMatch, true>>,
  Expect<Equal<Schemas['sale.completed'][1], typeof saleRecordSchema>>,
  Expect<Equivalent<SchemaType<typeof saleRecordSchema>, EventPayloads['sale.completed'][1]>>,
  Expect<Equal<Schemas['return.completed'][1], typeof returnRecordSchema>>,
  Expect<Equivalent<SchemaType<typeof returnRecordSchema>, EventPayloads['return.completed'][1]>>,
  Expect<Equal<Schemas['stock.moved'][1], typeof stockMovedV1Schema>>,
  Expect<Equivalent<SchemaType<typeof stockMovedV1Schema>, EventPayloads['stock.moved'][1]>>,
  Expect<Equal<Schemas['stock.counted'][1], typeof stockCountedV1Schema>>,
  Expect<Equivalent<SchemaType<typeof stockCountedV1Schema>, EventPayloads['stock.counted'][1]>>,
  Expect<Equal<Schemas['cash.moved'][1], typeof cashMovementRecordSchema>>,
  Expect<Equivalent<SchemaType<typeof cashMovementRecordSchema>, EventPayloads['cash.moved'][1]>>,
  Expect<Equal<Schemas['shift.opened'][1], typeof shiftOpenedRecordSchema>>,
  Expect<Equivalent<SchemaType<typeof shiftOpenedRecordSchema>, EventPayloads['shift.opened'][1]>>,
  Expect<Equal<Schemas['shift.closed'][1], typeof shiftClosedRecordSchema>>,
  Expect<Equivalent<SchemaType<typeof shiftClosedRecordSchema>, EventPayloads['shift.closed'][1]>>,
  Expect<Equal<Schemas['customer.signup'][1], typeof customerSignupV1Schema>>,
  Expect<Equivalent<SchemaType<typeof customerSignupV1Schema>, EventPayloads['customer.signup'][1]>>,
  Expect<Equal<Schemas['loyalty.accrued'][1], typeof loyaltyAccruedV1Schema>>,
  Expect<Equivalent<SchemaType<typeof loyaltyAccruedV1Schema>, EventPayloads['loyalty.accrued'][1]>>,
];

/** The envelope as stored, payload unchecked (what an older or newer till might also have written). */
export type EventEnvelope = SchemaType<typeof eventsSchema>;

/** A well-typed outbox event: the envelope with `type`, `schemaVersion` and `payload` tied together. */
export type OutboxEvent = {
  [T in EventType]: {
    [V in EventVersion<T>]: Omit<EventEnvelope, 'type' | 'schemaVersion' | 'payload'> & {
      readonly type: T;
      readonly schemaVersion: V;
      readonly payload: EventPayloads[T][V];
    };
  }[EventVersion<T>];
}[EventType];

export type EventDoc = OutboxEvent;

export const eventsRxSchema: RxJsonSchema<EventDoc> = eventsSchema;

/** Keyed by the version a strategy migrates *to*; v1 adds `1: (v0) => v1`. */
export const eventsMigrationStrategies: MigrationStrategies = {};

export type EventPayloadSchema = {
  [T in EventType]: Schemas[T][EventVersion<T> & keyof Schemas[T]];
}[EventType];

const REGISTRY: ReadonlyMap<string, ReadonlyMap<number, EventPayloadSchema>> = new Map(
  EVENT_TYPES.map((type) => [
    type,
    new Map<number, EventPayloadSchema>(
      Object.entries(EVENT_SCHEMAS[type]).map(([version, schema]) => [Number(version), schema]),
    ),
  ]),
);

export function isEventType(type: string): type is EventType {
  return REGISTRY.has(type);
}

/**
 * The payload schema for `type@version`, or undefined when this build does not know that type or
 * version (the server then quarantines the event rather than rejecting it).
 */
export function eventPayloadSchema(type: string, version: number): EventPayloadSchema | undefined {
  return REGISTRY.get(type)?.get(version);
}
