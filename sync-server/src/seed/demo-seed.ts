/**
 * Demo data for a fresh server: stores, tax classes, categories, one price book with current and
 * future prices, promotions, staff with scrypt-hashed PINs, customers, stock counts, a few online
 * orders, gift cards and store credit, from faker with a fixed seed (the same data every run). Products are generated and written
 * in batches, so `--products 1000000` streams instead of building the catalog in memory.
 *
 *   tsx sync-server/src/seed/demo-seed.ts --data-dir DIR [--database-url URL] [--products N]
 */
import { scryptSync } from 'node:crypto';
import { Faker, en } from '@faker-js/faker';
import { customerLookupKeys, normalizeBarcode, searchKey, skuKey } from '@pos/app';
import type { DbAdapter, Queryable } from '../db/adapter.ts';
import { ean13 } from './ean13.ts';

export const DEMO_STORES = ['S01', 'S02'] as const;
export const BASE_PRICE_BOOK = 'PB-BASE';
const BATCH = 1000;

export interface SeedOptions {
  readonly products: number;
  readonly seed?: number;
  /** Fixed instant of the seed's documents (counts, current prices), so reruns are identical. */
  readonly at?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface SeedSummary {
  readonly products: number;
  /** Product rows including one row per additional barcode (products.schema.ts). */
  readonly productRows: number;
  readonly prices: number;
  readonly stockLevels: number;
  readonly staff: number;
  readonly customers: number;
  readonly configDocs: number;
  readonly onlineOrders: number;
  /** Gift cards and store-credit accounts with an opening balance. */
  readonly accounts: number;
}

/**
 * Demo gift cards (README's demo section names them) and store credit of the first two customers, in
 * EUR minor units. Their movement ids are fixed, so seeding again books nothing twice.
 */
export const DEMO_ACCOUNTS = [
  { type: 'gift_card', reference: 'GC-0001', amount: 2500 },
  { type: 'gift_card', reference: 'GC-0002', amount: 5000 },
  { type: 'gift_card', reference: 'GC-0003', amount: 5000 },
  { type: 'gift_card', reference: 'GC-0004', amount: 10_000 },
  { type: 'gift_card', reference: 'GC-0005', amount: 1000 },
  { type: 'store_credit', reference: 'C000001', amount: 1500 },
  { type: 'store_credit', reference: 'C000002', amount: 4000 },
] as const;

/** The tax jurisdiction of the demo stores' tax rules. */
const JURISDICTION = 'FR';

const TAX_CLASSES = [
  { id: 'TC-STD', name: 'Standard', rate: 200_000 },
  { id: 'TC-RED', name: 'Reduced', rate: 50_000 },
  { id: 'TC-ZERO', name: 'Zero', rate: 0 },
] as const;

async function insertDocs(
  db: Queryable,
  table: 'products' | 'config' | 'staff' | 'customers',
  docs: readonly { id: string; storeId: string | null; doc: object }[],
): Promise<void> {
  if (docs.length === 0) return;
  await db.query(
    `insert into ${table} (id, store_id, doc)
     select x.id, x.store_id, x.doc from jsonb_to_recordset($1::jsonb) as x(id text, store_id text, doc jsonb)
     on conflict (id) do update set doc = excluded.doc, store_id = excluded.store_id, deleted = false`,
    [JSON.stringify(docs.map((d) => ({ id: d.id, store_id: d.storeId, doc: d.doc })))],
  );
}

export function hashPin(pin: string, salt: Buffer): object {
  const cost = 16_384;
  const blockSize = 8;
  const parallelization = 1;
  const keyLength = 32;
  const hash = scryptSync(pin, salt, keyLength, { cost, blockSize, parallelization });
  return {
    algorithm: 'scrypt',
    hash: hash.toString('base64'),
    salt: salt.toString('base64'),
    cost,
    blockSize,
    parallelization,
    keyLength,
  };
}

export async function seedDemo(db: DbAdapter, options: SeedOptions): Promise<SeedSummary> {
  const faker = new Faker({ locale: [en] });
  faker.seed(options.seed ?? 20_261_123);
  const at = options.at ?? '2026-01-01T00:00:00.000Z';
  const future = '2027-01-01T00:00:00.000Z';
  let configDocs = 0;

  const categories = Array.from({ length: 12 }, (_, i) => ({
    id: `CAT-${String(i + 1).padStart(2, '0')}`,
    name: faker.commerce.department(),
  }));
  // Every config document is `{id: kind:key, kind, storeId?, data, updatedAt}` with `data` as the till's
  // config schema (app/src/schema/config.schema.ts) wants it: the till refuses anything else.
  const configDoc = (kind: string, key: string, storeId: string | null, data: object) => ({
    id: `${kind}:${key}`,
    storeId,
    doc: {
      id: `${kind}:${key}`,
      kind,
      ...(storeId === null ? {} : { storeId }),
      data,
      updatedAt: at,
    },
  });
  const config: { id: string; storeId: string | null; doc: object }[] = [
    ...DEMO_STORES.flatMap((storeId, i) => {
      const city = faker.location.city();
      return [
        configDoc('store_settings', storeId, storeId, {
          storeId,
          name: `${city} store`,
          currency: 'EUR',
          locale: 'fr-FR',
          timeZone: 'Europe/Paris',
          receiptPrefix: storeId,
          tax: {
            jurisdictionId: JURISDICTION,
            pricesIncludeTax: true,
            rounding: 'per-line',
            roundingMode: 'half-up',
          },
          cashRounding: { increment: 1, mode: 'half-up' },
          denominations: [50_000, 20_000, 10_000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
          close: { varianceThreshold: 500 },
          returns: {
            windowDays: 30,
            noReceipt: { enabled: true, refundTo: 'store_credit', maxAmount: 5000, requiresPermission: true },
            tenderOrder: ['card', 'cash'],
          },
          sale: { maxQuantity: 999_000, mergeRepeatScans: true },
          scan: { gs1WithoutAim: false },
          loyalty: { earnAmount: 100, earnPoints: 1, offlineRedeemAllowance: 500 },
        }),
        configDoc('receipt_header', storeId, storeId, {
          name: `Omnitill demo ${i + 1}`,
          addressLines: [faker.location.streetAddress(), `${faker.location.zipCode('#####')} ${city}`],
          footerLines: ['Merci de votre visite !'],
          locale: 'fr-FR',
        }),
      ];
    }),
    ...TAX_CLASSES.map((t) =>
      configDoc('tax_rule', `VAT-${t.id}`, null, {
        id: `VAT-${t.id}`,
        name: `VAT ${t.name}`,
        taxClassId: t.id,
        jurisdictionId: JURISDICTION,
        rate: t.rate,
        validFrom: null,
        validTo: null,
      }),
    ),
    ...categories.map((c) => configDoc('category', c.id, null, { id: c.id, name: c.name })),
    configDoc('price_book', BASE_PRICE_BOOK, null, {
      id: BASE_PRICE_BOOK,
      name: 'Base prices',
      currency: 'EUR',
      priority: 0,
      storeIds: [],
      customerGroupIds: [],
      validFrom: null,
      validTo: null,
    }),
    ...Array.from({ length: 5 }, (_, i) =>
      configDoc('promotion', `PROMO-${i + 1}`, null, {
        id: `PROMO-${i + 1}`,
        kind: 'percent_off',
        // The till shows the rule ("10 % off") before the name: the name is the campaign's.
        name: `${categories[i]?.name ?? 'Store'} week`,
        priority: 10,
        exclusive: false,
        validFrom: Date.parse(at),
        validTo: Date.parse(future),
        storeIds: [],
        customerGroupIds: [],
        target: { kind: 'items', productIds: [], categoryIds: [categories[i]?.id ?? 'CAT-01'] },
        percent: (10 + i * 5) * 10_000,
      }),
    ),
  ];
  await db.transaction((tx) => insertDocs(tx, 'config', config));
  configDocs += config.length;

  let productRows = 0;
  let prices = 0;
  let stockLevels = 0;
  for (let start = 0; start < options.products; start += BATCH) {
    const end = Math.min(options.products, start + BATCH);
    const rows: { id: string; storeId: null; doc: object }[] = [];
    const priceRows: object[] = [];
    const stockRows: object[] = [];
    for (let n = start + 1; n <= end; n++) {
      const productId = `P${String(n).padStart(7, '0')}`;
      const sku = `SKU-${String(n).padStart(7, '0')}`;
      const name = `${faker.commerce.productName()} ${n}`;
      const barcodes = [ean13(`20${String(n).padStart(10, '0')}`)];
      if (n % 10 === 0) barcodes.push(ean13(`21${String(n).padStart(10, '0')}`));
      const category = categories[n % categories.length] ?? categories[0];
      const tax = TAX_CLASSES[n % TAX_CLASSES.length] ?? TAX_CLASSES[0];
      const base = {
        productId,
        sku,
        name,
        barcodes,
        categoryId: category?.id ?? 'CAT-01',
        taxClassId: tax.id,
        unit: n % 25 === 0 ? 'kg' : 'each',
        sellable: true,
        active: true,
        updatedAt: at,
        ...(n % 40 === 0 ? { minimumAge: 18 } : {}),
      };
      rows.push({
        id: productId,
        storeId: null,
        doc: {
          ...base,
          id: productId,
          skuKey: skuKey(sku),
          nameKey: searchKey(name),
          // Rows are found by the domain's lookup key (GTIN-14), the key a scan resolves to.
          barcode: barcodes[0] === undefined ? '' : normalizeBarcode(barcodes[0]),
        },
      });
      for (const extra of barcodes.slice(1)) {
        const key = normalizeBarcode(extra);
        rows.push({
          id: `${productId}|${key}`,
          storeId: null,
          doc: { ...base, id: `${productId}|${key}`, skuKey: '', nameKey: '', barcode: key },
        });
      }
      const amount = faker.number.int({ min: 49, max: 19_999 });
      const hasFuture = n % 50 === 0;
      priceRows.push({
        id: `${BASE_PRICE_BOOK}:${productId}:${at}`,
        product_id: productId,
        valid_from: at,
        valid_to: hasFuture ? future : null,
        doc: {
          id: `${BASE_PRICE_BOOK}:${productId}:${at}`,
          priceBookId: BASE_PRICE_BOOK,
          productId,
          sku,
          amount,
          currency: 'EUR',
          taxIncluded: true,
          validFrom: at,
          ...(hasFuture ? { validTo: future } : {}),
          version: 1,
          updatedAt: at,
        },
      });
      if (hasFuture) {
        priceRows.push({
          id: `${BASE_PRICE_BOOK}:${productId}:${future}`,
          product_id: productId,
          valid_from: future,
          valid_to: null,
          doc: {
            id: `${BASE_PRICE_BOOK}:${productId}:${future}`,
            priceBookId: BASE_PRICE_BOOK,
            productId,
            sku,
            amount: Math.round(amount * 1.1),
            currency: 'EUR',
            taxIncluded: true,
            validFrom: future,
            version: 1,
            updatedAt: at,
          },
        });
      }
      for (const storeId of DEMO_STORES) {
        stockRows.push({
          store_id: storeId,
          product_id: productId,
          qty: faker.number.int({ min: 0, max: 200 }) * 1000,
        });
      }
    }
    await db.transaction(async (tx) => {
      await insertDocs(tx, 'products', rows);
      await tx.query(
        `insert into prices (id, doc, price_book_id, product_id, valid_from, valid_to)
         select x.id, x.doc, '${BASE_PRICE_BOOK}', x.product_id, x.valid_from, x.valid_to
           from jsonb_to_recordset($1::jsonb) as x(id text, doc jsonb, product_id text, valid_from timestamptz, valid_to timestamptz)
         on conflict (id) do nothing`,
        [JSON.stringify(priceRows)],
      );
      await tx.query(
        `insert into stock_levels (store_id, product_id, last_count_at, last_count_qty)
         select x.store_id, x.product_id, $2::timestamptz, x.qty
           from jsonb_to_recordset($1::jsonb) as x(store_id text, product_id text, qty bigint)
         on conflict (store_id, product_id) do nothing`,
        [JSON.stringify(stockRows), at],
      );
    });
    productRows += rows.length;
    prices += priceRows.length;
    stockLevels += stockRows.length;
    options.onProgress?.(end, options.products);
  }

  const pins = ['1111', '2222', '3333', '4444', '5555'];
  const roles = ['manager', 'supervisor', 'cashier', 'cashier', 'cashier'] as const;
  const staff = pins.map((pin, i) => {
    const id = `STAFF-${i + 1}`;
    return {
      id,
      storeId: null,
      doc: {
        id,
        displayName: faker.person.fullName(),
        staffCode: String(100 + i),
        cardKey: '',
        role: roles[i] ?? 'cashier',
        storeIds: i === 0 ? [] : [DEMO_STORES[i % DEMO_STORES.length] ?? 'S01'],
        active: true,
        pin: hashPin(
          pin,
          Buffer.from(faker.string.hexadecimal({ length: 32, casing: 'lower', prefix: '' }), 'hex'),
        ),
        failedPinAttempts: 0,
        updatedAt: at,
      },
    };
  });
  await db.transaction((tx) => insertDocs(tx, 'staff', staff));

  const customers = Array.from({ length: 50 }, (_, i) => {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const email = faker.internet.email({ firstName, lastName }).toLowerCase();
    const phone = `+3361${String(1_000_000 + i).padStart(7, '0')}`;
    const id = `C${String(i + 1).padStart(6, '0')}`;
    return {
      id,
      storeId: null,
      doc: {
        id,
        displayName: `${firstName} ${lastName}`,
        firstName,
        lastName,
        phone,
        email,
        // The till's own lookup keys, so its searches find seeded customers.
        ...customerLookupKeys({ displayName: `${firstName} ${lastName}`, firstName, lastName, phone, email }),
        customerGroupIds: [],
        loyaltyPoints: faker.number.int({ min: 0, max: 5000 }),
        homeStoreId: DEMO_STORES[i % DEMO_STORES.length] ?? 'S01',
        createdAt: at,
        updatedAt: at,
      },
    };
  });
  await db.transaction((tx) => insertDocs(tx, 'customers', customers));

  // Online orders are the server's (click & collect); tills do not replicate them.
  const orders = Array.from({ length: 4 }, (_, i) => {
    const storeId = DEMO_STORES[i % DEMO_STORES.length] ?? 'S01';
    const orderId = `WEB-${1000 + i}`;
    return {
      order_id: orderId,
      store_id: storeId,
      doc: {
        orderId,
        storeId,
        customerId: customers[i]?.id ?? 'C000001',
        status: 'ready_for_pickup',
        paid: true,
        lines: [{ productId: 'P0000001', quantity: 1000 * (i + 1) }],
        updatedAt: at,
      },
    };
  });
  await db.query(
    `insert into online_orders (order_id, store_id, doc)
     select x.order_id, x.store_id, x.doc from jsonb_to_recordset($1::jsonb) as x(order_id text, store_id text, doc jsonb)
     on conflict (order_id) do update set doc = excluded.doc, store_id = excluded.store_id`,
    [JSON.stringify(orders)],
  );

  // Added after everything faker makes, so the rest of the demo data stays what it was.
  await db.query(
    `insert into account_movements (movement_id, type, reference, amount, currency, reason, occurred_at, received_at)
     select 'seed:' || x.type || ':' || x.reference, x.type, x.reference, x.amount, 'EUR', 'issued', $2, $2
       from jsonb_to_recordset($1::jsonb) as x(type text, reference text, amount bigint)
     on conflict (movement_id) do nothing`,
    [JSON.stringify(DEMO_ACCOUNTS), at],
  );

  // A bulk load leaves the planner without statistics until someone analyses (PGlite never does by
  // itself: it has no autovacuum); every query that estimates row counts plans better with them.
  await db.exec('analyze');

  return {
    products: options.products,
    productRows,
    prices,
    stockLevels,
    staff: staff.length,
    customers: customers.length,
    configDocs,
    onlineOrders: orders.length,
    accounts: DEMO_ACCOUNTS.length,
  };
}
