import Ajv from 'ajv';
import type { AnySchema } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Sale } from '../domain/sale.ts';
import { DEFAULT_SALE_CONFIG } from '../domain/sale.ts';
import { cartFromSale, saleFromCart } from './carts.schema.ts';
import { configDataSchema, CONFIG_KINDS, rolePolicyFromData } from './config.schema.ts';
import { priceFromDoc } from './prices.schema.ts';
import { COLLECTIONS, REPLICATION_MODES } from './index.ts';
import type { CollectionName } from './index.ts';
import { isMainProductRow, productRows, toProduct } from './products.schema.ts';
import {
  SAMPLE_CART,
  SAMPLE_CONFIG,
  SAMPLE_CUSTOMER,
  SAMPLE_EVENT,
  SAMPLE_PRICE,
  SAMPLE_PRODUCT_ROWS,
  SAMPLE_STAFF,
  SAMPLE_STOCK_LEVEL,
  SAMPLE_TENDERING_CART,
} from './samples.ts';
import { replicationSchema, RXDB_SCHEMA_KEYWORDS } from './wire.ts';

type Json = Record<string, unknown>;

function strictAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  ajv.addVocabulary([...RXDB_SCHEMA_KEYWORDS]);
  addFormats(ajv);
  return ajv;
}

const ajv = strictAjv();
const names = Object.keys(COLLECTIONS) as CollectionName[];
const schemaOf = (name: CollectionName) => COLLECTIONS[name].schema as unknown as Json;
const validators = new Map(names.map((name) => [name, ajv.compile(schemaOf(name) as AnySchema)]));
const validate = (name: CollectionName, doc: unknown) => validators.get(name)!(doc);

const SAMPLES: Record<CollectionName, readonly unknown[]> = {
  products: SAMPLE_PRODUCT_ROWS,
  prices: [SAMPLE_PRICE],
  config: SAMPLE_CONFIG,
  stockLevels: [SAMPLE_STOCK_LEVEL],
  customers: [SAMPLE_CUSTOMER],
  staff: [SAMPLE_STAFF],
  events: [SAMPLE_EVENT],
  carts: [SAMPLE_CART, SAMPLE_TENDERING_CART],
};

/** A copy of `doc` with `path` set to `value` (or removed when `value` is `undefined`). */
function withPath(doc: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(doc) as Json;
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) Reflect.deleteProperty(node, last);
  else node[last] = value;
  return copy;
}

// The rules below are RxDB's (dev-mode checkSchema) and Dexie's (DXE1), restated so a schema that would
// fail at database creation on a till fails here first.
const FIELD_NAME = /^[a-zA-Z](?:[a-zA-Z0-9_]*[a-zA-Z0-9])?$/u;
const RX_DOCUMENT_MEMBERS = [
  'primary',
  'revision',
  'deleted',
  'synced',
  'collection',
  'get',
  'set',
  'update',
  'remove',
];

function walkProperties(
  schema: Json,
  visit: (name: string, field: Json, path: string) => void,
  path = '',
): void {
  for (const key of ['properties', 'items', 'anyOf', 'oneOf', 'allOf', 'if', 'then']) {
    const child = schema[key];
    if (child === undefined) continue;
    if (key === 'properties') {
      for (const [name, field] of Object.entries(child as Record<string, Json>)) {
        visit(name, field, `${path}.${name}`);
        walkProperties(field, visit, `${path}.${name}`);
      }
    } else if (Array.isArray(child)) {
      child.forEach((sub: Json, i) => {
        walkProperties(sub, visit, `${path}.${key}[${i}]`);
      });
    } else {
      walkProperties(child as Json, visit, `${path}.${key}`);
    }
  }
}

