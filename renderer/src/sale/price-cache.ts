/**
 * The price rows of the products the till is dealing with (the open sale's lines and the item being
 * scanned), read per product through the `[productId, validFrom]` index and kept live: a price HQ
 * changes arrives through replication into `prices`, the change stream marks the product stale, and
 * the sale re-prices without a reload (Odoo keeps the session's prices until a reload: odoo#30418).
 *
 * The domain's PriceIndex is rebuilt from these few rows when they or the price books change, so
 * building it costs the size of the sale, never the catalog.
 */
import { buildPriceIndex, priceFromDoc } from '@pos/app';
import type { PriceBook, PriceDoc, PriceIndex, PriceRow, StorePriceOverride } from '@pos/app';
import type { RxChangeEventBulk } from 'rxdb';
import type { Subscription } from 'rxjs';
import type { TillDatabase } from '../db/index.ts';
import type { Catalog } from './catalog.ts';

export class PriceCache {
  private readonly rows = new Map<string, readonly PriceDoc[]>();
  private readonly loading = new Map<string, Promise<void>>();
  private books: readonly PriceBook[] = [];
  private currency: string;
  private index: PriceIndex | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly subscription: Subscription;

  constructor(
    db: TillDatabase,
    private readonly catalog: Catalog,
    currency: string,
  ) {
    this.currency = currency;
    // The raw event bulks, not `prices.$`: RxDB 17.6 caches the events it makes for `$` in a module-level
    // Map keyed by bulk and never frees them, so every price the till ever downloaded stayed in memory
    // (346 MB of heap after a 1M-product first download, 13 MB once reloaded).
    this.subscription = db.prices.eventBulks$.subscribe((bulk: RxChangeEventBulk<PriceDoc>) => {
      for (const event of bulk.events) {
        const productId = event.documentData.productId;
        if (!this.rows.has(productId)) continue;
        this.stale.add(productId);
        // A replicated batch writes many rows at once: re-read each affected product once, after it.
        this.reloadTimer ??= setTimeout(() => {
          this.reloadTimer = undefined;
          void this.reloadStale();
        }, 0);
      }
    });
  }

  private readonly stale = new Set<string>();
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;

  /** Re-reads stale products; the old rows stay in use until the new ones are in. */
  private async reloadStale(): Promise<void> {
    const products = [...this.stale];
    this.stale.clear();
    const fresh = await Promise.all(products.map((id) => this.catalog.pricesOf(id)));
    products.forEach((id, i) => {
      const docs = fresh[i];
      if (docs !== undefined && this.rows.has(id)) this.rows.set(id, docs);
    });
    this.changed();
  }

  /** Called with no argument after the rows or books behind the index changed. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.index = null;
    for (const listener of this.listeners) listener();
  }

  setPriceBooks(books: readonly PriceBook[], currency: string): void {
    if (books === this.books && currency === this.currency) return;
    this.books = books;
    this.currency = currency;
    this.changed();
  }

  has(productId: string): boolean {
    return this.rows.has(productId);
  }

  /** Loads a product's rows unless they are cached. */
  ensure(productId: string): Promise<void> {
    if (this.rows.has(productId)) return Promise.resolve();
    const pending = this.loading.get(productId);
    if (pending !== undefined) return pending;
    const load = this.catalog
      .pricesOf(productId)
      .then((docs) => {
        this.rows.set(productId, docs);
        this.index = null;
      })
      .finally(() => {
        this.loading.delete(productId);
      });
    this.loading.set(productId, load);
    return load;
  }

  /** Forgets every product except `keep` (the next sale starts small again). */
  retainOnly(keep: ReadonlySet<string>): void {
    let dropped = false;
    for (const productId of [...this.rows.keys()]) {
      if (!keep.has(productId)) {
        this.rows.delete(productId);
        dropped = true;
      }
    }
    if (dropped) this.index = null;
  }

  /** The domain's index over the cached rows (rebuilt lazily after a change). */
  priceIndex(): PriceIndex {
    if (this.index !== null) return this.index;
    const rows: PriceRow[] = [];
    const overrides: StorePriceOverride[] = [];
    for (const docs of this.rows.values()) {
      for (const doc of docs) {
        const price = priceFromDoc(doc);
        if (price.kind === 'row') rows.push(price.row);
        else overrides.push(price.override);
      }
    }
    // 'skip': one malformed row from HQ must not stop the rest of the sale from pricing.
    this.index = buildPriceIndex(this.books, rows, overrides, { currency: this.currency, onInvalid: 'skip' });
    return this.index;
  }

  close(): void {
    this.subscription.unsubscribe();
    if (this.reloadTimer !== undefined) clearTimeout(this.reloadTimer);
    this.listeners.clear();
  }
}
