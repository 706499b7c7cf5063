/**
 * Everything the cashier does to the open sale, as calls on the domain (`@pos/app`): scan, add,
 * quantity and weight, discounts, price override, void, park and resume, coupons and the customer.
 * Each change goes through `commit`, which stores the new `Sale`, re-prices it with the domain and
 * saves the cart, so the screen, the totals and the crash copy can never disagree.
 *
 * Operations run one after the other (a queue): two scans fired in quick succession add their lines
 * in scan order, and an approval dialog holds the queue until the manager answers.
 *
 * When the signed-in role lacks a permission, the domain says `permission_denied`; the controller then
 * asks for a manager's approval (`requestApproval`, colleague's dialog), and runs the same operation
 * again with the approval, which the domain records in the sale.
 */
import {
  addCoupon,
  addLine,
  attachCustomer,
  detachCustomer,
  isDomainError,
  nextPriceChangeAt,
  openSale,
  overridePrice,
  parkSale,
  priceSale,
  rescale,
  resumeSale,
  setLineDiscount,
  setOrderDiscount,
  setQuantity,
  setWeight,
  voidLine,
  voidSale,
  interpretScan,
  QUANTITY_SCALE,
} from '@pos/app';
import type {
  ActionContext,
  Actor,
  CustomerDoc,
  ManualDiscount,
  Permission,
  Product,
  Role,
  Sale,
  SaleEnvironment,
  ScanResult,
} from '@pos/app';
import type { TillServices } from '../app/till-context.ts';
import { formatMoney, formatQuantity } from '../i18n/format.ts';
import type { CartStore } from './cart-store.ts';
import type { Catalog } from './catalog.ts';
import { messageForError, msg, notice } from './messages.ts';
import type { Message, MessageParams, NoticeAction, NoticeTone } from './messages.ts';
import type { PriceCache } from './price-cache.ts';
import type { SaleState, SaleStore } from './sale-store.ts';
import type { StoreConfig } from './store-config.ts';
import { weightIn } from './weights.ts';

export interface SaleControllerDeps {
  readonly services: TillServices;
  readonly store: SaleStore;
  readonly catalog: Catalog;
  readonly prices: PriceCache;
  readonly carts: CartStore;
  /** The store's configuration as it is now (it changes when HQ edits it). */
  readonly config: () => StoreConfig;
  readonly deviceId: string;
  readonly shiftId: string;
  /** Translates a key for texts that leave the screen (the reason recorded with an approval). */
  readonly translate: (key: string, params?: MessageParams) => string;
  /** How long to wait for a stable weight: attempts × interval. */
  readonly scale?: { readonly attempts: number; readonly intervalMs: number };
}

/** Hooks into the screen, set by the shell (the controller does not know the UI). */
export interface SaleUiHooks {
  openSearch(text: string): void;
  /** Asks for the price of an item that has none, to sell it at that price (with approval). */
  enterPrice(product: Product, options: AddOptions): void;
}

export interface AddOptions {
  readonly barcode?: string;
  /** Thousandths, pieces only. */
  readonly quantity?: number;
  /** Thousandths of the product's unit. */
  readonly weight?: number;
  readonly embeddedPrice?: number;
  readonly ageConfirmed?: boolean;
  /** A unit price keyed in for an item without a price (permission `price.override`). */
  readonly priceOverride?: number;
}

/** DomainError parameters that are amounts in minor units (tender.ts, sale.ts). */
const MONEY_PARAMS = ['remaining', 'cashDue', 'available', 'amount', 'base'] as const;

/** Longest timer the browser honours (2^31 − 1 ms); later changes are re-armed when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A scan shows "busy" only when its lookup takes longer than this. A scan rings in a few milliseconds:
 * drawing the busy bar at once would put a whole render between the scan and its database read, and
 * would only flicker.
 */
export const BUSY_AFTER_MS = 150;

export class SaleController {
  hooks: SaleUiHooks = { openSearch: () => undefined, enterPrice: () => undefined };
  private queue: Promise<unknown> = Promise.resolve();
  private priceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribePrices: () => void;
  private closed = false;

  constructor(private readonly deps: SaleControllerDeps) {
    this.unsubscribePrices = deps.prices.onChange(() => {
      this.reprice();
    });
  }