describe('RxDB collection schemas', () => {
  it('keep within the free edition: eight collections, well under the 13 per realm', () => {
    expect(names).toEqual([
      'products',
      'prices',
      'config',
      'stockLevels',
      'customers',
      'staff',
      'events',
      'carts',
    ]);
    expect(Object.keys(REPLICATION_MODES).sort()).toEqual([...names].sort());
  });

  describe.each(names)('%s', (name) => {
    const schema = schemaOf(name);
    const properties = schema.properties as Record<string, Json>;
    const required = schema.required as readonly string[];

    it('has a version, a string primary key with maxLength and a closed top level', () => {
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
      expect(Number.isInteger(schema.version) && (schema.version as number) >= 0).toBe(true);
      const primary = schema.primaryKey as string;
      expect(typeof primary).toBe('string');
      expect(properties[primary]?.type).toBe('string');
      expect(properties[primary]?.maxLength).toBeLessThanOrEqual(2048);
      expect(required).toContain(primary);
      expect((schema.indexes as unknown[]).flat()).not.toContain(primary);
    });

    it('has a migration strategy for every version above 0', () => {
      const strategies = COLLECTIONS[name].migrationStrategies;
      const version = schema.version as number;
      expect(Object.keys(strategies).map(Number).sort()).toEqual(
        Array.from({ length: version }, (_, i) => i + 1),
      );
    });

    it('indexes only required top-level fields with bounded, index-friendly types', () => {
      const indexed = (schema.indexes as (string | string[])[]).flat();
      expect(indexed.length).toBeGreaterThan(0);
      for (const field of indexed) {
        expect(required, `${name}.${field} must be required (Dexie DXE1)`).toContain(field);
        const part = properties[field]!;
        switch (part.type) {
          case 'string':
            expect(part.maxLength, `${name}.${field} needs maxLength`).toBeGreaterThan(0);
            expect(part.maxLength).toBeLessThanOrEqual(2048);
            break;
          case 'integer':
          case 'number':
            expect(Number.isFinite(part.minimum) && Number.isFinite(part.maximum)).toBe(true);
            expect(part.multipleOf).toBeGreaterThan(0);
            break;
          case 'boolean':
            break;
          default:
            throw new Error(`${name}.${field} has an unindexable type ${String(part.type)}`);
        }
      }
    });

    it('uses field names RxDB accepts, no $ref, no nested defaults, no clash with RxDocument members', () => {
      for (const field of Object.keys(properties)) {
        expect(field.startsWith('_')).toBe(false);
        expect(RX_DOCUMENT_MEMBERS).not.toContain(field);
      }
      expect(JSON.stringify(schema)).not.toContain('"$ref"');
      walkProperties(schema, (field, part, path) => {
        expect(field, path).toMatch(FIELD_NAME);
        expect(part, path).not.toHaveProperty('default');
        if (part.type === 'array') expect(part, `${path} declares its items`).toHaveProperty('items');
      });
    });

    it('compiles under strict ajv and accepts its sample documents', () => {
      for (const doc of SAMPLES[name]) {
        expect(validate(name, doc), JSON.stringify(validators.get(name)!.errors)).toBe(true);
      }
    });

    it('refuses a document missing any required field, or with an unknown one', () => {
      const sample = SAMPLES[name][0];
      fc.assert(
        fc.property(fc.constantFrom(...required), (field) => {
          expect(validate(name, withPath(sample, [field], undefined))).toBe(false);
        }),
      );
      expect(validate(name, withPath(sample, ['note'], 'x'))).toBe(false);
    });

    it('as replicated: accepts a tombstone with `_deleted` and requires the flag', () => {
      const wire = ajv.compile(replicationSchema(schemaOf(name) as never) as AnySchema);
      const sample = SAMPLES[name][0] as Json;
      expect(wire({ ...sample, _deleted: true })).toBe(true);
      expect(wire(sample)).toBe(false);
      expect(validate(name, { ...sample, _deleted: false })).toBe(false);
    });
  });
});

