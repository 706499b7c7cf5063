/**
 * What the customer-facing display shows, and how the till tells it. The till publishes a complete
 * state each time something the customer sees changes (never a diff), so a display window opened or
 * reloaded mid-sale catches up from one message and a lost message is healed by the next one.
 *
 * Transport: a BroadcastChannel, which reaches every same-origin window of this browser profile: the
 * till and `customer-display.html` in Electron (both `app://pos`) and in a browser through the web
 * host. No privileged bridge is involved, so the display keeps working while the hardware service
 * restarts.
 *
 * Amounts are the domain's integer minor units; the display formats them in `locale` and `currency`
 * (i18n/format.ts). Quantity text is formatted by the till ("2 × €1.50", "0.512 kg"), which knows the
 * unit and the price.
 */
import type { Minor } from '@pos/app';

export interface CustomerDisplayLine {
  /** Stable per line, so the display can keep a line in place as the sale grows. */
  readonly lineId: string;
  readonly name: string;
  /** Preformatted by the till, e.g. "2 × €1.50" or "0.512 kg × €3.20/kg". Empty for a plain single item. */
  readonly quantity: string;
  /** What the line costs after its own discounts. */
  readonly amount: Minor;
  /** The promotion or discount applied to the line, named as on the receipt ("3 for 2"). */
  readonly discountLabel?: string;
}

interface Localised {
  /** The store's BCP 47 locale (language and number format), e.g. "en-GB", "zh-CN". */
  readonly locale: string;
}

interface Priced extends Localised {
  /** ISO 4217, e.g. "EUR". */
  readonly currency: string;
}

/** Between customers: the welcome screen. */
export interface CustomerDisplayIdle extends Localised {
  readonly kind: 'idle';
  /** The store's name on the welcome screen; absent = the product name. */
  readonly storeName?: string;
}

/** Items are being rung up. */
export interface CustomerDisplaySale extends Priced {
  readonly kind: 'sale';
  readonly lines: readonly CustomerDisplayLine[];
  readonly subtotal: Minor;
  /** Total of every discount, as a positive amount (shown as a saving). 0 = none. */
  readonly discounts: Minor;
  readonly tax: Minor;
  /** True where prices include tax (VAT), so tax is shown as "included". */
  readonly taxIncluded: boolean;
  readonly total: Minor;
  /** The signed-up customer, greeted by name; absent for an anonymous sale. */
  readonly customerName?: string;
}

/** Tendering: how much is paid and how much is left. */
export interface CustomerDisplayPaying extends Priced {
  readonly kind: 'paying';
  readonly total: Minor;
  readonly paid: Minor;
  readonly remaining: Minor;
  /** Set while the card terminal waits for the customer, to point them at it. */
  readonly waitingForCard?: boolean;
}

/** The sale is durable: change due and thanks. The display returns to `idle` by itself. */
export interface CustomerDisplayComplete extends Priced {
  readonly kind: 'complete';
  readonly total: Minor;
  readonly paid: Minor;
  readonly change: Minor;
}

export type CustomerDisplayState =
  CustomerDisplayIdle | CustomerDisplaySale | CustomerDisplayPaying | CustomerDisplayComplete;

/** The one channel name both windows open. */
export const CUSTOMER_DISPLAY_CHANNEL = 'omnitill.customer-display';

/** How long the thank-you screen stays before the display returns to the welcome screen. */
export const THANK_YOU_MS = 8000;

/** Till → display: the whole state. Display → till: `hello`, asking for the current state. */
export type CustomerDisplayMessage =
  | { readonly v: 1; readonly type: 'state'; readonly state: CustomerDisplayState }
  | { readonly v: 1; readonly type: 'hello' };

export interface CustomerDisplayPublisher {
  /** Sends the state now and remembers it for a display that says hello later. */
  publish(state: CustomerDisplayState): void;
  /** The last state published (the welcome screen before the first one). */
  readonly current: CustomerDisplayState;
  close(): void;
}

