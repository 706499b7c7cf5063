/**
 * Keeps the customer-facing display in step with the counter: what the customer sees is derived from
 * the sale store (lines as priced by the domain, totals, the amount still due while paying, change
 * and thanks once the sale is durable) and published as a whole state (customer-display/).
 */
import { amountDue } from '@pos/app';
import type { AppliedDiscount, SaleEnvironment } from '@pos/app';
import type {
  CustomerDisplayLine,
  CustomerDisplayPublisher,
  CustomerDisplayState,
} from '../customer-display/index.ts';
import { formatMoney, formatQuantity } from '../i18n/format.ts';
import type { SaleState } from '../sale/sale-store.ts';
import { paymentInFlight } from '../sale/sale-store.ts';
import type { StoreConfig } from '../sale/store-config.ts';
import { afterNextFrame } from './after-next-frame.ts';
import type { TillRuntime } from './runtime.ts';

export interface DisplayContext {
  readonly config: StoreConfig;
  readonly env: SaleEnvironment;
  /** The till's language for the display's words (the store's locale formats the figures). */
  readonly locale: string;
  readonly customerName?: string;
  /** "kg", "lb" … in the display's language. */
  readonly unitName: (unit: string) => string;
  /** A line discount's text in the display's language (promotions are recorded in English). */
  readonly discountText?: (discount: Pick<AppliedDiscount, 'source' | 'description'>) => string;
}

export function displayStateOf(state: SaleState, context: DisplayContext): CustomerDisplayState {
  const { config } = context;
  const base = { locale: context.locale, currency: config.currency };
  const money = (amount: number): string => formatMoney(amount, config.currency, config.locale);
  const { completion, sale, priced } = state;
  if (completion !== null) {
    const { record } = completion;
    return {
      kind: 'complete',
      ...base,
      total: record.total,
      paid: record.tenders.reduce((sum, t) => sum + t.amount, 0) + record.change,
      change: record.change,
    };
  }
  if (sale === null || sale.lines.length === 0 || (sale.state !== 'open' && sale.state !== 'tendering')) {
    return { kind: 'idle', locale: context.locale, storeName: config.storeName };
  }
  if (sale.state === 'tendering') {
    const due = amountDue(sale, context.env);
    return {
      kind: 'paying',
      ...base,
      total: due.total,
      paid: due.paid,
      remaining: due.remaining,
      ...(paymentInFlight(state.payment) ? { waitingForCard: true } : {}),
    };
  }
  const byId = new Map((priced?.lines ?? []).map((l) => [l.lineId, l]));
  const lines: CustomerDisplayLine[] = sale.lines.map((line) => {
    const p = byId.get(line.lineId);
    const lineDiscounts = p?.discounts.filter((d) => d.scope === 'line') ?? [];
    const amount = p === undefined ? 0 : p.gross - lineDiscounts.reduce((s, d) => s + d.amount, 0);
    const quantity =
      line.unit === 'each'
        ? line.quantity === 1000 || p === undefined
          ? ''
          : `${formatQuantity(line.quantity, config.locale)} × ${money(p.unitPrice)}`
        : `${formatQuantity(line.quantity, config.locale)} ${context.unitName(line.unit)}${p === undefined ? '' : ` × ${money(p.unitPrice)}/${context.unitName(line.unit)}`}`;
    const first = lineDiscounts[0];
    const label = first === undefined ? undefined : (context.discountText?.(first) ?? first.description);
    return {
      lineId: line.lineId,
      name: line.name,
      quantity,
      amount,
      ...(label === undefined ? {} : { discountLabel: label }),
    };
  });
  return {
    kind: 'sale',
    ...base,
    lines,
    subtotal: priced?.subtotal ?? 0,
    discounts: priced?.discount ?? 0,
    tax: priced?.tax ?? 0,
    taxIncluded: priced?.pricesIncludeTax ?? config.settings.tax.pricesIncludeTax,
    total: priced?.total ?? 0,
    ...(context.customerName === undefined ? {} : { customerName: context.customerName }),
  };
}

/**
 * Publishes the display state whenever the sale changes; returns the stop. A scan changes the sale
 * store several times in one go (busy, the new line, its pricing, busy again, the stock), so the
 * changes are gathered and published once, after the cashier's screen has shown them: building the
 * display's lines (money, quantities and promotion texts of every line) is not on the scan's way to
 * the screen. `schedule` decides when a gathered publish runs (tests pass one that runs at once).
 */
export function connectCustomerDisplay(
  runtime: TillRuntime,
  publisher: Pick<CustomerDisplayPublisher, 'publish'>,
  options: Pick<DisplayContext, 'locale' | 'unitName' | 'discountText'>,
  schedule: (task: () => void) => void = afterNextFrame,
): () => void {
  let last = '';
  let pending = false;
  let stopped = false;
  const publishNow = (): void => {
    pending = false;
    if (stopped) return;
    const state = runtime.saleStore.getState();
    const customer = runtime.ui.getState().customer;
    const next = displayStateOf(state, {
      config: runtime.config(),
      env: runtime.sale.env(),
      locale: options.locale,
      unitName: options.unitName,
      ...(options.discountText === undefined ? {} : { discountText: options.discountText }),
      ...(customer !== null && customer.id === state.sale?.customer?.customerId
        ? { customerName: customer.displayName }
        : {}),
    });
    // Most store changes (selection, notices) change nothing the customer sees.
    const serialized = JSON.stringify(next);
    if (serialized === last) return;
    last = serialized;
    publisher.publish(next);
  };
  const publish = (): void => {
    if (pending) return;
    pending = true;
    schedule(publishNow);
  };
  const unsubscribeSale = runtime.saleStore.subscribe(publish);
  const unsubscribeUi = runtime.ui.subscribe(publish);
  publishNow();
  return () => {
    stopped = true;
    unsubscribeSale();
    unsubscribeUi();
  };
}