describe('documents the schemas refuse', () => {
  const [mainRow] = SAMPLE_PRODUCT_ROWS;
  const [settings, taxRule, promotion] = SAMPLE_CONFIG;
  it.each<[string, CollectionName, unknown, readonly (string | number)[], unknown]>([
    ['a barcode longer than GS1-128 allows', 'products', mainRow, ['barcode'], '1'.repeat(65)],
    ['an unknown unit', 'products', mainRow, ['unit'], 'litre'],
    ['an empty name', 'products', mainRow, ['name'], ''],
    ['an impossible minimum age', 'products', mainRow, ['minimumAge'], 150],
    ['a barcode listed twice', 'products', mainRow, ['barcodes'], ['7610000000017', '7610000000017']],
    ['a negative price', 'prices', SAMPLE_PRICE, ['amount'], -1],
    ['a fractional price', 'prices', SAMPLE_PRICE, ['amount'], 1.5],
    ['a lower-case currency', 'prices', SAMPLE_PRICE, ['currency'], 'chf'],
    [
      'an indexed instant with an offset (sorts wrongly as text)',
      'prices',
      SAMPLE_PRICE,
      ['validFrom'],
      '2025-01-01T01:00:00.000+01:00',
    ],
    [
      'an indexed instant without milliseconds',
      'prices',
      SAMPLE_PRICE,
      ['validFrom'],
      '2025-01-01T00:00:00Z',
    ],
    ['price version 0', 'prices', SAMPLE_PRICE, ['version'], 0],
    ['a fractional on-hand', 'stockLevels', SAMPLE_STOCK_LEVEL, ['onHand'], 1.5],
    ['an invalid email', 'customers', SAMPLE_CUSTOMER, ['email'], 'juerg at example'],
    ['a consent without its date', 'customers', SAMPLE_CUSTOMER, ['emailConsent'], { granted: true }],
    ['a consent given as text', 'customers', SAMPLE_CUSTOMER, ['emailConsent', 'granted'], 'yes'],
    ['a fractional loyalty balance', 'customers', SAMPLE_CUSTOMER, ['loyaltyPoints'], 10.5],
    ['a PIN hashed with something else than scrypt', 'staff', SAMPLE_STAFF, ['pin', 'algorithm'], 'sha256'],
    ['a scrypt cost that is not a power of two', 'staff', SAMPLE_STAFF, ['pin', 'cost'], 20_000],
    ['a scrypt cost too low for a PIN', 'staff', SAMPLE_STAFF, ['pin', 'cost'], 1024],
    ['a salt shorter than 16 bytes', 'staff', SAMPLE_STAFF, ['pin', 'salt'], 'c2FsdA=='],
    ['a PIN stored in clear', 'staff', SAMPLE_STAFF, ['pin', 'pin'], '1234'],
    ['an unknown role', 'staff', SAMPLE_STAFF, ['role'], 'owner'],
    ['a negative failed-attempt count', 'staff', SAMPLE_STAFF, ['failedPinAttempts'], -1],
    [
      'an event id that is not a UUIDv7',
      'events',
      SAMPLE_EVENT,
      ['eventId'],
      '3b241101-e2bb-4255-8caf-4136c566a962',
    ],
    ['an upper-case event id', 'events', SAMPLE_EVENT, ['eventId'], '01890A5D-AC96-774B-BCCE-B302099A8057'],
    ['device sequence 0', 'events', SAMPLE_EVENT, ['deviceSeq'], 0],
    ['a fractional device sequence', 'events', SAMPLE_EVENT, ['deviceSeq'], 1.5],
    ['a malformed type name', 'events', SAMPLE_EVENT, ['type'], 'Sale Completed'],
    [
      'a status only the server may set, and not that one',
      'events',
      SAMPLE_EVENT,
      ['serverStatus'],
      'applied',
    ],
    ['a payload that is not an object', 'events', SAMPLE_EVENT, ['payload'], 'sale'],
    ['an unknown sale state', 'carts', SAMPLE_CART, ['state'], 'closed'],
    ['a cart line of quantity 0', 'carts', SAMPLE_CART, ['lines', 0, 'quantity'], 0],
    ['a cart line without its tax class', 'carts', SAMPLE_CART, ['lines', 0, 'taxClassId'], undefined],
    ['a manual discount of 0 %', 'carts', SAMPLE_CART, ['lines', 1, 'manualDiscount', 'rate'], 0],
    [
      'a manual discount above 100 %',
      'carts',
      SAMPLE_CART,
      ['lines', 1, 'manualDiscount', 'rate'],
      1_000_001,
    ],
    ['a manual discount that is both kinds', 'carts', SAMPLE_CART, ['orderDiscount', 'rate'], 10_000],
    [
      'a cash tender without what was handed over',
      'carts',
      SAMPLE_TENDERING_CART,
      ['tenders', 0],
      { tenderId: 't', type: 'cash' },
    ],
    [
      'a card tender without its terminal reference',
      'carts',
      SAMPLE_TENDERING_CART,
      ['tenders', 0, 'reference'],
      undefined,
    ],
    [
      'a card number kept in a tender',
      'carts',
      SAMPLE_TENDERING_CART,
      ['tenders', 0, 'cardNumber'],
      '4242424242424242',
    ],
    [
      'a priced sale without its pricing instant',
      'carts',
      SAMPLE_TENDERING_CART,
      ['priced', 'at'],
      undefined,
    ],
    ['an unknown config kind', 'config', taxRule, ['kind'], 'loyalty_rule'],
    ['store settings under another kind', 'config', settings, ['kind'], 'tax_rule'],
    ['a tax rule without a rate', 'config', taxRule, ['data', 'rate'], undefined],
    ['a tax rate given in percent as a fraction', 'config', taxRule, ['data', 'rate'], 8.1],
    ['a lower-case store currency', 'config', settings, ['data', 'currency'], 'chf'],
    ['cash rounding to 0', 'config', settings, ['data', 'cashRounding', 'increment'], 0],
    ['an unknown rounding mode', 'config', settings, ['data', 'tax', 'roundingMode'], 'bankers'],
    [
      'a tax rule with an ISO date where epoch milliseconds belong',
      'config',
      taxRule,
      ['data', 'validFrom'],
      '2024-01-01',
    ],
    ['a tax rule without its open end stated', 'config', taxRule, ['data', 'validTo'], undefined],
    ['an unknown promotion kind', 'config', promotion, ['data', 'kind'], 'mystery_gift'],
    ['a bundle of 0 items', 'config', promotion, ['data', 'quantity'], 0],
    [
      'a bundle with an order target instead of items',
      'config',
      promotion,
      ['data', 'items'],
      { kind: 'order' },
    ],
    ['a promotion field of another kind', 'config', promotion, ['data', 'percent'], 100_000],
    ['a spend reward above 100 %', 'config', SAMPLE_CONFIG[3], ['data', 'reward', 'percent'], 1_500_000],
    [
      'a spend threshold on an unknown scope',
      'config',
      SAMPLE_CONFIG[3],
      ['data', 'eligible', 'kind'],
      'aisle',
    ],
    ['a return window given as text', 'config', settings, ['data', 'returns', 'windowDays'], '30'],
    [
      'a no-receipt policy without its limit',
      'config',
      settings,
      ['data', 'returns', 'noReceipt', 'maxAmount'],
      undefined,
    ],
    ['a barcode template of one-digit prefix', 'config', SAMPLE_CONFIG[5], ['data', 'prefix'], '2'],
    [
      'a receipt QR link that is not https',
      'config',
      SAMPLE_CONFIG[6],
      ['data', 'receiptQrBaseUrl'],
      'http://r.example.ch/',
    ],
    [
      'an unknown permission in a role',
      'config',
      SAMPLE_CONFIG[7],
      ['data', 'permissions', 0],
      'sale.delete',
    ],
  ])('%s', (_, name, sample, path, value) => {
    expect(validate(name, sample)).toBe(true);
    expect(validate(name, withPath(sample, path, value))).toBe(false);
  });
});

