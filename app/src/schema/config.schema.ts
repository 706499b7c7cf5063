/**
 * `config`: everything HQ configures that is not catalog, price or stock, pulled from the server. One
 * collection (the free RxDB edition allows few) holding documents typed by `kind`, each with a `data`
 * object whose schema depends on the kind (`CONFIG_DATA_SCHEMAS`). The collection schema ties the two
 * together with `allOf`/`if`/`then`, so a validator (the server's ajv, RxDB's validate plugin) checks
 * `data` against its kind's schema, and the TypeScript `ConfigDoc` is a union discriminated by `kind`.
 *
 * `storeId` absent = chain-wide. Where a store-level document and a chain-wide one of the same kind and
 * key both exist, the store's wins.
 */
import type { MigrationStrategies, RxJsonSchema } from 'rxdb';
import type { ScanConfig, VariableMeasureTemplate } from '../domain/barcode.ts';
import type { Category } from '../domain/catalog.ts';
import type { CashRoundingRule } from '../domain/money.ts';
import type { Permission, Role, RolePolicy } from '../domain/permissions.ts';
import type { PriceBook } from '../domain/prices.ts';
import type { Promotion } from '../domain/promotions.ts';
import type { ReceiptStoreInfo } from '../domain/receipt.ts';
import type { ReturnPolicy } from '../domain/returns.ts';
import type { SaleConfig } from '../domain/sale.ts';
import type { ClosePolicy } from '../domain/shift.ts';
import type { TaxConfig, TaxRate } from '../domain/tax.ts';
import {
  booleanSchema,
  currencySchema,
  dateTimeSchema,
  idListSchema,
  idSchema,
  MAX_SAFE,
  nameSchema,
  nonNegativeMinorSchema,
  nullableEpochMsSchema,
  permissionSchema,
  rateSchema,
  roleSchema,
  roundingModeSchema,
  tenderTypeSchema,
} from './common.ts';
import type { Equal, Equivalent, Expect, SchemaType } from './type-checks.ts';

export const CONFIG_SCHEMA_VERSION = 0;

const positiveMinorSchema = { type: 'integer', minimum: 1, maximum: MAX_SAFE } as const;
const wholeCountSchema = { type: 'integer', minimum: 1, maximum: MAX_SAFE } as const;
/** A discount rate in millionths: more than 0, at most 100 %. */
const percentSchema = { type: 'integer', minimum: 1, maximum: 1_000_000 } as const;
const prioritySchema = { type: 'integer', minimum: -MAX_SAFE, maximum: MAX_SAFE } as const;
const shortTextSchema = { type: 'string', maxLength: 64 } as const;

/** `CashRoundingRule` (money.ts). */
export const cashRoundingRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['increment', 'mode'],
  properties: {
    /** Smallest coin in minor units; 1 = no rounding. */
    increment: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    mode: roundingModeSchema,
  },
} as const;

/** `TaxConfig` (tax.ts) without its rates, which are `tax_rule` documents. */
const storeTaxSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['jurisdictionId', 'pricesIncludeTax', 'rounding', 'roundingMode'],
  properties: {
    jurisdictionId: idSchema,
    pricesIncludeTax: booleanSchema,
    rounding: { type: 'string', enum: ['per-line', 'per-invoice'] },
    roundingMode: roundingModeSchema,
  },
} as const;

/** `ReturnPolicy` (returns.ts). */
export const returnPolicySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['windowDays', 'noReceipt'],
  properties: {
    windowDays: { anyOf: [{ type: 'null' }, { type: 'integer', minimum: 0, maximum: 3650 }] },
    noReceipt: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled', 'refundTo', 'maxAmount', 'requiresPermission'],
      properties: {
        enabled: booleanSchema,
        refundTo: { type: 'string', enum: ['store_credit', 'cash'] },
        maxAmount: nonNegativeMinorSchema,
        requiresPermission: booleanSchema,
      },
    },
    tenderOrder: { type: 'array', items: tenderTypeSchema, uniqueItems: true },
    cashRounding: cashRoundingRuleSchema,
    nonReturnableCategoryIds: idListSchema,
  },
} as const;

