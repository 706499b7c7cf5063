/**
 * What the till sells. Products come from HQ through replication; the domain core only reads them.
 */
import type { Unit } from './records.ts';

export interface Product {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  /**
   * Every code that rings this product, as lookup keys from `normalizeBarcode` (barcode.ts): a GTIN
   * zero-padded to 14 digits, or an internal code's text as scanned.
   */
  readonly barcodes: readonly string[];
  readonly categoryId: string;
  readonly taxClassId: string;
  readonly unit: Unit;
  /** False for items that exist in the catalog but may not be rung (e.g. deposit-only SKUs). */
  readonly sellable: boolean;
  /** False once HQ retires the product; kept for returns of old sales. */
  readonly active: boolean;
  /** Minimum buyer age, when the product is age-restricted (alcohol 18/21, tobacco …). */
  readonly minimumAge?: number;
}

export interface Category {
  readonly id: string;
  readonly name: string;
  readonly parentId?: string;
}
