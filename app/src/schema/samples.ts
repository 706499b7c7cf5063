/**
 * Realistic, valid documents of every collection and every event type, with figures worked out by hand
 * (see the sale below). Tests start from these and break one thing at a time. Not re-exported from the
 * schema index: it is test data, kept beside the schemas so renderer and server tests can share it.
 *
 * The sale, in CHF with prices including VAT (8.1 % and 2.6 %, by the products' tax classes), cash
 * rounded to 0.05:
 *   2 × milk at 1.85 = 3.70, "2 for 3.50" takes 0.20 → 3.50; VAT 3.50 × 0.081/1.081 = 0.2623 → 0.26
 *   0.752 kg apples at 4.20/kg = 3.1584 → 3.16; VAT 3.16 × 0.026/1.026 = 0.0801 → 0.08
 *   subtotal 6.86, discount 0.20, tax 0.34, total 6.66; cash due rounds to 6.65 (rounding −0.01);
 *   10.00 handed over, change 3.35.
 */
import type { ApprovalRecord } from '../domain/permissions.ts';
import type {
  CashMovementRecord,
  ReturnRecord,
  SaleLineRecord,
  SaleRecord,
  ShiftClosedRecord,
  ShiftOpenedRecord,
} from '../domain/records.ts';
import type { CartDoc } from './carts.schema.ts';
import type { ConfigDoc } from './config.schema.ts';
import type { CustomerDoc } from './customers.schema.ts';
import { customerLookupKeys } from './customers.schema.ts';
import type { CustomerSignupV1, LoyaltyAccruedV1, StockCountedV1, StockMovedV1 } from './event-payloads.ts';
import type { OutboxEvent } from './events.schema.ts';
import type { PriceDoc } from './prices.schema.ts';
import type { ProductDoc } from './products.schema.ts';
import { productRows } from './products.schema.ts';
import type { StaffDoc } from './staff.schema.ts';
import type { StockLevelDoc } from './stock-levels.schema.ts';

const STORE = 'store-zrh-01';
const DEVICE = 'till-zrh-01-02';
const SHIFT = 'shift-0192';
const CASHIER = 'staff-anna';
const MANAGER = 'staff-marc';

/** 2 × milk on the "2 for 3.50" promotion. */
const MILK_LINE: SaleLineRecord = {
  lineId: 'line-1',
  productId: 'prod-milk-1l',
  sku: 'MILK-1L',
  name: 'Vollmilch 1 l',
  categoryId: 'cat-dairy',
  taxClassId: 'standard',
  unit: 'each',
  barcode: '7610000000017',
  quantity: 2000,
  unitPrice: 185,
  priceSource: {
    priceBookId: 'pb-base',
    priceId: 'pb-base:prod-milk-1l:2025-01-01T00:00:00.000Z',
    version: 3,
  },
  gross: 370,
  discounts: [
    {
      source: 'promotion',
      promotionId: 'promo-milk-2for350',
      scope: 'line',
      description: '2 for 3.50',
      amount: 20,
    },
  ],
  discount: 20,
  net: 350,
  taxes: [{ taxId: 'ch-vat-std', name: 'MwSt 8.1 %', rate: 81_000, base: 324, amount: 26 }],
  tax: 26,
  total: 350,
};

export const SAMPLE_SALE: SaleRecord = {
  saleId: 'sale-0001',
  receiptNumber: 'S01-T02-000123',
  storeId: STORE,
  deviceId: DEVICE,
  shiftId: SHIFT,
  cashierId: CASHIER,
  customerId: 'cust-1001',
  currency: 'CHF',
  pricesIncludeTax: true,
  openedAt: '2025-03-14T09:12:03.120Z',
  completedAt: '2025-03-14T09:13:41.877Z',
  lines: [
    MILK_LINE,
    {
      lineId: 'line-2',
      productId: 'prod-apples',
      sku: 'APPLE-GALA',
      name: 'Äpfel Gala',
      categoryId: 'cat-fruit',
      taxClassId: 'reduced-food',
      unit: 'kg',
      quantity: 752,
      unitPrice: 420,
      priceSource: null,
      gross: 316,
      discounts: [],
      discount: 0,
      net: 316,
      taxes: [{ taxId: 'ch-vat-red', name: 'MwSt 2.6 %', rate: 26_000, base: 308, amount: 8 }],
      tax: 8,
      total: 316,
    },
  ],
  voidedLines: [
    {
      lineId: 'line-0',
      productId: 'prod-choc',
      name: 'Schokolade 100 g',
      quantity: 1000,
      amount: 250,
      voidedBy: CASHIER,
      voidedAt: '2025-03-14T09:12:40.002Z',
    },
  ],
  couponCodes: [],
  subtotal: 686,
  discount: 20,
  tax: 34,
  total: 666,
  cashRounding: -1,
  taxes: [
    { taxId: 'ch-vat-std', name: 'MwSt 8.1 %', rate: 81_000, base: 324, amount: 26 },
    { taxId: 'ch-vat-red', name: 'MwSt 2.6 %', rate: 26_000, base: 308, amount: 8 },
  ],
  tenders: [{ tenderId: 'tender-1', type: 'cash', amount: 665, received: 1000 }],
  change: 335,
  approvals: [],
};

