/**
 * The till's working parts, built once per signed-in store and shared through React context: the
 * catalog reads, the price cache, the cart copy, the sale / tender / checkout controllers, the
 * screen's UI store, the action registry and the scan bus. Built outside React so that the sale logic
 * can be tested without rendering, and so that nothing is re-created by a re-render.
 */
import type { RequestApproval, SessionState, TillServices } from './till-context.tsx';
import { ActionRegistry } from './actions.ts';
import { ScanBus } from './keyboard.ts';
import { createUiStore, focusScanField, openDialog } from './ui-store.ts';
import type { UiState, UiStore } from './ui-store.ts';
import { Checkout } from '../checkout/checkout.ts';
import { CheckoutFlow } from '../checkout/checkout-flow.ts';
import { ReceiptNumbers, tillCodeFor } from '../checkout/receipt-number.ts';
import { CartStore } from '../sale/cart-store.ts';
import { Catalog } from '../sale/catalog.ts';
import type { MessageParams } from '../sale/messages.ts';
import { PriceCache } from '../sale/price-cache.ts';
import { SaleController } from '../sale/sale-controller.ts';
import { createSaleStore } from '../sale/sale-store.ts';
import type { SaleState, SaleStore } from '../sale/sale-store.ts';
import type { StoreConfig } from '../sale/store-config.ts';
import { serverAccountHolds } from '../tender/account-holds.ts';
import type { AccountHolds, AccountHoldSource } from '../tender/account-holds.ts';
import { TenderController } from '../tender/tender-controller.ts';

/** What every action's `enabled` rule looks at. */
export interface ActionState {
  readonly sale: SaleState;
  readonly ui: UiState;
  readonly session: SessionState;
}

export interface RuntimeOptions {
  readonly services: TillServices;
  readonly config: StoreConfig;
  /** The device id events and sales carry (settings.syncDeviceId, or the journal's before enrolment). */
  readonly deviceId: string;
  readonly shiftId: string;
  readonly translate: (key: string, params?: MessageParams) => string;
  /** Settles when the outbox was refilled from the journal (checkouts wait for it). */
  readonly outboxRestored: Promise<unknown>;
  /** Holds on gift cards and store credit; default: placed through `accounts`, in the store's currency. */
  readonly holds?: AccountHolds;
  /** Head office's accounts (the sync client of an enrolled till); without it they cannot be held. */
  readonly accounts?: AccountHoldSource;
  readonly scale?: { readonly attempts: number; readonly intervalMs: number };
  readonly paymentPollMs?: number;
  /** The wedge scan bus, when the caller shares it with screens outside the runtime. */
  readonly wedgeScans?: ScanBus;
}

export interface TillRuntime {
  readonly services: TillServices;
  readonly catalog: Catalog;
  readonly prices: PriceCache;
  readonly carts: CartStore;
  readonly saleStore: SaleStore;
  readonly ui: UiStore;
  readonly sale: SaleController;
  readonly tender: TenderController;
  readonly checkout: Checkout;
  readonly flow: CheckoutFlow;
  readonly actions: ActionRegistry<ActionState>;
  /** Completed keyboard-wedge scans (the staff screens' `ScanSource`). */
  readonly wedgeScans: ScanBus;
  readonly deviceId: string;
  config(): StoreConfig;
  updateConfig(config: StoreConfig): void;
  actionState(): ActionState;
  /** The approval function of the React tree (staff's ApprovalProvider) is plugged in here. */
  setApproval(request: RequestApproval): void;
  /** Puts an unfinished sale back on the screen after a restart. */
  resumeOpenSale(): Promise<void>;
  close(): void;
}

export function createTillRuntime(options: RuntimeOptions): TillRuntime {
  let config = options.config;
  let approval: RequestApproval = () => Promise.resolve(null);
  // The controllers hold these services; approvals go to whatever the React tree provides now.
  const services: TillServices = {
    ...options.services,
    requestApproval: (request) => approval(request),
  };
  const { db, desktop, now } = services;
  const catalog = new Catalog(db, config.storeId);
  const prices = new PriceCache(db, catalog, config.currency);
  prices.setPriceBooks(config.priceBooks, config.currency);
  const carts = new CartStore(db, now, (error) => {
    console.error('saving the open sale failed', error);
  });
  const saleStore = createSaleStore();
  const ui = createUiStore();
  const getConfig = (): StoreConfig => config;
  const sale = new SaleController({
    services,
    store: saleStore,
    catalog,
    prices,
    carts,
    config: getConfig,
    deviceId: options.deviceId,
    shiftId: options.shiftId,
    translate: options.translate,
    ...(options.scale === undefined ? {} : { scale: options.scale }),
  });
  const checkout = new Checkout({
    db,
    desktop,
    now,
    newId: services.newId,
    storeId: config.storeId,
    deviceId: options.deviceId,
    receiptNumbers: new ReceiptNumbers(desktop, () => config.receiptPrefix, tillCodeFor(options.deviceId)),
    carts,
    outboxRestored: options.outboxRestored,
  });
  const flow = new CheckoutFlow({ services, store: saleStore, sale, checkout, config: getConfig });
  const holds =
    options.holds ??
    (options.accounts === undefined
      ? undefined
      : serverAccountHolds({ source: options.accounts, currency: () => config.currency }));
  const tender = new TenderController({
    services,
    store: saleStore,
    sale,
    config: getConfig,
    onSettled: () => flow.settle(),
    ...(holds === undefined ? {} : { holds }),
    ...(options.paymentPollMs === undefined ? {} : { pollMs: options.paymentPollMs }),
  });
  const actionState = (): ActionState => ({
    sale: saleStore.getState(),
    ui: ui.getState(),
    session: services.session.getState(),
  });
  const actions = new ActionRegistry<ActionState>(actionState);
  sale.hooks = {
    openSearch: (text) => {
      ui.setState({ query: text });
      focusScanField(ui);
    },
    enterPrice: (product, addOptions) => {
      openDialog(ui, { kind: 'keypad', purpose: 'newItemPrice', item: { product, options: addOptions } });
    },
  };

  return {
    services,
    catalog,
    prices,
    carts,
    saleStore,
    ui,
    sale,
    tender,
    checkout,
    flow,
    actions,
    wedgeScans: options.wedgeScans ?? new ScanBus(),
    deviceId: options.deviceId,
    config: getConfig,
    updateConfig(next) {
      config = next;
      prices.setPriceBooks(next.priceBooks, next.currency);
      sale.reprice();
    },
    actionState,
    setApproval(request) {
      approval = request;
    },
    async resumeOpenSale() {
      const open = await carts.findOpen(config.saleConfig);
      if (open === null) return;
      if (open.state === 'tendering') {
        const done = await checkout.completedSaleFor(open.saleId).catch(() => null);
        if (done !== null) {
          // Completed before the restart: show it as done (its receipt job is idempotent by sale id).
          saleStore.setState({ sale: { ...open, state: 'completed' } });
          await flow.showCompleted(done);
          return;
        }
      }
      await sale.load(open);
      if (open.state === 'tendering') await tender.recover();
    },
    close() {
      sale.close();
      tender.close();
      flow.close();
      checkout.close();
      prices.close();
    },
  };
}