describe('config', () => {
  it('has one sample of every kind, each valid against its kind’s data schema', () => {
    expect(new Set(SAMPLE_CONFIG.map((doc) => doc.kind))).toEqual(new Set(CONFIG_KINDS));
    for (const doc of SAMPLE_CONFIG) {
      const check = ajv.compile(configDataSchema(doc.kind) as AnySchema);
      expect(check(doc.data), doc.kind).toBe(true);
    }
  });

  it.each(['loyalty_rule', 'constructor', '__proto__', 'toString', ''])('knows no kind %j', (kind) => {
    expect(configDataSchema(kind)).toBeUndefined();
  });
});

describe('products', () => {
  it('stores a product with n barcodes as n rows, each found by its own barcode', () => {
    const product = toProduct(SAMPLE_PRODUCT_ROWS[0]!);
    const rows = productRows({ ...product, barcodes: ['111', '222', '333'] }, '2025-03-01T02:00:00.000Z');
    expect(rows.map((row) => [row.id, row.barcode, row.nameKey, row.skuKey])).toEqual([
      ['prod-milk-1l', '111', 'vollmilch 1 l', 'MILK-1L'],
      ['prod-milk-1l|222', '222', '', ''],
      ['prod-milk-1l|333', '333', '', ''],
    ]);
    expect(rows.map(isMainProductRow)).toEqual([true, false, false]);
    for (const row of rows) {
      expect(validate('products', row)).toBe(true);
      expect(toProduct(row)).toEqual({ ...product, barcodes: ['111', '222', '333'] });
    }
  });

  it('stores a product without a barcode as one main row with an empty barcode', () => {
    const product = { ...toProduct(SAMPLE_PRODUCT_ROWS[0]!), barcodes: [], minimumAge: 18 };
    const rows = productRows(product, '2025-03-01T02:00:00.000Z');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.barcode).toBe('');
    expect(toProduct(rows[0]!)).toEqual(product);
  });
});

