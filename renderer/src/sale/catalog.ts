/**
 * Reads of the replicated catalog for the sale screen, each one an indexed query so that it costs the
 * same at a thousand products as at a million (targets.md: barcode lookup p99 ≤ 5 ms, first 20 search
 * results p95 ≤ 50 ms): a scan is one equality read on `products.barcode`, a search is prefix ranges
 * on `nameKey` / `skuKey` limited to 20, prices are read per product through the
 * `[productId, validFrom]` index, stock by primary key. Nothing here ever loads a whole collection.
 */
import { interpretScan, prefixRange, searchKey, skuKey, stockLevelId, toProduct } from '@pos/app';
import type { PriceDoc, Product, ProductDoc, ScanConfig, StockLevelDoc } from '@pos/app';
import type { TillDatabase } from '../db/index.ts';

export const SEARCH_LIMIT = 20;

export interface SearchHit {
  readonly product: Product;
  /** How it matched, for ordering and for the result row's hint. */
  readonly match: 'barcode' | 'sku' | 'name';
}

export class Catalog {
  constructor(
    private readonly db: TillDatabase,
    private readonly storeId: string,
  ) {}

  /** The product a lookup key (from `interpretScan`) rings, or null. Inactive products are returned too. */
  async findByBarcode(lookupKey: string): Promise<Product | null> {
    if (lookupKey === '') return null;
    const doc = await this.db.products.findOne({ selector: { barcode: lookupKey } }).exec();
    return doc === null ? null : toProduct(doc.toJSON());
  }

  async findById(productId: string): Promise<Product | null> {
    // The main row's id is the product id (products.schema.ts).
    const doc = await this.db.products.findOne(productId).exec();
    return doc === null ? null : toProduct(doc.toJSON());
  }

  /**
   * Products matching what the cashier typed: an exact barcode first, then SKUs starting with it, then
   * names starting with it (case- and accent-insensitive), at most `limit`, each product once.
   */
  async search(text: string, scanConfig: ScanConfig, limit = SEARCH_LIMIT): Promise<SearchHit[]> {
    const trimmed = text.trim();
    if (trimmed === '') return [];
    const hits: SearchHit[] = [];
    const seen = new Set<string>();
    const add = (docs: readonly ProductDoc[], match: SearchHit['match']): void => {
      for (const doc of docs) {
        if (hits.length >= limit) return;
        if (seen.has(doc.productId)) continue;
        seen.add(doc.productId);
        hits.push({ product: toProduct(doc), match });
      }
    };
    const nameKey = searchKey(trimmed);
    const sku = skuKey(trimmed);
    const [barcode, bySku, byName] = await Promise.all([
      /^[0-9]{8,14}$/.test(trimmed) ? this.barcodeRows(trimmed, scanConfig) : Promise.resolve([]),
      sku === ''
        ? Promise.resolve([])
        : this.db.products
            .find({ selector: { skuKey: prefixRange(sku) }, sort: [{ skuKey: 'asc' }], limit })
            .exec()
            .then((docs) => docs.map((d) => d.toJSON() as ProductDoc)),
      nameKey === ''
        ? Promise.resolve([])
        : this.db.products
            .find({ selector: { nameKey: prefixRange(nameKey) }, sort: [{ nameKey: 'asc' }], limit })
            .exec()
            .then((docs) => docs.map((d) => d.toJSON() as ProductDoc)),
    ]);
    add(barcode, 'barcode');
    add(bySku, 'sku');
    add(byName, 'name');
    return hits;
  }

  private async barcodeRows(text: string, scanConfig: ScanConfig): Promise<ProductDoc[]> {
    let key: string | undefined;
    try {
      key = interpretScan(text, scanConfig).lookupKey;
    } catch {
      return [];
    }
    // The lookup key first, then the code as typed (a catalog that stored codes as printed).
    for (const code of key === undefined || key === text ? [text] : [key, text]) {
      const doc = await this.db.products.findOne({ selector: { barcode: code } }).exec();
      if (doc !== null) return [doc.toJSON()];
    }
    return [];
  }

  /** Every price row of a product (all windows: future ones schedule the next re-price). */
  async pricesOf(productId: string): Promise<PriceDoc[]> {
    const docs = await this.db.prices
      .find({ selector: { productId }, sort: [{ productId: 'asc' }, { validFrom: 'asc' }] })
      .exec();
    return docs.map((d) => d.toJSON() as PriceDoc);
  }

  /** On hand at this store, thousandths of the unit, per product; absent when the server has no level. */
  async stockOf(productIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (productIds.length === 0) return out;
    const ids = productIds.map((id) => stockLevelId(this.storeId, id));
    const docs = await this.db.stockLevels.findByIds(ids).exec();
    for (const doc of docs.values()) {
      const level = doc.toJSON() as StockLevelDoc;
      out.set(level.productId, level.onHand);
    }
    return out;
  }
}
