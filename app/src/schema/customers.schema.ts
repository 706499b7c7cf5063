/**
 * `customers`: the one two-way collection. Tills create and edit profiles (also offline) and push them;
 * the server pushes HQ's and other tills' edits down. A push whose assumed state is stale comes back as a
 * conflict and the till's handler merges three ways with the assumed master state as the base: for each
 * top-level field, the till's value wins only if the till changed it, otherwise the server's stands, and
 * server-owned fields (`CUSTOMER_SERVER_OWNED_FIELDS`) always take the server's value.
 *
 * So that the merge works field by field, every independently edited fact is its own top-level field:
 * each consent channel is one field (granted + when, changed together), not one shared consent object.
 *
 * Lookups: by phone, email and card through normalised keys (`phoneKey`, `emailKey`, `cardKey` of
 * search-keys.ts; '' when absent, because Dexie can only index required fields) and by name through a
 * prefix range on `nameKey` (`customerNameKey`).
 */
import type { MigrationStrategies, RxJsonSchema } from 'rxdb';
import type { TaxExemption } from '../domain/tax.ts';
import {
  booleanSchema,
  cardNumberSchema,
  dateTimeSchema,
  idListSchema,
  idSchema,
  minorSchema,
  nameSchema,
  SEARCH_KEY_MAX_LENGTH,
  textSchema,
} from './common.ts';
import { cardKey, customerNameKey, emailKey, phoneKey } from './search-keys.ts';
import type { Equivalent, Expect, SchemaType } from './type-checks.ts';

export const CUSTOMERS_SCHEMA_VERSION = 0;

const consentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['granted', 'at'],
  properties: {
    granted: booleanSchema,
    /** When the customer gave or withdrew it (proof of consent). */
    at: dateTimeSchema,
  },
} as const;

const optionalNameSchema = { type: 'string', minLength: 1, maxLength: 100 } as const;

/** The shape of `TaxExemption` (tax.ts), as stored on a customer. */
export const taxExemptionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: {
    reason: textSchema,
    customerTaxId: { type: 'string', minLength: 1, maxLength: 64 },
    exemptTaxClassIds: idListSchema,
    exemptCategoryIds: idListSchema,
    exemptTaxIds: idListSchema,
  },
} as const;

/** A customer's exemption is handed to the tax engine as is. */
export type TaxExemptionMatchesDomain = Expect<
  Equivalent<SchemaType<typeof taxExemptionSchema>, TaxExemption>
>;

export const customersSchema = {
  title: 'customers',
  description: 'Customer profiles, created and edited at tills and at HQ; loyalty balances are server-owned.',
  version: CUSTOMERS_SCHEMA_VERSION,
  primaryKey: 'id',
  type: 'object',
  additionalProperties: false,
  properties: {
    id: idSchema,
    displayName: nameSchema,
    firstName: optionalNameSchema,
    lastName: optionalNameSchema,
    nameKey: { type: 'string', maxLength: SEARCH_KEY_MAX_LENGTH },
    phone: { type: 'string', minLength: 1, maxLength: 40 },
    phoneKey: { type: 'string', maxLength: 32 },
    email: { type: 'string', format: 'email', maxLength: 254 },
    emailKey: { type: 'string', maxLength: 254 },
    /** The loyalty card's printed number. */
    cardNumber: cardNumberSchema,
    cardKey: { type: 'string', maxLength: 64 },
    /** Price books and promotions can be limited to groups. */
    customerGroupIds: idListSchema,
    taxExemption: taxExemptionSchema,
    /** Marketing consents, one field per channel; absent = never asked = no consent. */
    emailConsent: consentSchema,
    smsConsent: consentSchema,
    postConsent: consentSchema,
    /** Server-owned: the balance after every accrual and redemption the server has applied. */
    loyaltyPoints: minorSchema,
    loyaltyTier: { type: 'string', minLength: 1, maxLength: 32 },
    /** Server-owned: the instant `loyaltyPoints` is valid for. */
    loyaltyAsOf: dateTimeSchema,
    /** The store where the customer signed up. */
    homeStoreId: idSchema,
    /** Server-owned: set when HQ merged this duplicate into another profile; edits go to that one. */
    mergedInto: idSchema,
    createdAt: dateTimeSchema,
    /** Set by the last writer (till or server); informative, never used to order or merge. */
    updatedAt: dateTimeSchema,
  },
  required: [
    'id',
    'displayName',
    'nameKey',
    'phoneKey',
    'emailKey',
    'cardKey',
    'customerGroupIds',
    'loyaltyPoints',
    'createdAt',
    'updatedAt',
  ],
  indexes: ['nameKey', 'phoneKey', 'emailKey', 'cardKey'],
} as const;

export type CustomerDoc = SchemaType<typeof customersSchema>;

export const customersRxSchema: RxJsonSchema<CustomerDoc> = customersSchema;

/** Keyed by the version a strategy migrates *to*; v1 adds `1: (v0) => v1`. */
export const customersMigrationStrategies: MigrationStrategies = {};

/** Fields a till never changes: the conflict handler always keeps the server's value for them. */
export const CUSTOMER_SERVER_OWNED_FIELDS = [
  'loyaltyPoints',
  'loyaltyTier',
  'loyaltyAsOf',
  'mergedInto',
] as const satisfies readonly (keyof CustomerDoc)[];

export type CustomerLookupKeys = Pick<CustomerDoc, 'nameKey' | 'phoneKey' | 'emailKey' | 'cardKey'>;

/** The lookup keys a customer document must carry; recompute them on every edit of the source fields. */
export function customerLookupKeys(
  customer: Pick<CustomerDoc, 'displayName' | 'firstName' | 'lastName' | 'phone' | 'email' | 'cardNumber'>,
): CustomerLookupKeys {
  return {
    nameKey: customerNameKey(customer),
    phoneKey: phoneKey(customer.phone ?? ''),
    emailKey: emailKey(customer.email ?? ''),
    cardKey: cardKey(customer.cardNumber ?? ''),
  };
}