const APPROVAL: ApprovalRecord = {
  approvalId: 'appr-1',
  permission: 'cash.paid_out',
  requestedBy: CASHIER,
  approvedBy: MANAGER,
  approvedAt: '2025-03-14T11:00:00.000Z',
  reason: 'Window cleaner',
};

/** One of the two milks back, refunded its share of the promotion and of the VAT as charged. */
export const SAMPLE_RETURN: ReturnRecord = {
  returnId: 'ret-0001',
  receiptNumber: 'R01-T02-000007',
  storeId: STORE,
  deviceId: DEVICE,
  shiftId: SHIFT,
  cashierId: CASHIER,
  customerId: 'cust-1001',
  originalSaleId: 'sale-0001',
  originalReceiptNumber: 'S01-T02-000123',
  currency: 'CHF',
  createdAt: '2025-03-14T10:02:00.000Z',
  lines: [
    {
      returnLineId: 'rline-1',
      originalLineId: 'line-1',
      productId: 'prod-milk-1l',
      sku: 'MILK-1L',
      name: 'Vollmilch 1 l',
      quantity: 1000,
      total: 175,
      net: 175,
      discount: 10,
      taxes: [{ taxId: 'ch-vat-std', name: 'MwSt 8.1 %', rate: 81_000, base: 162, amount: 13 }],
      tax: 13,
      disposition: 'restock',
      reason: 'Expired',
    },
  ],
  total: 175,
  tax: 13,
  taxes: [{ taxId: 'ch-vat-std', name: 'MwSt 8.1 %', rate: 81_000, base: 162, amount: 13 }],
  cashRounding: 0,
  refunds: [{ tenderId: 'refund-1', type: 'cash', amount: 175 }],
  noReceipt: false,
  approvals: [],
};

export const SAMPLE_CASH_MOVEMENT: CashMovementRecord = {
  movementId: 'cash-0001',
  storeId: STORE,
  deviceId: DEVICE,
  shiftId: SHIFT,
  staffId: CASHIER,
  kind: 'paid_out',
  currency: 'CHF',
  amount: 2000,
  reason: 'Window cleaner',
  at: '2025-03-14T11:00:05.000Z',
  approvals: [APPROVAL],
};

export const SAMPLE_SHIFT_OPENED: ShiftOpenedRecord = {
  shiftId: SHIFT,
  storeId: STORE,
  deviceId: DEVICE,
  openedBy: CASHIER,
  openedAt: '2025-03-14T07:58:00.000Z',
  currency: 'CHF',
  openingFloat: 20_000,
};

export const SAMPLE_SHIFT_CLOSED: ShiftClosedRecord = {
  shiftId: SHIFT,
  storeId: STORE,
  deviceId: DEVICE,
  closedBy: CASHIER,
  closedAt: '2025-03-14T18:31:00.000Z',
  currency: 'CHF',
  zNumber: 412,
  cashCount: [
    { value: 10_000, count: 1 },
    { value: 2000, count: 4 },
    { value: 5, count: 3 },
  ],
  tenders: [
    { type: 'cash', expected: 18_020, counted: 18_015, variance: -5 },
    { type: 'card', expected: 104_550, counted: 104_550, variance: 0 },
  ],
  approvals: [],
};

