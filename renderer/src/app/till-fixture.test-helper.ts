/**
 * Test support for the sale, tender, checkout and shell tests: a fake privileged side that behaves
 * like main where the sale path depends on it (a journal that numbers entries and answers a repeated
 * event id with the existing entry, a print queue idempotent by job id, a drawer, a scale, a payment
 * terminal), a real RxDB database on fake-indexeddb seeded with a small store, and a runtime over both.
 *
 * The store (figures used by the tests, all prices include VAT):
 *   milk 1.50, bread 2.40, wine 8.90 (18+), chocolate 1.00 (3 for 2.00), coffee 4.00 (4.50 from
 *   one hour after T0), apples 3.20 per kg (food VAT 10 %), a retired product and one without price.
 *   Standard VAT 20 %; a weight barcode template with prefix 23.
 */
import { computeCheckDigit, customerLookupKeys, interpretScan, productRows, stockLevelId } from '@pos/app';
import type {
  ApprovalRecord,
  ConfigDoc,
  CustomerDoc,
  PriceDoc,
  Product,
  ScanConfig,
  StaffDoc,
  StockLevelDoc,
} from '@pos/app';
import type {
  CommandInput,
  CommandOutput,
  DesktopBridge,
  EventPayload,
  PaymentStatus,
  PosCommand,
  PosEvent,
  PosResult,
  PrintReceiptJob,
  ScaleReading,
  Settings,
  StaffSession,
} from '@pos/app/contracts/desktop-bridge';
import { COMMAND_NAMES } from '@pos/app/contracts/desktop-bridge';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import type { StoreApi } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { createTillDatabase } from '../db/index.ts';
import type { TillDatabase } from '../db/index.ts';
import { createDesktop } from '../platform/desktop.ts';
import type { Desktop } from '../platform/desktop.ts';
import { restoreOutbox } from '../checkout/outbox.ts';
import { deriveStoreConfig } from '../sale/store-config.ts';
import type { StoreConfig } from '../sale/store-config.ts';
import { createTillRuntime } from './runtime.ts';
import type { RuntimeOptions, TillRuntime } from './runtime.ts';
import type { RequestApproval, SessionState, TillServices } from './till-context.tsx';

export const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);
export const STORE = 'S01';
export const DEVICE = 'till-s01-01';
export const CASHIER = 'staff-cashier';
export const MANAGER = 'staff-manager';

export const ean13 = (payload: string): string => `${payload}${computeCheckDigit(payload)}`;

export const CODES = {
  milk: ean13('400000000001'),
  bread: ean13('400000000002'),
  wine: ean13('400000000003'),
  choc: ean13('400000000004'),
  retired: ean13('400000000005'),
  coffee: ean13('400000000006'),
  noPrice: ean13('400000000007'),
} as const;

export const WEIGHT_TEMPLATE = {
  id: 'scale-23',
  prefix: '23',
  item: { start: 2, length: 6 },
  value: { start: 8, length: 4 },
  kind: 'weight',
  decimals: 3,
} as const;

/** A label from the store's scale: apples (item 123456), `grams` g. */
export function appleLabel(grams: number): string {
  return ean13(`23123456${String(grams).padStart(4, '0')}`);
}

const APPLE_KEY = interpretScan(appleLabel(0), {
  currency: 'EUR',
  variableMeasure: [WEIGHT_TEMPLATE],
} satisfies ScanConfig).lookupKey;

const product = (fields: Partial<Product> & Pick<Product, 'id' | 'sku' | 'name'>): Product => ({
  barcodes: [],
  categoryId: 'cat-grocery',
  taxClassId: 'std',
  unit: 'each',
  sellable: true,
  active: true,
  ...fields,
});

/** Lookup keys of the products' barcodes (14-digit GTINs). */
const key = (code: string): string => code.padStart(14, '0');