/**
 * The store as a whole, one document per store. Each part is a domain type the till passes on as is:
 * `tax` + the `tax_rule` documents make the `TaxConfig`, `sale` + the `role` documents the `SaleConfig`,
 * `scan` + the `barcode_template` documents the `ScanConfig`.
 */
export const storeSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'storeId',
    'name',
    'currency',
    'locale',
    'timeZone',
    'tax',
    'cashRounding',
    'denominations',
    'close',
    'returns',
    'sale',
    'scan',
  ],
  properties: {
    storeId: idSchema,
    name: nameSchema,
    currency: currencySchema,
    /** BCP 47, e.g. "de-CH"; formats amounts and dates on screen and receipt. */
    locale: { type: 'string', pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', minLength: 2, maxLength: 35 },
    /** IANA zone, e.g. "Europe/Zurich"; decides business days and Z report dates. */
    timeZone: {
      type: 'string',
      pattern: '^[A-Za-z0-9_+\\-]+(/[A-Za-z0-9_+\\-]+)*$',
      minLength: 1,
      maxLength: 64,
    },
    /** Prefix of receipt numbers printed by this store's tills, e.g. "S01". */
    receiptPrefix: { type: 'string', pattern: '^[A-Z0-9]{1,8}$', minLength: 1, maxLength: 8 },
    tax: storeTaxSchema,
    cashRounding: cashRoundingRuleSchema,
    /** Note and coin face values in minor units, for the blind count at shift close. */
    denominations: {
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 100_000_000 },
      uniqueItems: true,
    },
    /** `ClosePolicy` (shift.ts). */
    close: {
      type: 'object',
      additionalProperties: false,
      required: ['varianceThreshold'],
      properties: { varianceThreshold: nonNegativeMinorSchema },
    },
    returns: returnPolicySchema,
    /** `SaleConfig` (sale.ts) without the role policies, which are `role` documents. */
    sale: {
      type: 'object',
      additionalProperties: false,
      required: ['maxQuantity', 'mergeRepeatScans'],
      properties: {
        maxQuantity: wholeCountSchema,
        mergeRepeatScans: booleanSchema,
      },
    },
    /** `ScanConfig` (barcode.ts) without currency (above) and templates (`barcode_template`). */
    scan: {
      type: 'object',
      additionalProperties: false,
      properties: {
        gs1WithoutAim: booleanSchema,
        gsSubstitute: { type: 'string', minLength: 1, maxLength: 1 },
      },
    },
    loyalty: {
      type: 'object',
      additionalProperties: false,
      required: ['earnAmount', 'earnPoints', 'offlineRedeemAllowance'],
      properties: {
        /** `earnPoints` points per `earnAmount` minor units spent, e.g. 1 point per 100 (= 1.00). */
        earnAmount: positiveMinorSchema,
        earnPoints: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        /** Points a till may let a customer redeem beyond the last known balance while offline. */
        offlineRedeemAllowance: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
      },
    },
  },
} as const;

/** `TaxRate` (tax.ts): one rate of a tax class in a jurisdiction, valid over [validFrom, validTo). */
export const taxRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'taxClassId', 'jurisdictionId', 'rate', 'validFrom', 'validTo'],
  properties: {
    id: idSchema,
    /** Printed on the receipt, e.g. "MwSt 8.1 %". */
    name: nameSchema,
    taxClassId: idSchema,
    jurisdictionId: idSchema,
    /** Millionths; 0 marks the class as explicitly zero-rated. */
    rate: rateSchema,
    validFrom: nullableEpochMsSchema,
    validTo: nullableEpochMsSchema,
  },
} as const;

const itemSetProperties = { productIds: idListSchema, categoryIds: idListSchema } as const;
const itemSetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['productIds', 'categoryIds'],
  properties: itemSetProperties,
} as const;