export const SAMPLE_STOCK_MOVEMENTS: readonly StockMovedV1[] = [
  {
    movementId: 'mv-1',
    storeId: STORE,
    productId: 'prod-milk-1l',
    staffId: CASHIER,
    reason: 'sale',
    quantity: -2000,
    sourceEventId: '01890a5d-ac96-774b-bcce-b302099a8057',
    sourceLineId: 'line-1',
  },
  {
    movementId: 'mv-2',
    storeId: STORE,
    productId: 'prod-milk-1l',
    staffId: CASHIER,
    reason: 'return',
    quantity: 1000,
    sourceEventId: '01890a5d-b001-7c00-8a00-000000000002',
    sourceLineId: 'rline-1',
  },
  {
    movementId: 'mv-3',
    storeId: STORE,
    productId: 'prod-apples',
    staffId: MANAGER,
    reason: 'transfer',
    quantity: -12_500,
    transferId: 'tr-77',
    counterpartStoreId: 'store-bsl-02',
  },
  {
    movementId: 'mv-4',
    storeId: STORE,
    productId: 'prod-choc',
    staffId: MANAGER,
    reason: 'adjustment',
    quantity: -3000,
    note: 'Damaged in delivery',
  },
  {
    movementId: 'mv-5',
    storeId: STORE,
    productId: 'prod-choc',
    staffId: MANAGER,
    reason: 'receipt',
    quantity: 48_000,
    reference: 'DN-2025-0311',
  },
];

export const SAMPLE_STOCK_COUNT: StockCountedV1 = {
  countId: 'count-1',
  storeId: STORE,
  productId: 'prod-choc',
  quantity: 45_000,
  countedBy: MANAGER,
  sessionId: 'stocktake-2025-03',
};

export const SAMPLE_CUSTOMER_SIGNUP: CustomerSignupV1 = {
  customerId: 'cust-1001',
  storeId: STORE,
  signedUpBy: CASHIER,
  emailConsent: true,
  smsConsent: false,
  postConsent: false,
  cardNumber: '9012 3456 7890',
};

export const SAMPLE_LOYALTY_ACCRUAL: LoyaltyAccruedV1 = {
  saleId: 'sale-0001',
  customerId: 'cust-1001',
  storeId: STORE,
  points: 6,
  basis: 666,
  currency: 'CHF',
};

export const SAMPLE_EVENT: OutboxEvent = {
  eventId: '01890a5d-ac96-774b-bcce-b302099a8057',
  type: 'sale.completed',
  schemaVersion: 1,
  storeId: STORE,
  deviceId: DEVICE,
  deviceSeq: 1043,
  occurredAt: '2025-03-14T09:13:41.877Z',
  payload: SAMPLE_SALE,
};

const PRODUCT_UPDATED_AT = '2025-03-01T02:00:00.000Z';

/** A product with two barcodes: its main row and one barcode row. */
export const SAMPLE_PRODUCT_ROWS: readonly ProductDoc[] = productRows(
  {
    id: 'prod-milk-1l',
    sku: 'MILK-1L',
    name: 'Vollmilch 1 l',
    barcodes: ['7610000000017', '7610000000024'],
    categoryId: 'cat-dairy',
    taxClassId: 'standard',
    unit: 'each',
    sellable: true,
    active: true,
  },
  PRODUCT_UPDATED_AT,
);

export const SAMPLE_PRICE: PriceDoc = {
  id: 'pb-base:prod-milk-1l:2025-01-01T00:00:00.000Z',
  priceBookId: 'pb-base',
  productId: 'prod-milk-1l',
  sku: 'MILK-1L',
  amount: 185,
  currency: 'CHF',
  taxIncluded: true,
  validFrom: '2025-01-01T00:00:00.000Z',
  validTo: '2025-06-01T00:00:00.000Z',
  version: 3,
  updatedAt: '2024-12-20T08:00:00.000Z',
};

export const SAMPLE_STOCK_LEVEL: StockLevelDoc = {
  id: `${STORE}:prod-milk-1l`,
  storeId: STORE,
  productId: 'prod-milk-1l',
  onHand: 118_000,
  lastCountAt: '2025-03-01T06:00:00.000Z',
  lastCountQuantity: 120_000,
  asOf: '2025-03-14T09:20:00.000Z',
  updatedAt: '2025-03-14T09:20:00.120Z',
};

const customerProfile = {
  id: 'cust-1001',
  displayName: 'Müller, Jürg',
  firstName: 'Jürg',
  lastName: 'Müller',
  phone: '+41 79 123 45 67',
  email: 'Juerg.Mueller@example.ch',
  cardNumber: '9012 3456 7890',
} as const;

export const SAMPLE_CUSTOMER: CustomerDoc = {
  ...customerProfile,
  ...customerLookupKeys(customerProfile),
  customerGroupIds: ['grp-staff'],
  emailConsent: { granted: true, at: '2025-02-01T10:00:00.000Z' },
  loyaltyPoints: 1250,
  loyaltyTier: 'gold',
  loyaltyAsOf: '2025-03-14T09:00:00.000Z',
  homeStoreId: STORE,
  createdAt: '2025-02-01T10:00:00.000Z',
  updatedAt: '2025-03-10T16:45:00.000Z',
};