export const PRODUCTS = {
  milk: product({
    id: 'P-MILK',
    sku: 'MILK-1L',
    name: 'Whole milk 1 l',
    barcodes: [key(CODES.milk)],
    categoryId: 'cat-dairy',
  }),
  bread: product({ id: 'P-BREAD', sku: 'BREAD-SD', name: 'Sourdough bread', barcodes: [key(CODES.bread)] }),
  wine: product({
    id: 'P-WINE',
    sku: 'WINE-RED',
    name: 'Red wine 75 cl',
    barcodes: [key(CODES.wine)],
    minimumAge: 18,
  }),
  choc: product({ id: 'P-CHOC', sku: 'CHOC-100', name: 'Dark chocolate 100 g', barcodes: [key(CODES.choc)] }),
  retired: product({
    id: 'P-OLD',
    sku: 'OLD-1',
    name: 'Old stock',
    barcodes: [key(CODES.retired)],
    active: false,
  }),
  coffee: product({
    id: 'P-COFFEE',
    sku: 'COFFEE-500',
    name: 'Coffee beans 500 g',
    barcodes: [key(CODES.coffee)],
  }),
  apples: product({
    id: 'P-APPLE',
    sku: 'APPLE-GALA',
    name: 'Apples Gala',
    barcodes: APPLE_KEY === undefined ? [] : [APPLE_KEY],
    unit: 'kg',
    taxClassId: 'food',
    categoryId: 'cat-fruit',
  }),
  noPrice: product({ id: 'P-NOPRICE', sku: 'MYSTERY', name: 'Mystery item', barcodes: [key(CODES.noPrice)] }),
} as const;

const iso = (ms: number): string => new Date(ms).toISOString();

export function priceDoc(
  productId: string,
  amount: number,
  options: { from?: number; to?: number; version?: number } = {},
): PriceDoc {
  const from = options.from ?? Date.UTC(2026, 0, 1);
  return {
    id: `PB:${productId}:${iso(from)}`,
    priceBookId: 'PB',
    productId,
    sku: productId,
    amount,
    currency: 'EUR',
    taxIncluded: true,
    validFrom: iso(from),
    ...(options.to === undefined ? {} : { validTo: iso(options.to) }),
    version: options.version ?? 1,
    updatedAt: iso(Date.UTC(2026, 0, 1)),
  };
}

export const HOUR = 3_600_000;

export const PRICES: readonly PriceDoc[] = [
  priceDoc('P-MILK', 150),
  priceDoc('P-BREAD', 240),
  priceDoc('P-WINE', 890),
  priceDoc('P-CHOC', 100),
  priceDoc('P-OLD', 500),
  priceDoc('P-COFFEE', 400, { to: T0 + HOUR }),
  priceDoc('P-COFFEE', 450, { from: T0 + HOUR }),
  priceDoc('P-APPLE', 320),
];

const UPDATED = '2026-01-01T00:00:00.000Z';

export interface StoreOptions {
  readonly cashRounding?: { readonly increment: number; readonly mode: 'half-up' };
  readonly currency?: string;
}