/** `PromotionTarget` (promotions.ts): the whole order, or the lines of some products and categories. */
const promotionTargetSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: { kind: { type: 'string', enum: ['order'] } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'productIds', 'categoryIds'],
      properties: { kind: { type: 'string', enum: ['items'] }, ...itemSetProperties },
    },
  ],
} as const;

const promotionCommonProperties = {
  id: idSchema,
  /** Shown on the receipt. */
  name: nameSchema,
  priority: prioritySchema,
  exclusive: booleanSchema,
  stackable: booleanSchema,
  validFrom: nullableEpochMsSchema,
  validTo: nullableEpochMsSchema,
  storeIds: idListSchema,
  customerGroupIds: idListSchema,
  couponCode: { type: 'string', minLength: 1, maxLength: 64 },
  maxApplications: wholeCountSchema,
} as const;
const promotionCommonRequired = [
  'id',
  'name',
  'priority',
  'exclusive',
  'validFrom',
  'validTo',
  'storeIds',
  'customerGroupIds',
  'kind',
] as const;

/** `Promotion` (promotions.ts), one branch per kind. */
export const promotionSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: [...promotionCommonRequired, 'target', 'percent'],
      properties: {
        ...promotionCommonProperties,
        kind: { type: 'string', enum: ['percent_off'] },
        target: promotionTargetSchema,
        percent: percentSchema,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: [...promotionCommonRequired, 'target', 'amount'],
      properties: {
        ...promotionCommonProperties,
        kind: { type: 'string', enum: ['amount_off'] },
        target: promotionTargetSchema,
        amount: positiveMinorSchema,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: [...promotionCommonRequired, 'buy', 'buyQuantity', 'get', 'getQuantity', 'percent'],
      properties: {
        ...promotionCommonProperties,
        kind: { type: 'string', enum: ['buy_x_get_y'] },
        buy: itemSetSchema,
        buyQuantity: wholeCountSchema,
        get: itemSetSchema,
        getQuantity: wholeCountSchema,
        percent: percentSchema,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: [...promotionCommonRequired, 'items', 'quantity', 'price'],
      properties: {
        ...promotionCommonProperties,
        kind: { type: 'string', enum: ['bundle_price'] },
        items: itemSetSchema,
        quantity: wholeCountSchema,
        price: nonNegativeMinorSchema,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: [...promotionCommonRequired, 'eligible', 'threshold', 'reward'],
      properties: {
        ...promotionCommonProperties,
        kind: { type: 'string', enum: ['spend_threshold'] },
        eligible: promotionTargetSchema,
        threshold: positiveMinorSchema,
        reward: {
          oneOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'percent'],
              properties: { kind: { type: 'string', enum: ['percent'] }, percent: percentSchema },
            },
            {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'amount'],
              properties: { kind: { type: 'string', enum: ['amount'] }, amount: positiveMinorSchema },
            },
          ],
        },
      },
    },
  ],
} as const;

/** `PriceBook` (prices.ts): a book's identity and where it applies; its rows are `prices` documents. */
export const priceBookSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'currency', 'priority', 'storeIds', 'customerGroupIds', 'validFrom', 'validTo'],
  properties: {
    id: idSchema,
    name: nameSchema,
    currency: currencySchema,
    priority: prioritySchema,
    storeIds: idListSchema,
    customerGroupIds: idListSchema,
    validFrom: nullableEpochMsSchema,
    validTo: nullableEpochMsSchema,
  },
} as const;

const digitSpanSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['start', 'length'],
  properties: {
    start: { type: 'integer', minimum: 0, maximum: 13 },
    length: { type: 'integer', minimum: 1, maximum: 13 },
  },
} as const;