/** The minimal BroadcastChannel surface used, so tests can hand in a fake. */
export interface DisplayChannel {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

export type DisplayChannelFactory = (name: string) => DisplayChannel;

const defaultChannel: DisplayChannelFactory = (name) => new BroadcastChannel(name);

/**
 * The till's side. `publish` never throws: a display that is closed, missing or not supported by the
 * environment must never interrupt a sale.
 */
export function createCustomerDisplayPublisher(
  options: { readonly locale?: string; readonly channel?: DisplayChannelFactory } = {},
): CustomerDisplayPublisher {
  let current: CustomerDisplayState = { kind: 'idle', locale: options.locale ?? 'en' };
  let channel: DisplayChannel | null = null;
  try {
    channel = (options.channel ?? defaultChannel)(CUSTOMER_DISPLAY_CHANNEL);
  } catch {
    channel = null; // No BroadcastChannel here: publishing becomes a no-op.
  }
  const send = (state: CustomerDisplayState): void => {
    try {
      channel?.postMessage({ v: 1, type: 'state', state } satisfies CustomerDisplayMessage);
    } catch {
      // A closed channel or an unclonable value must not reach the sale.
    }
  };
  const onMessage = (event: MessageEvent): void => {
    if (isHello(event.data)) send(current);
  };
  channel?.addEventListener('message', onMessage);
  return {
    publish(state) {
      current = state;
      send(state);
    },
    get current() {
      return current;
    },
    close() {
      channel?.removeEventListener('message', onMessage);
      channel?.close();
      channel = null;
    },
  };
}

/**
 * The display's side: calls `onState` with every state the till publishes, starting with the till's
 * current one (it says hello on open). Returns the unsubscribe.
 */
export function subscribeCustomerDisplay(
  onState: (state: CustomerDisplayState) => void,
  channelFactory: DisplayChannelFactory = defaultChannel,
): () => void {
  const channel = channelFactory(CUSTOMER_DISPLAY_CHANNEL);
  const onMessage = (event: MessageEvent): void => {
    const state = stateOf(event.data);
    if (state !== null) onState(state);
  };
  channel.addEventListener('message', onMessage);
  channel.postMessage({ v: 1, type: 'hello' } satisfies CustomerDisplayMessage);
  return () => {
    channel.removeEventListener('message', onMessage);
    channel.close();
  };
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null;
}

function isHello(data: unknown): boolean {
  return isRecord(data) && data.v === 1 && data.type === 'hello';
}

const isMinor = (value: unknown): value is Minor => typeof value === 'number' && Number.isSafeInteger(value);
const isText = (value: unknown): value is string => typeof value === 'string';
const isOptionalText = (value: unknown): boolean => value === undefined || typeof value === 'string';

function isLine(value: unknown): value is CustomerDisplayLine {
  return (
    isRecord(value) &&
    isText(value.lineId) &&
    isText(value.name) &&
    isText(value.quantity) &&
    isMinor(value.amount) &&
    isOptionalText(value.discountLabel)
  );
}

/**
 * The state carried by a message, or null for anything else. Only same-origin pages can post on the
 * channel, but a page of another version (mid-update) may send a shape this one does not know: it
 * is ignored rather than rendered half.
 */
export function stateOf(data: unknown): CustomerDisplayState | null {
  if (!isRecord(data) || data.v !== 1 || data.type !== 'state' || !isRecord(data.state)) return null;
  const state = data.state;
  if (!isText(state.locale)) return null;
  switch (state.kind) {
    case 'idle':
      return isOptionalText(state.storeName) ? (state as unknown as CustomerDisplayIdle) : null;
    case 'sale':
      return isText(state.currency) &&
        Array.isArray(state.lines) &&
        state.lines.every(isLine) &&
        isMinor(state.subtotal) &&
        isMinor(state.discounts) &&
        isMinor(state.tax) &&
        typeof state.taxIncluded === 'boolean' &&
        isMinor(state.total) &&
        isOptionalText(state.customerName)
        ? (state as unknown as CustomerDisplaySale)
        : null;
    case 'paying':
      return isText(state.currency) &&
        isMinor(state.total) &&
        isMinor(state.paid) &&
        isMinor(state.remaining) &&
        (state.waitingForCard === undefined || typeof state.waitingForCard === 'boolean')
        ? (state as unknown as CustomerDisplayPaying)
        : null;
    case 'complete':
      return isText(state.currency) && isMinor(state.total) && isMinor(state.paid) && isMinor(state.change)
        ? (state as unknown as CustomerDisplayComplete)
        : null;
    default:
      return null;
  }
}