describe('prices', () => {
  it('reads a book row with its window in epoch milliseconds', () => {
    expect(priceFromDoc(SAMPLE_PRICE)).toEqual({
      kind: 'row',
      row: {
        id: 'pb-base:prod-milk-1l:2025-01-01T00:00:00.000Z',
        priceBookId: 'pb-base',
        productId: 'prod-milk-1l',
        unitPrice: 185,
        version: 3,
        validFrom: 1_735_689_600_000,
        validTo: 1_748_736_000_000,
        currency: 'CHF',
      },
    });
  });

  it('reads a store override from its book id, open-ended without validTo', () => {
    const open = {
      ...(withPath(SAMPLE_PRICE, ['validTo'], undefined) as typeof SAMPLE_PRICE),
      priceBookId: 'store-override:store-zrh-01',
      amount: 179,
    };
    expect(validate('prices', open)).toBe(true);
    expect(priceFromDoc(open)).toEqual({
      kind: 'override',
      override: {
        id: SAMPLE_PRICE.id,
        storeId: 'store-zrh-01',
        productId: 'prod-milk-1l',
        unitPrice: 179,
        version: 3,
        validFrom: 1_735_689_600_000,
        validTo: null,
      },
    });
  });
});

describe('carts', () => {
  it('stores a sale without its config, and gives the same sale back with it', () => {
    const { updatedAt, ...stored } = SAMPLE_TENDERING_CART;
    const sale: Sale = { ...stored, config: DEFAULT_SALE_CONFIG };
    const doc = cartFromSale(sale, updatedAt);
    expect(doc).toEqual(SAMPLE_TENDERING_CART);
    expect(validate('carts', doc)).toBe(true);
    expect(saleFromCart(doc, DEFAULT_SALE_CONFIG)).toEqual(sale);
  });
});

describe('roles', () => {
  it('turns a role document into the policy the permission checks take', () => {
    const { role, policy } = rolePolicyFromData({
      role: 'supervisor',
      permissions: ['sale.ring', 'price.override'],
      maxManualDiscountRate: 250_000,
    });
    expect(role).toBe('supervisor');
    expect([...policy.permissions]).toEqual(['sale.ring', 'price.override']);
    expect(policy.maxManualDiscountRate).toBe(250_000);
  });
});