/** `VariableMeasureTemplate` (barcode.ts): a price- or weight-embedded in-store barcode layout. */
export const barcodeTemplateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'prefix', 'item', 'value', 'kind', 'decimals'],
  properties: {
    id: idSchema,
    prefix: { type: 'string', pattern: '^[0-9]{2,6}$', minLength: 2, maxLength: 6 },
    item: digitSpanSchema,
    value: digitSpanSchema,
    kind: { type: 'string', enum: ['price', 'weight', 'count'] },
    decimals: { type: 'integer', minimum: 0, maximum: 4 },
    verifierDigitAt: { type: 'integer', minimum: 0, maximum: 12 },
  },
} as const;

/** `ReceiptStoreInfo` (receipt.ts): what heads and ends the store's receipts. */
export const receiptHeaderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'addressLines', 'footerLines', 'locale'],
  properties: {
    name: nameSchema,
    addressLines: { type: 'array', maxItems: 10, items: shortTextSchema },
    /** VAT / GST / sales-tax registration printed where the law requires it. */
    taxId: { type: 'string', minLength: 1, maxLength: 64 },
    phone: { type: 'string', minLength: 1, maxLength: 40 },
    footerLines: { type: 'array', maxItems: 20, items: shortTextSchema },
    locale: { type: 'string', pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', minLength: 2, maxLength: 35 },
    /** The store's IANA zone for printed times; the till sets it from the store's settings. */
    timeZone: {
      type: 'string',
      pattern: '^[A-Za-z0-9_+\\-]+(/[A-Za-z0-9_+\\-]+)*$',
      minLength: 1,
      maxLength: 64,
    },
    receiptQrBaseUrl: { type: 'string', format: 'uri', pattern: '^https://', maxLength: 200 },
  },
} as const;

/** The JSON form of one role's `RolePolicy` (permissions.ts); replaces the built-in default. */
export const rolePolicySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['role', 'permissions', 'maxManualDiscountRate'],
  properties: {
    role: roleSchema,
    permissions: { type: 'array', items: permissionSchema, uniqueItems: true },
    maxManualDiscountRate: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  },
} as const;

/** `Category` (catalog.ts). */
export const categorySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id: idSchema,
    name: nameSchema,
    parentId: idSchema,
  },
} as const;

export const CONFIG_DATA_SCHEMAS = {
  store_settings: storeSettingsSchema,
  tax_rule: taxRuleSchema,
  promotion: promotionSchema,
  price_book: priceBookSchema,
  barcode_template: barcodeTemplateSchema,
  receipt_header: receiptHeaderSchema,
  role: rolePolicySchema,
  category: categorySchema,
} as const;

export type ConfigKind = keyof typeof CONFIG_DATA_SCHEMAS;

export type StoreSettings = SchemaType<typeof storeSettingsSchema>;
export type RolePolicyData = SchemaType<typeof rolePolicySchema>;

/** The type of each kind's `data`: the domain's own type wherever the domain has one. */
export interface ConfigDataTypes {
  readonly store_settings: StoreSettings;
  readonly tax_rule: TaxRate;
  readonly promotion: Promotion;
  readonly price_book: PriceBook;
  readonly barcode_template: VariableMeasureTemplate;
  readonly receipt_header: ReceiptStoreInfo;
  readonly role: RolePolicyData;
  readonly category: Category;
}

export const CONFIG_KINDS = [
  'store_settings',
  'tax_rule',
  'promotion',
  'price_book',
  'barcode_template',
  'receipt_header',
  'role',
  'category',
] as const satisfies readonly ConfigKind[];

const configDocumentProperties = {
  /** `${kind}:${key}`, the key being the data's own `id` (or the role, or the store id). */
  id: { type: 'string', minLength: 1, maxLength: 100 },
  kind: { type: 'string', enum: CONFIG_KINDS, maxLength: 32 },
  /** Absent = chain-wide. */
  storeId: idSchema,
  data: { type: 'object' },
  updatedAt: dateTimeSchema,
} as const;