  // ------------------------------------------------------------------------------------------
  // State helpers

  get state(): SaleState {
    return this.deps.store.getState();
  }

  private set(patch: Partial<SaleState>): void {
    this.deps.store.setState(patch);
  }

  /** Runs `task` after every earlier task, so operations never interleave. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  say(tone: NoticeTone, message: Message, actions?: readonly NoticeAction[]): void {
    this.set({ notice: notice(tone, message, actions) });
  }

  /** A refusal as a message; the amounts it names are formatted for the screen. */
  sayError(error: unknown, context: MessageParams = {}): void {
    const amounts: Record<string, string> = {};
    if (isDomainError(error)) {
      for (const name of MONEY_PARAMS) {
        const value = error.params[name];
        if (typeof value === 'number') amounts[name] = this.money(value);
      }
    }
    this.say('error', messageForError(error, { ...amounts, ...context }));
  }

  dismissNotice(): void {
    if (this.state.notice !== null) this.set({ notice: null });
  }

  private money(amount: number): string {
    const { currency, locale } = this.deps.config();
    return formatMoney(amount, currency, locale);
  }

  private actor(): Actor | null {
    const session = this.deps.services.session.getState().session;
    return session === null ? null : { staffId: session.staffId, role: session.role };
  }

  private context(actor: Actor): ActionContext {
    return { actor, at: this.deps.services.now().toISOString() };
  }