export const SAMPLE_STAFF: StaffDoc = {
  id: CASHIER,
  displayName: 'Anna Keller',
  staffCode: '0412',
  cardKey: '',
  role: 'cashier',
  storeIds: [STORE],
  active: true,
  pin: {
    algorithm: 'scrypt',
    hash: 'q3dM6n0rQ0Kk0bqkq2V9nQ1m0yq2iJ8m1cN6Yq3m8u4=',
    salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
    cost: 16_384,
    blockSize: 8,
    parallelization: 1,
    keyLength: 32,
  },
  failedPinAttempts: 0,
  updatedAt: '2025-03-01T02:00:00.000Z',
};

const cartBase = {
  saleId: 'sale-0002',
  storeId: STORE,
  deviceId: DEVICE,
  shiftId: SHIFT,
  cashierId: CASHIER,
  currency: 'CHF',
  openedAt: '2025-03-14T12:00:00.000Z',
  lines: [
    {
      lineId: 'l1',
      productId: 'prod-milk-1l',
      sku: 'MILK-1L',
      name: 'Vollmilch 1 l',
      categoryId: 'cat-dairy',
      taxClassId: 'standard',
      unit: 'each',
      barcode: '7610000000017',
      quantity: 1000,
    },
    {
      lineId: 'l2',
      productId: 'prod-choc',
      sku: 'CHOC-100',
      name: 'Schokolade 100 g',
      categoryId: 'cat-sweets',
      taxClassId: 'reduced-food',
      unit: 'each',
      quantity: 2000,
      priceOverride: 200,
      manualDiscount: { kind: 'percent', rate: 100_000, reason: 'Damaged wrapper' },
    },
  ],
  voidedLines: [],
  customer: { customerId: 'cust-1001', groupIds: ['grp-staff'] },
  couponCodes: ['SPRING25'],
  approvals: [
    {
      approvalId: 'appr-2',
      permission: 'price.override',
      requestedBy: CASHIER,
      approvedBy: MANAGER,
      approvedAt: '2025-03-14T12:01:30.000Z',
      lineId: 'l2',
    },
  ],
  ageVerified: 0,
  tenders: [],
} as const satisfies Partial<CartDoc>;

/** A parked sale: one scanned line, one with a price override (approved) and a 10 % line discount. */
export const SAMPLE_CART: CartDoc = {
  ...cartBase,
  state: 'parked',
  orderDiscount: { kind: 'amount', amount: 50 },
  parkedAt: '2025-03-14T12:03:10.500Z',
  updatedAt: '2025-03-14T12:03:10.500Z',
};

/** A sale in tendering after a crash: priced, with an approved card payment that must not be taken twice. */
export const SAMPLE_TENDERING_CART: CartDoc = {
  ...cartBase,
  saleId: 'sale-0003',
  state: 'tendering',
  lines: [cartBase.lines[0]],
  approvals: [],
  priced: {
    currency: 'CHF',
    pricesIncludeTax: true,
    at: Date.UTC(2025, 2, 14, 12, 5),
    lines: [
      {
        ...MILK_LINE,
        quantity: 1000,
        gross: 185,
        discounts: [],
        discount: 0,
        net: 185,
        taxes: [{ taxId: 'ch-vat-std', name: 'MwSt 8.1 %', rate: 81_000, base: 171, amount: 14 }],
        tax: 14,
        total: 185,
      },
    ],
    subtotal: 185,
    discount: 0,
    tax: 14,
    total: 185,
    taxes: [{ taxId: 'ch-vat-std', name: 'MwSt 8.1 %', rate: 81_000, base: 171, amount: 14 }],
    promotions: [],
    couponCodes: [],
    unknownCoupons: ['SPRING25'],
  },
  tenders: [
    {
      tenderId: 't1',
      type: 'card',
      amount: 185,
      reference: 'TRM-88213',
      approvalCode: '054321',
      cardBrand: 'VISA',
      cardLast4: '4242',
    },
  ],
  updatedAt: '2025-03-14T12:05:30.000Z',
};

const CONFIG_UPDATED_AT = '2025-03-01T02:00:00.000Z';

const JAN_1_2024_CET = Date.UTC(2023, 11, 31, 23);