export function configDocs(options: StoreOptions = {}): ConfigDoc[] {
  return [
    {
      id: `store_settings:${STORE}`,
      kind: 'store_settings',
      storeId: STORE,
      updatedAt: UPDATED,
      data: {
        storeId: STORE,
        name: 'Omnitill Market Dublin',
        currency: options.currency ?? 'EUR',
        locale: 'en-IE',
        timeZone: 'Europe/Dublin',
        receiptPrefix: 'S01',
        tax: { jurisdictionId: 'IE', pricesIncludeTax: true, rounding: 'per-line', roundingMode: 'half-up' },
        cashRounding: options.cashRounding ?? { increment: 1, mode: 'half-up' },
        denominations: [5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
        close: { varianceThreshold: 500 },
        returns: {
          windowDays: 30,
          noReceipt: { enabled: true, refundTo: 'store_credit', maxAmount: 5000, requiresPermission: true },
        },
        sale: { maxQuantity: 999_000, mergeRepeatScans: true },
        scan: {},
      },
    },
    {
      id: 'tax_rule:vat-std',
      kind: 'tax_rule',
      updatedAt: UPDATED,
      data: {
        id: 'vat-std',
        name: 'VAT 20 %',
        taxClassId: 'std',
        jurisdictionId: 'IE',
        rate: 200_000,
        validFrom: null,
        validTo: null,
      },
    },
    {
      id: 'tax_rule:vat-food',
      kind: 'tax_rule',
      updatedAt: UPDATED,
      data: {
        id: 'vat-food',
        name: 'VAT 10 %',
        taxClassId: 'food',
        jurisdictionId: 'IE',
        rate: 100_000,
        validFrom: null,
        validTo: null,
      },
    },
    {
      id: 'price_book:PB',
      kind: 'price_book',
      updatedAt: UPDATED,
      data: {
        id: 'PB',
        name: 'Base',
        currency: options.currency ?? 'EUR',
        priority: 0,
        storeIds: [],
        customerGroupIds: [],
        validFrom: null,
        validTo: null,
      },
    },
    {
      id: 'promotion:choc-3for2',
      kind: 'promotion',
      updatedAt: UPDATED,
      data: {
        id: 'choc-3for2',
        kind: 'bundle_price',
        name: 'Chocolate 3 for 2.00',
        priority: 10,
        exclusive: false,
        validFrom: null,
        validTo: null,
        storeIds: [],
        customerGroupIds: [],
        items: { productIds: ['P-CHOC'], categoryIds: [] },
        quantity: 3,
        price: 200,
      },
    },
    {
      id: 'promotion:welcome10',
      kind: 'promotion',
      updatedAt: UPDATED,
      data: {
        id: 'welcome10',
        kind: 'percent_off',
        name: 'Welcome 10 %',
        priority: 1,
        exclusive: false,
        validFrom: null,
        validTo: null,
        storeIds: [],
        customerGroupIds: [],
        couponCode: 'WELCOME10',
        target: { kind: 'order' },
        percent: 100_000,
      },
    },
    { id: 'barcode_template:scale-23', kind: 'barcode_template', updatedAt: UPDATED, data: WEIGHT_TEMPLATE },
    {
      id: `receipt_header:${STORE}`,
      kind: 'receipt_header',
      storeId: STORE,
      updatedAt: UPDATED,
      data: {
        name: 'Omnitill Market',
        addressLines: ['1 Harbour Street', 'Dublin'],
        footerLines: ['Thank you for shopping with us'],
        locale: 'en-IE',
        receiptQrBaseUrl: 'https://r.example.com/',
      },
    },
  ];
}

export function staffDoc(id: string, role: StaffDoc['role'], displayName: string): StaffDoc {
  return {
    id,
    displayName,
    staffCode: id === MANAGER ? '100' : '200',
    cardKey: '',
    role,
    storeIds: [],
    active: true,
    pin: {
      algorithm: 'scrypt',
      hash: 'c2NyeXB0LWhhc2gtb2YtdGhlLXBpbi1mb3ItdGVzdHM=',
      salt: 'c2FsdC1zYWx0LXNhbHQtc2FsdA==',
      cost: 16_384,
      blockSize: 8,
      parallelization: 1,
      keyLength: 32,
    },
    failedPinAttempts: 0,
    updatedAt: UPDATED,
  };
}

export function stockDoc(productId: string, onHand: number): StockLevelDoc {
  return {
    id: stockLevelId(STORE, productId),
    storeId: STORE,
    productId,
    onHand,
    asOf: UPDATED,
    updatedAt: UPDATED,
  };
}

export function customerDoc(id: string, displayName: string): CustomerDoc {
  const profile = { id, displayName, phone: '+353 1 234 5678' };
  return {
    ...profile,
    ...customerLookupKeys(profile),
    customerGroupIds: [],
    loyaltyPoints: 0,
    createdAt: UPDATED,
    updatedAt: UPDATED,
  };
}

let databases = 0;

export async function createSeededDatabase(options: StoreOptions = {}): Promise<TillDatabase> {
  const db = await createTillDatabase({
    name: `sale-test-${Date.now()}-${++databases}`,
    indexedDb: { indexedDB, IDBKeyRange },
  });
  await db.products.bulkInsert(Object.values(PRODUCTS).flatMap((p) => productRows(p, UPDATED)));
  await db.prices.bulkInsert([...PRICES]);
  await db.config.bulkInsert(configDocs(options));
  await db.staff.bulkInsert([
    staffDoc(CASHIER, 'cashier', 'Ada Cashier'),
    staffDoc(MANAGER, 'manager', 'Max Manager'),
  ]);
  await db.stockLevels.bulkInsert([stockDoc('P-MILK', 42_000), stockDoc('P-WINE', 3_000)]);
  await db.customers.bulkInsert([customerDoc('C-1', 'Jane Doe')]);
  return db;
}

export function storeConfigOf(options: StoreOptions = {}): StoreConfig {
  const config = deriveStoreConfig(configDocs(options), STORE);
  if (config === null) throw new Error('fixture has no store settings');
  return config;
}

// ---------------------------------------------------------------------------------------------
// The fake privileged side

type JournalEntry = CommandOutput<'journal.append'>;
type Handler<C extends PosCommand> = (
  input: CommandInput<C>,
) => PosResult<CommandOutput<C>> | Promise<PosResult<CommandOutput<C>>>;

export const ok = <T>(value: T): PosResult<T> => ({ ok: true, value });
export const refused = <T>(
  code: 'unavailable' | 'internal' | 'journal_tampered' | 'device_busy',
  message: string,
): PosResult<T> => ({
  ok: false,
  error: { code, message },
});

export interface FakeMain {
  readonly bridge: DesktopBridge;
  readonly desktop: Desktop;
  readonly calls: { readonly command: PosCommand; readonly input: unknown }[];
  readonly journal: JournalEntry[];
  /** Every print request, and the ids of the jobs that printed (a job id prints once). */
  readonly printRequests: PrintReceiptJob[];
  readonly printed: PrintReceiptJob[];
  drawerOpens: number;
  /** What the print queue answers: printed, or waiting (out of paper), or a refusal. */
  printer: 'printed' | 'waiting' | 'unavailable';
  /** Readings the scale gives, one per call (the last one repeats); or a refusal. */
  scale: ScaleReading[] | 'unavailable';
  /** What the terminal answers to startPayment; later states are pushed with `emit`. */
  terminal: (input: CommandInput<'hardware.startPayment'>) => PaymentStatus;
  /** Refuses the next journal appends with this message (count down). */
  failAppends: number;
  /** Answers the next append, but as if the answer were lost (the entry is written). */
  loseAppendAnswers: number;
  payments: Map<string, PaymentStatus>;
  handle<C extends PosCommand>(command: C, handler: Handler<C>): void;
  emit<E extends PosEvent>(event: E, payload: EventPayload<E>): void;
}

export function paymentStatus(
  input: { paymentId: string; amount: number },
  state: PaymentStatus['state'],
  message = '',
): PaymentStatus {
  return {
    paymentId: input.paymentId,
    state,
    amount: input.amount,
    currency: 'EUR',
    authCode: state === 'approved' ? '054321' : null,
    cardBrand: state === 'approved' ? 'VISA' : null,
    cardLast4: state === 'approved' ? '4242' : null,
    reference: state === 'approved' ? `TRM-${input.paymentId.slice(-6)}` : null,
    message,
  };
}

const HASH = 'a'.repeat(64);

export function createFakeMain(settings: Partial<Settings> = {}): FakeMain {
  const handlers = new Map<PosCommand, (input: unknown) => unknown>();
  const listeners = new Map<PosEvent, Set<(payload: unknown) => void>>();
  const calls: { command: PosCommand; input: unknown }[] = [];
  const api: Record<string, unknown> = {};
  for (const command of COMMAND_NAMES) {
    api[command] = (input?: unknown) => {
      calls.push({ command, input });
      const handler = handlers.get(command);
      if (handler === undefined)
        return Promise.resolve(refused('unavailable', `${command} is not available in this test.`));
      return Promise.resolve(handler(input));
    };
  }
  api.on = (event: PosEvent, callback: (payload: unknown) => void) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(callback);
    return () => set.delete(callback);
  };
  const bridge = api as DesktopBridge;
  const main: FakeMain = {
    bridge,
    desktop: createDesktop(bridge),
    calls,
    journal: [],
    printRequests: [],
    printed: [],
    drawerOpens: 0,
    printer: 'printed',
    scale: [{ weight: 752, unit: 'kg', isStable: true }],
    terminal: (input) => paymentStatus(input, 'approved'),
    failAppends: 0,
    loseAppendAnswers: 0,
    payments: new Map(),
    handle(command, handler) {
      handlers.set(command, handler as (input: unknown) => unknown);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
  };
  const fullSettings: Settings = {
    tillName: 'Till 1',
    storeId: STORE,
    locale: 'en-IE',
    syncServerOrigin: null,
    syncDeviceId: DEVICE,
    receiptCopies: 1,
    customerDisplayEnabled: true,
    idleLockSeconds: 300,
    ...settings,
  };
  main.handle('settings.get', () => ok(fullSettings));
  main.handle('journal.append', (input) => {
    if (main.failAppends > 0) {
      main.failAppends--;
      return refused('journal_tampered', 'The sales journal refuses new entries until a manager checks it.');
    }
    const existing = main.journal.find((e) => e.eventId === input.eventId);
    let entry: JournalEntry;
    if (existing !== undefined) {
      if (JSON.stringify(existing.payload) !== JSON.stringify(input.payload)) {
        return refused('internal', `Event ${input.eventId} is already journaled with different content.`);
      }
      entry = existing;
    } else {
      entry = {
        sequence: main.journal.length + 1,
        eventId: input.eventId,
        type: input.type,
        payload: JSON.parse(JSON.stringify(input.payload)) as JournalEntry['payload'],
        deviceId: DEVICE,
        recordedAt: new Date(T0).toISOString(),
        prevHash: HASH,
        hash: HASH,
      };
      main.journal.push(entry);
    }
    if (main.loseAppendAnswers > 0) {
      main.loseAppendAnswers--;
      return refused('internal', 'The connection to main was lost.');
    }
    return ok(entry);
  });
  main.handle('journal.readAfter', (input) =>
    ok({ entries: main.journal.filter((e) => e.sequence > input.afterSequence).slice(0, input.limit) }),
  );
  main.handle('journal.status', () =>
    ok({
      deviceId: DEVICE,
      firstSequence: main.journal.length === 0 ? 0 : 1,
      lastSequence: main.journal.length,
      appendsBlocked: false,
      unacknowledgedFindings: 0,
    }),
  );
  main.handle('hardware.printReceipt', (job) => {
    main.printRequests.push(job as PrintReceiptJob);
    if (main.printer === 'unavailable')
      return refused('unavailable', 'The hardware service is not running on this till.');
    if (main.printer === 'waiting')
      return ok({ jobId: job.jobId, state: 'waiting' as const, detail: 'The printer is out of paper.' });
    if (!main.printed.some((p) => p.jobId === job.jobId)) main.printed.push(job as PrintReceiptJob);
    return ok({ jobId: job.jobId, state: 'printed' as const, detail: '' });
  });
  main.handle('hardware.openDrawer', () => {
    main.drawerOpens++;
    return ok({ done: true as const });
  });
  let scaleCalls = 0;
  main.handle('hardware.readScale', () => {
    if (main.scale === 'unavailable') return refused('unavailable', 'The scale does not answer.');
    const reading = main.scale[Math.min(scaleCalls++, main.scale.length - 1)];
    return reading === undefined ? refused('unavailable', 'no reading') : ok(reading);
  });
  main.handle('hardware.startPayment', (input) => {
    const status = main.terminal(input);
    main.payments.set(input.paymentId, status);
    return ok(status);
  });
  main.handle('hardware.paymentStatus', (input) => {
    const status = main.payments.get(input.paymentId);
    return status === undefined ? refused('unavailable', 'unknown payment') : ok(status);
  });
  main.handle('hardware.cancelPayment', (input) => {
    const status = main.payments.get(input.paymentId);
    if (status === undefined) return refused('unavailable', 'unknown payment');
    const cancelled = { ...status, state: 'cancelled' as const, message: 'Cancelled on the till.' };
    main.payments.set(input.paymentId, cancelled);
    return ok(cancelled);
  });
  main.handle('hardware.showOnDisplay', () => ok({ done: true as const }));
  main.handle('hardware.listDevices', () => ok({ devices: [] }));
  main.handle('sync.getRefreshToken', () => ok({ refreshToken: null }));
  return main;
}

/** A payment the terminal answers later: approve, decline … with `main.emit('hardware.paymentUpdated', …)`. */
export function pendingTerminal(main: FakeMain): void {
  main.terminal = (input) => paymentStatus(input, 'pending', 'Insert, tap or swipe the card.');
}

// ---------------------------------------------------------------------------------------------
// Session, approvals, services, runtime

export function sessionStore(
  role: StaffSession['role'] = 'cashier',
  staffId = CASHIER,
): StoreApi<SessionState> {
  return createStore<SessionState>()((set) => ({
    session: { staffId, role, signedInAt: new Date(T0).toISOString() },
    staffName: staffId === MANAGER ? 'Max Manager' : 'Ada Cashier',
    locked: false,
    signedIn(session, staffName) {
      set({ session, staffName, locked: false });
    },
    lock() {
      set({ locked: true });
    },
    unlock() {
      set({ locked: false });
    },
    signedOut() {
      set({ session: null, staffName: '', locked: false });
    },
  }));
}

/** An approval function that records what it was asked and approves as the manager (or declines). */
export function approvals(answer: 'approve' | 'decline' = 'approve'): RequestApproval & {
  readonly asked: Parameters<RequestApproval>[0][];
} {
  const asked: Parameters<RequestApproval>[0][] = [];
  let n = 0;
  const fn = (request: Parameters<RequestApproval>[0]): Promise<ApprovalRecord | null> => {
    asked.push(request);
    if (answer === 'decline') return Promise.resolve(null);
    n++;
    return Promise.resolve({
      approvalId: `appr-${n}`,
      permission: request.permission,
      requestedBy: CASHIER,
      approvedBy: MANAGER,
      approvedAt: new Date(T0).toISOString(),
      reason: request.reason,
      ...(request.lineId === undefined ? {} : { lineId: request.lineId }),
    });
  };
  return Object.assign(fn, { asked });
}

/** UUIDv7-shaped ids in order: …-000000000001, …-000000000002 … */
export function idSource(): () => string {
  let n = 0;
  return () => `019a0000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
}

export interface TestTill {
  readonly db: TillDatabase;
  readonly main: FakeMain;
  readonly runtime: TillRuntime;
  readonly services: TillServices;
  /** The till's clock; tests move it. */
  readonly clock: { now: number };
}

export interface TestTillOptions {
  readonly db?: TillDatabase;
  readonly main?: FakeMain;
  readonly role?: StaffSession['role'];
  readonly approval?: RequestApproval;
  readonly store?: StoreOptions;
  readonly runtime?: Partial<RuntimeOptions>;
  readonly clock?: { now: number };
  readonly settings?: Partial<Settings>;
}

export async function createTestTill(options: TestTillOptions = {}): Promise<TestTill> {
  const db = options.db ?? (await createSeededDatabase(options.store));
  const main = options.main ?? createFakeMain(options.settings);
  const clock = options.clock ?? { now: T0 };
  const settings = await main.desktop.call('settings.get', undefined);
  const services: TillServices = {
    db,
    desktop: main.desktop,
    settings,
    currency: 'EUR',
    locale: 'en-IE',
    timeZone: 'Europe/Dublin',
    now: () => new Date(clock.now),
    newId: idSource(),
    sync: null,
    session: sessionStore(options.role),
    requestApproval: options.approval ?? approvals(),
  };
  const runtime = createTillRuntime({
    services,
    config: storeConfigOf(options.store),
    deviceId: DEVICE,
    shiftId: 'shift-1',
    translate: (k) => k,
    outboxRestored: restoreOutbox(db, main.desktop),
    scale: { attempts: 3, intervalMs: 5 },
    paymentPollMs: 20,
    ...options.runtime,
  });
  runtime.setApproval(services.requestApproval);
  return { db, main, runtime, services, clock };
}

const created: TestTill[] = [];

/** A test till that `removeTestTills` closes and deletes (call it after each test). */
export async function testTill(options: TestTillOptions = {}): Promise<TestTill> {
  const t = await createTestTill(options);
  created.push(t);
  return t;
}

/** Closes and deletes every till `testTill` made, once their last writes are done. */
export async function removeTestTills(): Promise<void> {
  for (const t of created.splice(0)) {
    t.runtime.close();
    await t.runtime.checkout.idle();
    await t.runtime.carts.idle();
    await t.db.remove();
  }
}

/** The till's sale state now. */
export const saleState = (t: TestTill): ReturnType<TestTill['runtime']['saleStore']['getState']> =>
  t.runtime.saleStore.getState();

/** Waits until `condition` holds (polling), failing after `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 3000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