  /** The pricing environment at `at` (default now) with the prices the cache holds. */
  env(at: number = this.deps.services.now().getTime()): SaleEnvironment {
    const config = this.deps.config();
    return {
      priceIndex: this.deps.prices.priceIndex(),
      promotions: config.promotions,
      tax: config.tax,
      storeId: config.storeId,
      at,
      cashRounding: config.cashRounding,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Commit and pricing

  /** Stores a new sale value, re-prices it and saves the cart. */
  commit(sale: Sale, patch: Partial<SaleState> = {}): void {
    this.set({ sale, ...patch });
    this.reprice();
    void this.deps.carts.save(sale);
  }

  /**
   * Re-prices the open sale with the domain (prices, promotions and tax at this instant), and arms a
   * timer for the next scheduled price or promotion change so it applies on time, online or not.
   */
  reprice(): void {
    if (this.priceTimer !== undefined) clearTimeout(this.priceTimer);
    this.priceTimer = undefined;
    const { sale } = this.state;
    if (sale === null) {
      this.set({ priced: null, pricingProblem: null });
      return;
    }
    if (sale.state !== 'open') {
      this.set({ priced: sale.priced ?? null, pricingProblem: null });
      return;
    }
    const env = this.env();
    try {
      const priced = priceSale(sale, env);
      this.set({ priced, pricingProblem: null });
    } catch (error) {
      const line = isDomainError(error)
        ? sale.lines.find((l) => l.productId === error.params.productId)
        : undefined;
      this.set({
        priced: null,
        pricingProblem: messageForError(error, line === undefined ? {} : { name: line.name }),
      });
    }
    this.armPriceTimer(sale, env);
  }

  private armPriceTimer(sale: Sale, env: SaleEnvironment): void {
    if (this.closed || sale.lines.length === 0) return;
    const ctx = {
      at: env.at,
      storeId: env.storeId,
      customerGroupIds: sale.customer?.groupIds ?? [],
    };
    let next = Infinity;
    for (const productId of new Set(sale.lines.map((l) => l.productId))) {
      const t = nextPriceChangeAt(env.priceIndex, productId, ctx);
      if (t !== null && t < next) next = t;
    }
    for (const p of this.deps.config().promotions.promotions) {
      if (p.validFrom !== null && p.validFrom > env.at && p.validFrom < next) next = p.validFrom;
      if (p.validTo !== null && p.validTo > env.at && p.validTo < next) next = p.validTo;
    }
    if (next === Infinity) return;
    const delay = Math.min(Math.max(next - this.deps.services.now().getTime(), 0), MAX_TIMER_MS);
    this.priceTimer = setTimeout(() => {
      this.priceTimer = undefined;
      this.reprice();
    }, delay);
  }

  // ------------------------------------------------------------------------------------------
  // The sale's lifecycle

  /** The open sale, opening a new one when there is none; null (with a message) when none can be. */
  private openSaleForEdit(): Sale | null {
    const { sale } = this.state;
    if (sale?.state === 'open') return sale;
    if (sale?.state === 'tendering') {
      this.say('warning', msg('sale:notices.finishPayment'));
      return null;
    }
    const actor = this.actor();
    if (actor === null) {
      this.say('warning', msg('sale:notices.signInFirst'));
      return null;
    }
    const config = this.deps.config();
    try {
      const opened = openSale({
        saleId: this.deps.services.newId(),
        storeId: config.storeId,
        deviceId: this.deps.deviceId,
        shiftId: this.deps.shiftId,
        currency: config.currency,
        openedAt: this.deps.services.now().toISOString(),
        cashier: actor,
        config: config.saleConfig,
      });
      this.set({
        sale: opened,
        priced: null,
        pricingProblem: null,
        selectedLineId: null,
        lastAddedLineId: null,
        completion: null,
        payment: null,
        stock: new Map(),
      });
      return opened;
    } catch (error) {
      this.sayError(error);
      return null;
    }
  }

  /** Clears the completed (or parked, voided) sale from the screen; the next scan opens a new one. */
  newSale(): void {
    this.deps.prices.retainOnly(new Set());
    this.set({
      sale: null,
      priced: null,
      pricingProblem: null,
      selectedLineId: null,
      pendingQuantity: null,
      prompt: null,
      lastAddedLineId: null,
      stock: new Map(),
      payment: null,
      completing: false,
      completion: null,
    });
    this.reprice();
  }

  /** Puts an unfinished sale from the carts collection back on the screen (after a restart, or resumed). */
  async load(sale: Sale): Promise<void> {
    await Promise.all(
      [...new Set(sale.lines.map((l) => l.productId))].map((id) => this.deps.prices.ensure(id)),
    );
    this.set({
      sale,
      selectedLineId: sale.lines[sale.lines.length - 1]?.lineId ?? null,
      lastAddedLineId: null,
      completion: null,
      payment: null,
      prompt: null,
    });
    this.reprice();
    void this.refreshStock(sale.lines.map((l) => l.productId));
  }

  // ------------------------------------------------------------------------------------------
  // Approvals

  private async roleOf(staffId: string): Promise<Role | null> {
    const doc = await this.deps.services.db.staff.findOne(staffId).exec();
    return doc === null ? null : doc.role;
  }

  /**
   * Applies `op` to the current open sale; when the role lacks a permission, asks for a manager's
   * approval and applies it again with the approval. Returns the new sale, or null when refused.
   */
  private async apply(
    reasonKey: string,
    op: (sale: Sale, ctx: ActionContext) => Sale,
    options: {
      readonly lineId?: string;
      readonly context?: MessageParams;
      readonly states?: readonly Sale['state'][];
      /** Handles a refusal itself (returns true) instead of showing it. */
      readonly onRefusal?: (error: unknown) => boolean;
    } = {},
  ): Promise<Sale | null> {
    const actor = this.actor();
    const current = this.state.sale;
    if (actor === null || current === null || !(options.states ?? ['open']).includes(current.state)) {
      if (current?.state === 'tendering') this.say('warning', msg('sale:notices.finishPayment'));
      return null;
    }
    const refuse = (error: unknown): null => {
      if (options.onRefusal?.(error) !== true) this.sayError(error, options.context);
      return null;
    };
    try {
      return op(current, this.context(actor));
    } catch (error) {
      if (!isDomainError(error) || error.code !== 'permission_denied') return refuse(error);
      const permission = error.params.permission as Permission;
      const record = await this.deps.services.requestApproval({
        permission,
        reason: this.deps.translate(reasonKey, options.context),
        ...(options.lineId === undefined ? {} : { lineId: options.lineId }),
      });
      if (record === null) {
        this.say('info', msg('sale:notices.approvalCancelled'));
        return null;
      }
      const approverRole = await this.roleOf(record.approvedBy);
      const latest = this.state.sale;
      if (approverRole === null || latest === null) {
        this.say('error', msg('sale:errors.approval_invalid'));
        return null;
      }
      try {
        return op(latest, { ...this.context(actor), approval: { record, approverRole } });
      } catch (retryError) {
        return refuse(retryError);
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Scanning and adding

  /** A barcode from a scanner (keyboard wedge or the hardware scanner event) or keyed in. */
  scan(raw: string): Promise<void> {
    return this.run(() => this.scanNow(raw));
  }

  private async scanNow(raw: string): Promise<void> {
    if (this.state.completion !== null) this.newSale();
    if (this.state.prompt !== null) {
      this.say('warning', msg('sale:notices.answerFirst'));
      return;
    }
    if (this.state.sale?.state === 'tendering') {
      this.say('warning', msg('sale:notices.finishPayment'));
      return;
    }
    const config = this.deps.config();
    let scan: ScanResult;
    try {
      scan = interpretScan(raw, config.scanConfig);
    } catch (error) {
      this.sayError(error, { barcode: raw.trim() });
      return;
    }
    const busy = setTimeout(() => {
      this.set({ busy: true });
    }, BUSY_AFTER_MS);
    try {
      const key = scan.lookupKey;
      let product = key === undefined ? null : await this.deps.catalog.findByBarcode(key);
      if (product === null && scan.type === 'gtin' && scan.alternateKey !== undefined) {
        product = await this.deps.catalog.findByBarcode(scan.alternateKey);
      }
      if (product === null && scan.raw !== key) {
        // A catalog that stored the code as printed rather than as its lookup key still rings.
        product = await this.deps.catalog.findByBarcode(scan.raw);
      }
      if (product === null) {
        if (scan.type === 'internal' && config.promotions.byCoupon.has(scan.code.trim().toUpperCase())) {
          this.addCouponNow(scan.code);
          return;
        }
        this.say('error', msg('sale:errors.unknown_product', { barcode: scan.raw }), [
          {
            labelKey: 'sale:actions.searchInstead',
            run: () => {
              this.hooks.openSearch('');
            },
          },
        ]);
        return;
      }
      const options: { -readonly [K in keyof AddOptions]: AddOptions[K] } = {};
      if (key !== undefined) options.barcode = key;
      if (scan.type === 'variable-measure') {
        const { measure } = scan;
        if (measure.kind === 'price') options.embeddedPrice = measure.value;
        else if (measure.kind === 'weight') options.weight = measure.value;
        else options.quantity = measure.value;
      } else if (scan.type === 'gs1' && scan.gs1.netWeightKg !== undefined && product.unit === 'kg') {
        options.weight = rescale(scan.gs1.netWeightKg, 3, 'half-up');
      }
      await this.addNow(product, options);
    } finally {
      clearTimeout(busy);
      if (this.state.busy) this.set({ busy: false });
    }
  }

  /** Adds a product picked in the search, or scanned; resolves whether it is on the sale. */
  add(product: Product, options: AddOptions = {}): Promise<boolean> {
    return this.run(() => this.addNow(product, options));
  }

  private async addNow(product: Product, input: AddOptions): Promise<boolean> {
    if (this.state.completion !== null) this.newSale();
    const name = product.name;
    if (!product.active || !product.sellable) {
      this.say('error', msg('sale:errors.product_not_sellable', { name }));
      return false;
    }
    const sale = this.openSaleForEdit();
    if (sale === null) return false;
    let { weight, quantity } = input;
    const measured = product.unit !== 'each' && input.embeddedPrice === undefined;
    if (measured && weight === undefined) {
      const read = await this.weigh(product);
      if (read === null) return false;
      weight = read;
    }
    const pending = this.state.pendingQuantity;
    if (!measured && quantity === undefined && pending !== null) quantity = pending;
    if (pending !== null) this.set({ pendingQuantity: null });

    await this.deps.prices.ensure(product.id);
    const lineId = this.deps.services.newId();
    const before = this.state.sale?.lines.length ?? 0;
    const next = await this.apply(
      input.priceOverride === undefined ? 'sale:reasons.addItem' : 'sale:reasons.priceOverride',
      (current, ctx) =>
        addLine(
          current,
          this.env(),
          {
            lineId,
            product,
            ...(quantity === undefined || measured ? {} : { quantity }),
            ...(weight === undefined || !measured ? {} : { weight }),
            ...(input.embeddedPrice === undefined ? {} : { embeddedPrice: input.embeddedPrice }),
            ...(input.barcode === undefined ? {} : { barcode: input.barcode }),
            ...(input.ageConfirmed === true ? { ageConfirmed: true } : {}),
            ...(input.priceOverride === undefined ? {} : { priceOverride: input.priceOverride }),
          },
          ctx,
        ),
      {
        lineId,
        context: { name, max: formatQuantity(sale.config.maxQuantity, this.deps.config().locale) },
        onRefusal: (error) => {
          if (isDomainError(error) && error.code === 'no_price' && input.priceOverride === undefined) {
            // The way on for an item HQ has not priced: sell it at a price keyed in (approved).
            this.say('error', msg('sale:errors.no_price_add', { name }), [
              {
                labelKey: 'sale:actions.enterPrice',
                run: () => {
                  this.hooks.enterPrice(product, { ...input, ...(weight === undefined ? {} : { weight }) });
                },
              },
            ]);
            return true;
          }
          // Refused for age: ask the cashier to check the customer's age instead of showing an error.
          if (!isDomainError(error) || error.code !== 'age_restricted') return false;
          this.set({
            notice: null,
            prompt: {
              kind: 'age',
              product,
              minimumAge: product.minimumAge ?? 0,
              confirm: () => {
                this.set({ prompt: null });
                void this.add(product, {
                  ...input,
                  ...(weight === undefined ? {} : { weight }),
                  ...(quantity === undefined ? {} : { quantity }),
                  ageConfirmed: true,
                });
              },
            },
          });
          return true;
        },
      },
    );
    if (next === null) return false;
    const merged = next.lines.length === before;
    const added = merged ? next.lines[next.lines.length - 1] : next.lines.find((l) => l.lineId === lineId);
    this.commit(next, {
      selectedLineId: added?.lineId ?? null,
      lastAddedLineId: added?.lineId ?? null,
      notice: null,
    });
    void this.refreshStock([product.id]);
    return true;
  }

  /** Waits for a stable weight from the scale, in the product's unit; null (with a message) when none comes. */
  private async weigh(product: Product): Promise<number | null> {
    const { attempts, intervalMs } = this.deps.scale ?? { attempts: 10, intervalMs: 300 };
    this.say('info', msg('sale:notices.weighing', { name: product.name }));
    for (let attempt = 0; attempt < attempts; attempt++) {
      const result = await this.deps.services.desktop
        .tryCall('hardware.readScale', undefined)
        .catch((error: unknown) => ({
          ok: false as const,
          error: { message: error instanceof Error ? error.message : String(error) },
        }));
      if (!result.ok) {
        this.say(
          'error',
          msg('sale:errors.scale_unavailable', { name: product.name, detail: result.error.message }),
        );
        return null;
      }
      const reading = result.value;
      if (reading.isStable && reading.weight > 0) {
        const weight = weightIn(reading, product.unit);
        if (weight === null || weight <= 0) {
          this.say('error', msg('sale:errors.not_weighable', { name: product.name }));
          return null;
        }
        this.set({ notice: null });
        return weight;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    this.say('warning', msg('sale:errors.weight_unstable', { name: product.name }), [
      {
        labelKey: 'sale:actions.weighAgain',
        run: () => {
          void this.add(product);
        },
      },
    ]);
    return null;
  }

  confirmPrompt(): void {
    this.state.prompt?.confirm();
  }

  cancelPrompt(): void {
    if (this.state.prompt !== null)
      this.set({ prompt: null, notice: notice('info', msg('sale:notices.itemNotAdded')) });
  }

  /** "3 ×": the next item added gets this quantity (pieces). */
  setPendingQuantity(quantity: number | null): void {
    this.set({ pendingQuantity: quantity });
  }

  private async refreshStock(productIds: readonly string[]): Promise<void> {
    try {
      const levels = await this.deps.catalog.stockOf(productIds);
      const stock = new Map(this.state.stock);
      for (const [id, onHand] of levels) stock.set(id, onHand);
      this.set({ stock });
    } catch {
      // Stock is informative; the sale goes on without it.
    }
  }

  // ------------------------------------------------------------------------------------------
  // Lines

  selectLine(lineId: string | null): void {
    this.set({ selectedLineId: lineId });
  }

  /** Moves the selection up (−1) or down (+1) the lines. */
  moveSelection(delta: number): void {
    const lines = this.state.sale?.lines ?? [];
    if (lines.length === 0) return;
    const index = lines.findIndex((l) => l.lineId === this.state.selectedLineId);
    const from = index < 0 ? lines.length : index;
    const next = lines[Math.min(Math.max(from + delta, 0), lines.length - 1)];
    this.set({ selectedLineId: next?.lineId ?? null });
  }

  private lineName(lineId: string): string {
    return this.state.sale?.lines.find((l) => l.lineId === lineId)?.name ?? '';
  }

  /** Sets the pieces on a line (thousandths); fewer pieces than before is a partial void. */
  setQuantity(lineId: string, quantity: number): Promise<boolean> {
    return this.run(async () => {
      const name = this.lineName(lineId);
      const next = await this.apply(
        'sale:reasons.reduceQuantity',
        (sale, ctx) => setQuantity(sale, this.env(), lineId, quantity, ctx),
        {
          lineId,
          context: {
            name,
            max: formatQuantity(this.state.sale?.config.maxQuantity ?? 0, this.deps.config().locale),
          },
        },
      );
      if (next === null) return false;
      this.commit(next, { notice: null });
      return true;
    });
  }

  /** + / − on the keypad: one piece more or less; taking the last piece off voids the line. */
  async changeQuantityBy(lineId: string, deltaPieces: number): Promise<void> {
    const line = this.state.sale?.lines.find((l) => l.lineId === lineId);
    if (line === undefined) return;
    if (line.unit !== 'each') {
      this.say('warning', msg('sale:errors.weighed_line', { name: line.name }));
      return;
    }
    const quantity = line.quantity + deltaPieces * QUANTITY_SCALE;
    if (quantity <= 0) await this.voidLine(lineId);
    else await this.setQuantity(lineId, quantity);
  }

  /** Weighs a weighed line again. */
  reweigh(lineId: string): Promise<void> {
    return this.run(async () => {
      const line = this.state.sale?.lines.find((l) => l.lineId === lineId);
      if (line === undefined) return;
      if (line.unit === 'each') {
        this.say('warning', msg('sale:errors.not_weighable', { name: line.name }));
        return;
      }
      const product = await this.deps.catalog.findById(line.productId);
      if (product === null) return;
      const weight = await this.weigh(product);
      if (weight === null) return;
      const next = await this.apply(
        'sale:reasons.reweigh',
        (sale, ctx) => setWeight(sale, this.env(), lineId, weight, ctx),
        {
          lineId,
          context: { name: line.name },
        },
      );
      if (next !== null) this.commit(next);
    });
  }

  voidLine(lineId: string): Promise<boolean> {
    return this.run(async () => {
      const name = this.lineName(lineId);
      const lines = this.state.sale?.lines ?? [];
      const index = lines.findIndex((l) => l.lineId === lineId);
      const next = await this.apply(
        'sale:reasons.voidLine',
        (sale, ctx) => voidLine(sale, this.env(), lineId, ctx),
        {
          lineId,
          context: { name },
        },
      );
      if (next === null) return false;
      const neighbour = next.lines[Math.min(index, next.lines.length - 1)];
      this.commit(next, {
        selectedLineId: neighbour?.lineId ?? null,
        notice: notice('info', msg('sale:notices.lineVoided', { name })),
      });
      return true;
    });
  }

  setLineDiscount(lineId: string, discount: ManualDiscount | null): Promise<boolean> {
    return this.run(async () => {
      const name = this.lineName(lineId);
      const next = await this.apply(
        'sale:reasons.lineDiscount',
        (sale, ctx) => setLineDiscount(sale, this.env(), lineId, discount, ctx),
        { lineId, context: { name } },
      );
      if (next === null) return false;
      this.commit(next, { notice: null });
      return true;
    });
  }

  setOrderDiscount(discount: ManualDiscount | null): Promise<boolean> {
    return this.run(async () => {
      const next = await this.apply('sale:reasons.orderDiscount', (sale, ctx) =>
        setOrderDiscount(sale, this.env(), discount, ctx),
      );
      if (next === null) return false;
      this.commit(next, { notice: null });
      return true;
    });
  }

  overridePrice(lineId: string, unitPrice: number | null): Promise<boolean> {
    return this.run(async () => {
      const name = this.lineName(lineId);
      const next = await this.apply(
        'sale:reasons.priceOverride',
        (sale, ctx) => overridePrice(sale, lineId, unitPrice, ctx),
        { lineId, context: { name, price: unitPrice === null ? '' : this.money(unitPrice) } },
      );
      if (next === null) return false;
      this.commit(next, { notice: null });
      return true;
    });
  }

  addCoupon(code: string): Promise<void> {
    return this.run(() => {
      this.addCouponNow(code);
    });
  }

  private addCouponNow(code: string): void {
    const sale = this.openSaleForEdit();
    if (sale === null) return;
    try {
      const next = addCoupon(sale, code);
      this.commit(next);
      const unknown = this.state.priced?.unknownCoupons.some(
        (c) => c.toUpperCase() === code.trim().toUpperCase(),
      );
      this.say(
        unknown === true ? 'warning' : 'success',
        msg(unknown === true ? 'sale:notices.couponUnknown' : 'sale:notices.couponAdded', {
          code: code.trim(),
        }),
      );
    } catch (error) {
      this.sayError(error, { code });
    }
  }

  /** Attaches the customer (their groups select prices and promotions), or removes them with null. */
  setCustomer(customer: CustomerDoc | null): Promise<void> {
    return this.run(() => {
      const sale = customer === null ? this.state.sale : this.openSaleForEdit();
      if (sale === null) return;
      if (sale.state !== 'open') {
        this.say('warning', msg('sale:notices.finishPayment'));
        return;
      }
      try {
        const next =
          customer === null
            ? detachCustomer(sale)
            : attachCustomer(sale, {
                customerId: customer.id,
                groupIds: customer.customerGroupIds,
                ...(customer.taxExemption === undefined ? {} : { taxExemption: customer.taxExemption }),
              });
        this.commit(next);
      } catch (error) {
        this.sayError(error);
      }
    });
  }

  // ------------------------------------------------------------------------------------------
  // Park, resume, void

  park(): Promise<boolean> {
    return this.run(async () => {
      const sale = this.state.sale;
      if (sale?.state !== 'open' || sale.lines.length === 0) {
        this.say('warning', msg('sale:errors.empty_sale'));
        return false;
      }
      try {
        const parked = parkSale(sale, { at: this.deps.services.now().toISOString() });
        await this.deps.carts.save(parked);
        this.newSale();
        this.say('success', msg('sale:notices.parked', { count: parked.lines.length }));
        return true;
      } catch (error) {
        this.sayError(error);
        return false;
      }
    });
  }

  resume(saleId: string): Promise<boolean> {
    return this.run(async () => {
      const current = this.state.sale;
      if (
        current !== null &&
        (current.state === 'tendering' || (current.state === 'open' && current.lines.length > 0))
      ) {
        this.say('warning', msg('sale:notices.parkCurrentFirst'));
        return false;
      }
      try {
        const stored = await this.deps.carts.load(saleId, this.deps.config().saleConfig);
        if (stored === null) {
          this.say('error', msg('sale:errors.parkedGone'));
          return false;
        }
        if (current !== null && current.state === 'open') await this.deps.carts.remove(current.saleId);
        const resumed = resumeSale(stored);
        await this.load(resumed);
        void this.deps.carts.save(resumed);
        this.say('success', msg('sale:notices.resumed', { count: resumed.lines.length }));
        return true;
      } catch (error) {
        this.sayError(error);
        return false;
      }
    });
  }

  /** Abandons the whole sale (permission `sale.void`); impossible once a payment was taken. */
  voidSale(): Promise<boolean> {
    return this.run(async () => {
      const next = await this.apply('sale:reasons.voidSale', (sale, ctx) => voidSale(sale, ctx), {
        states: ['open', 'tendering'],
      });
      if (next === null) return false;
      await this.deps.carts.save(next);
      this.newSale();
      this.say('info', msg('sale:notices.saleVoided'));
      return true;
    });
  }

  close(): void {
    this.closed = true;
    if (this.priceTimer !== undefined) clearTimeout(this.priceTimer);
    this.unsubscribePrices();
  }
}