/** One document of every kind (two promotions). */
export const SAMPLE_CONFIG: readonly ConfigDoc[] = [
  {
    id: `store_settings:${STORE}`,
    kind: 'store_settings',
    storeId: STORE,
    updatedAt: CONFIG_UPDATED_AT,
    data: {
      storeId: STORE,
      name: 'Zürich Bahnhofstrasse',
      currency: 'CHF',
      locale: 'de-CH',
      timeZone: 'Europe/Zurich',
      receiptPrefix: 'S01',
      tax: { jurisdictionId: 'CH', pricesIncludeTax: true, rounding: 'per-line', roundingMode: 'half-up' },
      cashRounding: { increment: 5, mode: 'half-up' },
      denominations: [20_000, 10_000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5],
      close: { varianceThreshold: 500 },
      returns: {
        windowDays: 30,
        noReceipt: { enabled: true, refundTo: 'store_credit', maxAmount: 5000, requiresPermission: true },
        tenderOrder: ['card', 'cash'],
        nonReturnableCategoryIds: ['cat-hygiene'],
      },
      sale: { maxQuantity: 999_000, mergeRepeatScans: true },
      scan: { gs1WithoutAim: false },
      loyalty: { earnAmount: 100, earnPoints: 1, offlineRedeemAllowance: 500 },
    },
  },
  {
    id: 'tax_rule:ch-vat-std',
    kind: 'tax_rule',
    updatedAt: CONFIG_UPDATED_AT,
    data: {
      id: 'ch-vat-std',
      name: 'MwSt 8.1 %',
      taxClassId: 'standard',
      jurisdictionId: 'CH',
      rate: 81_000,
      validFrom: JAN_1_2024_CET,
      validTo: null,
    },
  },
  {
    id: 'promotion:promo-milk-2for350',
    kind: 'promotion',
    updatedAt: CONFIG_UPDATED_AT,
    data: {
      id: 'promo-milk-2for350',
      kind: 'bundle_price',
      name: '2 for 3.50',
      priority: 10,
      exclusive: false,
      validFrom: Date.UTC(2025, 2, 1),
      validTo: Date.UTC(2025, 3, 1),
      storeIds: [],
      customerGroupIds: [],
      items: { productIds: ['prod-milk-1l'], categoryIds: [] },
      quantity: 2,
      price: 350,
    },
  },
  {
    id: 'promotion:promo-staff-10',
    kind: 'promotion',
    updatedAt: CONFIG_UPDATED_AT,
    data: {
      id: 'promo-staff-10',
      kind: 'spend_threshold',
      name: '10 % off above 100.00',
      priority: 1,
      exclusive: true,
      validFrom: null,
      validTo: null,
      storeIds: [STORE],
      customerGroupIds: ['grp-staff'],
      couponCode: 'SPRING25',
      eligible: { kind: 'order' },
      threshold: 10_000,
      reward: { kind: 'percent', percent: 100_000 },
    },
  },
  {
    id: 'price_book:pb-base',
    kind: 'price_book',
    updatedAt: CONFIG_UPDATED_AT,
    data: {
      id: 'pb-base',
      name: 'Base CHF',
      currency: 'CHF',
      priority: 0,
      storeIds: [],
      customerGroupIds: [],
      validFrom: null,
      validTo: null,
    },
  },
  {
    id: 'barcode_template:ch-weight',
    kind: 'barcode_template',
    updatedAt: CONFIG_UPDATED_AT,
    data: {
      id: 'ch-weight',
      prefix: '21',
      item: { start: 2, length: 5 },
      value: { start: 7, length: 5 },
      kind: 'weight',
      decimals: 3,
    },
  },
  {
    id: `receipt_header:${STORE}`,
    kind: 'receipt_header',
    storeId: STORE,
    updatedAt: CONFIG_UPDATED_AT,
    data: {
      name: 'Omnitill Markt Zürich',
      addressLines: ['Bahnhofstrasse 1', '8001 Zürich'],
      taxId: 'CHE-123.456.789 MWST',
      footerLines: ['Danke für Ihren Einkauf!'],
      locale: 'de-CH',
      receiptQrBaseUrl: 'https://r.example.ch/',
    },
  },
  {
    id: 'role:supervisor',
    kind: 'role',
    updatedAt: CONFIG_UPDATED_AT,
    data: {
      role: 'supervisor',
      permissions: ['sale.ring', 'line.void', 'price.override'],
      maxManualDiscountRate: 250_000,
    },
  },
  {
    id: 'category:cat-dairy',
    kind: 'category',
    updatedAt: CONFIG_UPDATED_AT,
    data: { id: 'cat-dairy', name: 'Dairy', parentId: 'cat-food' },
  },
];
