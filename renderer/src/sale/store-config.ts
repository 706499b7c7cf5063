/**
 * The store's configuration as the sale screen uses it, derived from the `config` documents HQ
 * replicates (tax rules, promotions, price books, barcode templates, receipt header, role policies,
 * store settings). The collection is small (hundreds of documents, never catalog-sized), so it is
 * read whole by kind and re-derived whenever any of it changes: a promotion or tax rate edited at HQ
 * reaches the open sale without a reload.
 *
 * Precedence: a store-level document beats a chain-wide one of the same kind and key (config.schema.ts).
 * Malformed data never stops selling: bad promotions and barcode templates are left out and listed
 * in `problems` for the status line, and missing settings fall back to the domain's defaults.
 */
import {
  buildPromotionIndex,
  buildTaxIndex,
  DEFAULT_ROLE_POLICIES,
  DEFAULT_SALE_CONFIG,
  rolePolicyFromData,
  validateScanConfig,
} from '@pos/app';
import type {
  CashRoundingRule,
  ConfigDoc,
  ConfigDocOf,
  ConfigKind,
  PriceBook,
  Promotion,
  PromotionIndex,
  ReceiptStoreInfo,
  Role,
  RolePolicy,
  SaleConfig,
  ScanConfig,
  StoreSettings,
  TaxIndex,
  TaxRate,
  VariableMeasureTemplate,
} from '@pos/app';
import type { Subscription } from 'rxjs';
import type { TillDatabase } from '../db/index.ts';

/** The kinds the till reads; anything else in the collection is ignored. */
export const TILL_CONFIG_KINDS = [
  'store_settings',
  'tax_rule',
  'promotion',
  'price_book',
  'barcode_template',
  'receipt_header',
  'role',
] as const satisfies readonly ConfigKind[];

export interface StoreConfig {
  readonly storeId: string;
  readonly settings: StoreSettings;
  readonly storeName: string;
  readonly currency: string;
  readonly locale: string;
  readonly timeZone: string;
  readonly receiptPrefix: string;
  readonly tax: TaxIndex;
  readonly promotions: PromotionIndex;
  readonly priceBooks: readonly PriceBook[];
  readonly cashRounding: CashRoundingRule;
  readonly saleConfig: SaleConfig;
  readonly scanConfig: ScanConfig;
  readonly receiptStore: ReceiptStoreInfo;
  /** What was left out and why, for the manager (English; these are HQ data errors). */
  readonly problems: readonly string[];
}

type Keyed<K extends ConfigKind> = (doc: ConfigDocOf<K>) => string;

/** The winning document per key: store-level over chain-wide; other stores' documents are ignored. */
function pick<K extends ConfigKind>(
  docs: readonly ConfigDoc[],
  kind: K,
  storeId: string,
  keyOf: Keyed<K>,
): ConfigDocOf<K>[] {
  const byKey = new Map<string, ConfigDocOf<K>>();
  for (const doc of docs) {
    if (doc.kind !== kind) continue;
    const typed = doc as ConfigDocOf<K>;
    if (typed.storeId !== undefined && typed.storeId !== storeId) continue;
    const key = keyOf(typed);
    const existing = byKey.get(key);
    if (existing === undefined || (existing.storeId === undefined && typed.storeId !== undefined)) {
      byKey.set(key, typed);
    }
  }
  // Sorted by document id so the derived configuration does not depend on arrival order.
  return [...byKey.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const byDataId = (doc: { readonly data: { readonly id: string } }): string => doc.data.id;

/**
 * Derives the configuration, or null while the store's settings have not arrived (a freshly
 * enrolled till before its first sync): without a currency and tax setup nothing can be priced.
 */
export function deriveStoreConfig(docs: readonly ConfigDoc[], storeId: string): StoreConfig | null {
  const settingsDoc = pick(docs, 'store_settings', storeId, (d) => d.data.storeId).find(
    (d) => d.data.storeId === storeId,
  );
  if (settingsDoc === undefined) return null;
  const settings = settingsDoc.data;
  const problems: string[] = [];

  const rates: TaxRate[] = pick(docs, 'tax_rule', storeId, byDataId).map((d) => d.data);
  const tax = buildTaxIndex({ ...settings.tax, rates });

  const promotionList: Promotion[] = pick(docs, 'promotion', storeId, byDataId).map((d) => d.data);
  const promotions = buildPromotionIndex(promotionList, { onInvalid: 'skip' });
  for (const rejected of promotions.rejected) problems.push(rejected.error.message);

  const priceBooks = pick(docs, 'price_book', storeId, byDataId).map((d) => d.data);

  const policies: Record<Role, RolePolicy> = { ...DEFAULT_ROLE_POLICIES };
  for (const doc of pick(docs, 'role', storeId, (d) => d.data.role)) {
    const { role, policy } = rolePolicyFromData(doc.data);
    policies[role] = policy;
  }
  const saleConfig: SaleConfig = { ...DEFAULT_SALE_CONFIG, ...settings.sale, rolePolicies: policies };

  const templates: VariableMeasureTemplate[] = pick(docs, 'barcode_template', storeId, byDataId).map(
    (d) => d.data,
  );
  const scanConfig = safeScanConfig(settings, templates, problems);

  const header = pick(docs, 'receipt_header', storeId, () => 'header')[0]?.data;
  const receiptStore: ReceiptStoreInfo = {
    ...(header ?? { name: settings.name, addressLines: [], footerLines: [], locale: settings.locale }),
    // Printed times are the store's wall clock.
    timeZone: settings.timeZone,
  };

  return {
    storeId,
    settings,
    storeName: settings.name,
    currency: settings.currency,
    locale: settings.locale,
    timeZone: settings.timeZone,
    receiptPrefix: settings.receiptPrefix ?? 'R',
    tax,
    promotions,
    priceBooks,
    cashRounding: settings.cashRounding,
    saleConfig,
    scanConfig,
    receiptStore,
    problems,
  };
}

function safeScanConfig(
  settings: StoreSettings,
  templates: readonly VariableMeasureTemplate[],
  problems: string[],
): ScanConfig {
  const base: ScanConfig = { ...settings.scan, currency: settings.currency };
  const full: ScanConfig = { ...base, variableMeasure: templates };
  try {
    validateScanConfig(full);
    return full;
  } catch (error) {
    // One bad template must not stop ordinary barcodes from scanning.
    problems.push(error instanceof Error ? error.message : String(error));
    try {
      validateScanConfig(base);
      return base;
    } catch {
      return { currency: settings.currency };
    }
  }
}

/**
 * Watches the configuration: `onChange` runs with the first snapshot and after every change (null
 * while the store's settings are missing). Returns the unsubscribe.
 */
export function watchStoreConfig(
  db: TillDatabase,
  storeId: string,
  onChange: (config: StoreConfig | null) => void,
): () => void {
  const subscription: Subscription = db.config
    .find({ selector: { kind: { $in: [...TILL_CONFIG_KINDS] } } })
    .$.subscribe((docs) => {
      onChange(
        deriveStoreConfig(
          docs.map((d) => d.toJSON()),
          storeId,
        ),
      );
    });
  return () => {
    subscription.unsubscribe();
  };
}

/** The first snapshot, for boot. */
export function loadStoreConfig(db: TillDatabase, storeId: string): Promise<StoreConfig | null> {
  return new Promise((resolve) => {
    let done = false;
    const stop = watchStoreConfig(db, storeId, (config) => {
      if (done) return;
      done = true;
      resolve(config);
      // Later: the first emission can arrive before `stop` is assigned.
      queueMicrotask(() => {
        stop();
      });
    });
  });
}