const dataFor = <K extends ConfigKind>(kind: K) =>
  ({
    if: { type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: [kind] } } },
    then: { type: 'object', properties: { data: CONFIG_DATA_SCHEMAS[kind] } },
  }) as const;

export const configSchema = {
  title: 'config',
  description: 'HQ configuration documents typed by kind: settings, tax, promotions, price books, templates.',
  version: CONFIG_SCHEMA_VERSION,
  primaryKey: 'id',
  type: 'object',
  additionalProperties: false,
  properties: configDocumentProperties,
  required: ['id', 'kind', 'data', 'updatedAt'],
  indexes: ['kind'],
  allOf: [
    dataFor('store_settings'),
    dataFor('tax_rule'),
    dataFor('promotion'),
    dataFor('price_book'),
    dataFor('barcode_template'),
    dataFor('receipt_header'),
    dataFor('role'),
    dataFor('category'),
  ],
} as const;

type ConfigEnvelope = SchemaType<{
  type: 'object';
  additionalProperties: false;
  properties: typeof configDocumentProperties;
  required: typeof configSchema.required;
}>;

export type ConfigDoc = {
  [K in ConfigKind]: Omit<ConfigEnvelope, 'kind' | 'data'> & {
    readonly kind: K;
    readonly data: ConfigDataTypes[K];
  };
}[ConfigKind];

export type ConfigDocOf<K extends ConfigKind> = Extract<ConfigDoc, { readonly kind: K }>;

export const configRxSchema: RxJsonSchema<ConfigDoc> = configSchema;

/** Keyed by the version a strategy migrates *to*; v1 adds `1: (v0) => v1`. */
export const configMigrationStrategies: MigrationStrategies = {};

export type ConfigDataSchema = (typeof CONFIG_DATA_SCHEMAS)[ConfigKind];

const DATA_SCHEMAS: ReadonlyMap<string, ConfigDataSchema> = new Map(Object.entries(CONFIG_DATA_SCHEMAS));

/** The data schema of a kind, or undefined for a kind this build does not know. */
export function configDataSchema(kind: string): ConfigDataSchema | undefined {
  return DATA_SCHEMAS.get(kind);
}

/** A role document as the `RolePolicy` the permission checks take. */
export function rolePolicyFromData(data: RolePolicyData): {
  readonly role: Role;
  readonly policy: RolePolicy;
} {
  return {
    role: data.role,
    policy: {
      permissions: new Set<Permission>(data.permissions),
      maxManualDiscountRate: data.maxManualDiscountRate,
    },
  };
}

/** Every `data` schema describes exactly the domain type the till hands it to; drift fails `tsc` here. */
export type ConfigSchemasMatchDomain = [
  Expect<Equal<(typeof CONFIG_KINDS)[number], ConfigKind>>,
  Expect<Equivalent<SchemaType<typeof cashRoundingRuleSchema>, CashRoundingRule>>,
  Expect<Equivalent<StoreSettings['tax'], Omit<TaxConfig, 'rates'>>>,
  Expect<Equivalent<StoreSettings['close'], ClosePolicy>>,
  Expect<Equivalent<StoreSettings['returns'], ReturnPolicy>>,
  Expect<Equivalent<StoreSettings['sale'], Omit<SaleConfig, 'rolePolicies'>>>,
  Expect<Equivalent<StoreSettings['scan'], Omit<ScanConfig, 'currency' | 'variableMeasure'>>>,
  Expect<Equivalent<SchemaType<typeof taxRuleSchema>, TaxRate>>,
  Expect<Equivalent<SchemaType<typeof promotionSchema>, Promotion>>,
  Expect<Equivalent<SchemaType<typeof priceBookSchema>, PriceBook>>,
  Expect<Equivalent<SchemaType<typeof barcodeTemplateSchema>, VariableMeasureTemplate>>,
  Expect<Equivalent<SchemaType<typeof receiptHeaderSchema>, ReceiptStoreInfo>>,
  Expect<Equivalent<SchemaType<typeof categorySchema>, Category>>,
];
