/**
 * The open sale saved to the local `carts` collection on every change, so a till that is killed
 * mid-sale comes back with the sale as it was (Odoo lost unsynced orders from browser storage:
 * odoo#60939, #125037). Writes are cheap and never pile up: while one is in flight only the newest
 * later state is kept, and it is written next. Completed and voided sales leave the collection
 * (the SaleRecord in the journal and outbox is what remains of a completed sale).
 */
import { cartFromSale, saleFromCart } from '@pos/app';
import type { CartDoc, Sale, SaleConfig } from '@pos/app';
import type { TillDatabase } from '../db/index.ts';

export class CartStore {
  /** Every write and removal, one after the other. */
  private chain: Promise<void> = Promise.resolve();
  /** The newest state of each sale whose write is queued but not started (later saves replace it). */
  private readonly queued = new Map<string, Sale>();
  /** Sale ids this till has written, so an emptied sale is removed only when it was stored. */
  private readonly stored = new Set<string>();

  constructor(
    private readonly db: TillDatabase,
    private readonly now: () => Date,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  private enqueue(operation: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(operation).catch((error: unknown) => {
      this.onError(error);
    });
    return this.chain;
  }

  /** Saves `sale` (coalesced with later saves of it). Resolves once it, or a newer state, is written. */
  save(sale: Sale): Promise<void> {
    const alreadyQueued = this.queued.has(sale.saleId);
    this.queued.set(sale.saleId, sale);
    if (alreadyQueued) return this.chain;
    return this.enqueue(async () => {
      const latest = this.queued.get(sale.saleId);
      this.queued.delete(sale.saleId);
      if (latest !== undefined) await this.write(latest);
    });
  }

  /** Resolves when every write so far is done. */
  idle(): Promise<void> {
    return this.chain;
  }

  private async write(sale: Sale): Promise<void> {
    const finished = sale.state === 'completed' || sale.state === 'voided';
    if (finished || (sale.state === 'open' && sale.lines.length === 0)) {
      if (this.stored.has(sale.saleId) || finished) await this.removeNow(sale.saleId);
      return;
    }
    await this.db.carts.upsert(cartFromSale(sale, this.now().toISOString()));
    this.stored.add(sale.saleId);
  }

  /** Removes a sale's cart (after the writes queued before it). */
  remove(saleId: string): Promise<void> {
    return this.enqueue(() => this.removeNow(saleId));
  }

  private async removeNow(saleId: string): Promise<void> {
    const doc = await this.db.carts.findOne(saleId).exec();
    if (doc !== null) await doc.remove();
    this.stored.delete(saleId);
  }

  /** The newest unfinished sale to resume after a restart: one being paid first, else an open one. */
  async findOpen(config: SaleConfig): Promise<Sale | null> {
    for (const state of ['tendering', 'open'] as const) {
      const doc = await this.db.carts
        .findOne({ selector: { state }, sort: [{ state: 'asc' }, { updatedAt: 'desc' }] })
        .exec();
      if (doc !== null) {
        const sale = saleFromCart(doc.toJSON(), config);
        this.stored.add(sale.saleId);
        return sale;
      }
    }
    return null;
  }

  /** Parked sales, newest first. */
  async parked(limit = 50): Promise<CartDoc[]> {
    const docs = await this.db.carts
      .find({
        selector: { state: 'parked' },
        sort: [{ state: 'asc' }, { updatedAt: 'desc' }],
        limit,
      })
      .exec();
    return docs.map((d) => d.toJSON() as CartDoc);
  }

  async load(saleId: string, config: SaleConfig): Promise<Sale | null> {
    const doc = await this.db.carts.findOne(saleId).exec();
    if (doc === null) return null;
    this.stored.add(saleId);
    return saleFromCart(doc.toJSON(), config);
  }
}
