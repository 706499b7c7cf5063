/**
 * Building blocks shared by every schema: bounded strings, integer amounts, timestamps and the closed
 * vocabularies of the domain. Schemas are inlined data (RxDB refuses `$ref`), so each field spreads one
 * of these `as const` fragments and keeps its literal type for `FromSchema`.
 *
 * Bounds exist because the sync server validates pushes from devices it does not trust: an unbounded
 * string or a non-safe integer is a way to hurt it. They are generous enough that a genuine record never
 * meets them.
 */
import type { RoundingMode } from '../domain/money.ts';
import { PERMISSIONS } from '../domain/permissions.ts';
import type { Role } from '../domain/permissions.ts';
import type { CashMovementKind, ReturnDisposition, TenderType, Unit } from '../domain/records.ts';
import type { Equal, Expect } from './type-checks.ts';

/** Number.MAX_SAFE_INTEGER as a literal, so it survives in `as const` schemas. */
export const MAX_SAFE = 9_007_199_254_740_991;

export const ID_MAX_LENGTH = 64;
export const NAME_MAX_LENGTH = 200;
export const TEXT_MAX_LENGTH = 500;
/** Longest normalised barcode: GS1-128 carries up to 48 data characters; room for a symbology prefix. */
export const BARCODE_MAX_LENGTH = 64;
/** Search keys are prefixes of normalised names; longer names are truncated (see search-keys.ts). */
export const SEARCH_KEY_MAX_LENGTH = 100;
/** Tax and discount rates in millionths; 1000 % is far beyond any real rate. */
export const RATE_MAX = 10_000_000;

/**
 * Timestamps used in an index (and so compared as strings) must sort like the instants they name:
 * UTC, milliseconds, fixed width, exactly what `Date.prototype.toISOString` produces.
 */
export const UTC_TIMESTAMP_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$';

/** Event ids are UUIDv7 (time-ordered), lowercase, as the server's `uuid` column needs. */
export const UUID_V7_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

export const uuidV7Schema = {
  type: 'string',
  pattern: UUID_V7_PATTERN,
  minLength: 36,
  maxLength: 36,
} as const;
export const idSchema = { type: 'string', minLength: 1, maxLength: ID_MAX_LENGTH } as const;
export const nameSchema = { type: 'string', minLength: 1, maxLength: NAME_MAX_LENGTH } as const;
export const textSchema = { type: 'string', maxLength: TEXT_MAX_LENGTH } as const;
export const barcodeSchema = { type: 'string', minLength: 1, maxLength: BARCODE_MAX_LENGTH } as const;
/** A loyalty or staff card's printed number (never a payment card: those are refused at the reader). */
export const cardNumberSchema = { type: 'string', minLength: 1, maxLength: 64 } as const;
export const currencySchema = { type: 'string', pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3 } as const;
export const booleanSchema = { type: 'boolean' } as const;

/** Instants the domain computes with (validity windows), as epoch milliseconds within `Date`'s range. */
export const EPOCH_MS_MAX = 8_640_000_000_000_000;
export const epochMsSchema = { type: 'integer', minimum: -EPOCH_MS_MAX, maximum: EPOCH_MS_MAX } as const;
/** A window bound; null = unbounded on that side (the domain's convention). */
export const nullableEpochMsSchema = { anyOf: [{ type: 'null' }, epochMsSchema] } as const;

/** ISO 8601 date-time with an offset; not indexed, so any offset is fine. */
export const dateTimeSchema = { type: 'string', format: 'date-time', maxLength: 40 } as const;
/** Canonical UTC instant (`toISOString()`), for indexed fields. */
export const utcTimestampSchema = {
  type: 'string',
  format: 'date-time',
  pattern: UTC_TIMESTAMP_PATTERN,
  minLength: 24,
  maxLength: 24,
} as const;

/** Any amount in minor units (signed: cash rounding, variances). */
export const minorSchema = { type: 'integer', minimum: -MAX_SAFE, maximum: MAX_SAFE } as const;
export const nonNegativeMinorSchema = { type: 'integer', minimum: 0, maximum: MAX_SAFE } as const;
/** Quantities in thousandths of the unit; a line sells or returns at least one thousandth. */
export const positiveQuantitySchema = { type: 'integer', minimum: 1, maximum: MAX_SAFE } as const;
export const nonNegativeQuantitySchema = { type: 'integer', minimum: 0, maximum: MAX_SAFE } as const;
export const signedQuantitySchema = { type: 'integer', minimum: -MAX_SAFE, maximum: MAX_SAFE } as const;
export const rateSchema = { type: 'integer', minimum: 0, maximum: RATE_MAX } as const;
export const countSchema = { type: 'integer', minimum: 0, maximum: MAX_SAFE } as const;

export const UNIT_VALUES = ['each', 'kg', 'g', 'lb', 'm'] as const;
export const TENDER_TYPE_VALUES = ['cash', 'card', 'gift_card', 'store_credit'] as const;
export const ROLE_VALUES = ['cashier', 'supervisor', 'manager', 'hq'] as const;
export const CASH_MOVEMENT_KIND_VALUES = ['paid_in', 'paid_out', 'drop', 'no_sale'] as const;
export const RETURN_DISPOSITION_VALUES = ['restock', 'write_off'] as const;
export const ROUNDING_MODE_VALUES = [
  'half-up',
  'half-down',
  'half-even',
  'up',
  'down',
  'ceiling',
  'floor',
] as const;

export const unitSchema = { type: 'string', enum: UNIT_VALUES } as const;
export const tenderTypeSchema = { type: 'string', enum: TENDER_TYPE_VALUES } as const;
export const roleSchema = { type: 'string', enum: ROLE_VALUES } as const;
export const permissionSchema = { type: 'string', enum: PERMISSIONS } as const;
export const roundingModeSchema = { type: 'string', enum: ROUNDING_MODE_VALUES } as const;

export const idListSchema = { type: 'array', items: idSchema, uniqueItems: true } as const;

/** The vocabularies above are the domain's unions, exactly: a new unit or tender type must reach the schemas. */
export type VocabulariesMatchDomain = [
  Expect<Equal<(typeof UNIT_VALUES)[number], Unit>>,
  Expect<Equal<(typeof TENDER_TYPE_VALUES)[number], TenderType>>,
  Expect<Equal<(typeof ROLE_VALUES)[number], Role>>,
  Expect<Equal<(typeof CASH_MOVEMENT_KIND_VALUES)[number], CashMovementKind>>,
  Expect<Equal<(typeof RETURN_DISPOSITION_VALUES)[number], ReturnDisposition>>,
  Expect<Equal<(typeof ROUNDING_MODE_VALUES)[number], RoundingMode>>,
];
