/**
 * Every command of the till screen, registered once in the action registry (actions.ts). Function
 * keys follow the order of the buttons on screen; the same key serves different actions by mode
 * (F12: Pay on the sale, Exact cash on the payment panel, New sale once complete), resolved by each
 * action's `enabled` rule.
 *
 *   F1 help · F2 search · F3 customer · F4 quantity · F5 line discount · F6 price · F7 order discount
 *   F8 void line (Shift+F8 void sale) · F9 park · F10 parked sales · F11 receipts · F12 pay
 *   Payment: F12 exact cash · F10 card · F7 gift card · F8 store credit · Esc back to the sale
 *   Num + / Num − one more / less of the selected line · ↑ ↓ choose a line · Enter pay · Esc cancel
 */
import { amountDue } from '@pos/app';
import type { ActionDef } from './actions.ts';
import type { ActionState, TillRuntime } from './runtime.ts';
import { closeDialog, focusScanField, openDialog } from './ui-store.ts';
import { paymentInFlight, saleMode } from '../sale/sale-store.ts';
import { signOut } from '../staff/index.ts';

type Def = ActionDef<ActionState>;

const signedIn = (s: ActionState): boolean => s.session.session !== null && !s.session.locked;
const noDialog = (s: ActionState): boolean => s.ui.dialog === null && s.sale.prompt === null;
const selling = (s: ActionState): boolean => signedIn(s) && noDialog(s) && saleMode(s.sale) === 'sale';
const tendering = (s: ActionState): boolean =>
  signedIn(s) &&
  noDialog(s) &&
  saleMode(s.sale) === 'tender' &&
  !paymentInFlight(s.sale.payment) &&
  !s.sale.completing;
const complete = (s: ActionState): boolean => signedIn(s) && noDialog(s) && saleMode(s.sale) === 'complete';
const hasLines = (s: ActionState): boolean => s.sale.sale?.state === 'open' && s.sale.sale.lines.length > 0;

function selectedLine(s: ActionState): { readonly lineId: string; readonly unit: string } | null {
  const sale = s.sale.sale;
  if (sale?.state !== 'open') return null;
  const line = sale.lines.find((l) => l.lineId === s.sale.selectedLineId);
  return line === undefined ? null : { lineId: line.lineId, unit: line.unit };
}

export function tillActions(runtime: TillRuntime): Def[] {
  const { sale, tender, flow, ui } = runtime;
  const state = (): ActionState => runtime.actionState();
  const selectedId = (): string => selectedLine(state())?.lineId ?? '';

  const cancel = (): void => {
    const s = state();
    if (s.ui.dialog !== null) {
      closeDialog(ui);
      return;
    }
    if (s.sale.prompt !== null) {
      sale.cancelPrompt();
      return;
    }
    if (paymentInFlight(s.sale.payment)) {
      void tender.cancelCard();
      return;
    }
    switch (saleMode(s.sale)) {
      case 'complete':
        sale.newSale();
        break;
      case 'tender':
        void tender.back();
        break;
      case 'sale':
        if (s.ui.query !== '') ui.setState({ query: '' });
        else if (s.sale.pendingQuantity !== null) sale.setPendingQuantity(null);
        else sale.dismissNotice();
        break;
    }
    focusScanField(ui);
  };

  return [
    // Payment complete.
    {
      id: 'newSale',
      labelKey: 'checkout:actions.newSale',
      shortcuts: [{ key: 'F12', inFields: true }, { key: 'Enter' }],
      enabled: complete,
      run: () => {
        sale.newSale();
        focusScanField(ui);
      },
    },
    {
      id: 'printReceipt',
      labelKey: 'receipt:actions.print',
      shortcuts: [{ key: 'F11', inFields: true }],
      enabled: complete,
      run: () => flow.printReceipt(),
    },
    // Payment panel.
    {
      id: 'exactCash',
      labelKey: 'tender:actions.exactCash',
      shortcuts: [{ key: 'F12', inFields: true }],
      enabled: tendering,
      run: () => {
        const current = state().sale.sale;
        if (current === null) return;
        return tender.cash(amountDue(current, sale.env()).cashDue);
      },
    },
    {
      id: 'cashAmount',
      labelKey: 'tender:actions.otherCash',
      shortcuts: [],
      enabled: tendering,
      run: () => {
        openDialog(ui, { kind: 'keypad', purpose: 'cash' });
      },
    },
    {
      id: 'card',
      labelKey: 'tender:actions.card',
      shortcuts: [{ key: 'F10', inFields: true }],
      enabled: tendering,
      run: () => tender.card(),
    },
    {
      id: 'cardAmount',
      labelKey: 'tender:actions.cardPart',
      shortcuts: [],
      enabled: tendering,
      run: () => {
        openDialog(ui, { kind: 'keypad', purpose: 'card' });
      },
    },
    {
      id: 'giftCard',
      labelKey: 'tender:actions.giftCard',
      shortcuts: [{ key: 'F7', inFields: true }],
      enabled: tendering,
      run: () => {
        openDialog(ui, { kind: 'account', type: 'gift_card' });
      },
    },
    {
      id: 'storeCredit',
      labelKey: 'tender:actions.storeCredit',
      shortcuts: [{ key: 'F8', inFields: true }],
      enabled: tendering,
      run: () => {
        openDialog(ui, { kind: 'account', type: 'store_credit' });
      },
    },
    {
      id: 'backToSale',
      labelKey: 'tender:actions.back',
      shortcuts: [],
      enabled: (s) => tendering(s) && (s.sale.sale?.tenders.length ?? 0) === 0,
      run: () => tender.back(),
    },
    // The sale.
    {
      id: 'pay',
      labelKey: 'sale:actions.pay',
      shortcuts: [{ key: 'F12', inFields: true }, { key: 'Enter' }],
      enabled: (s) => selling(s) && hasLines(s) && s.sale.pricingProblem === null && !s.sale.busy,
      run: () => tender.start(),
    },
    {
      id: 'search',
      labelKey: 'sale:actions.search',
      shortcuts: [{ key: 'F2', inFields: true }],
      enabled: selling,
      run: () => {
        focusScanField(ui);
      },
    },
    {
      id: 'customer',
      labelKey: 'sale:actions.customer',
      shortcuts: [{ key: 'F3', inFields: true }],
      enabled: selling,
      run: () => {
        openDialog(ui, { kind: 'customer' });
      },
    },
    {
      id: 'quantity',
      labelKey: 'sale:actions.quantity',
      shortcuts: [{ key: 'F4', inFields: true }],
      enabled: (s) => selling(s) && selectedLine(s) !== null,
      run: () => {
        const line = selectedLine(state());
        if (line === null) return;
        if (line.unit === 'each')
          openDialog(ui, { kind: 'keypad', purpose: 'quantity', lineId: line.lineId });
        else void sale.reweigh(line.lineId);
      },
    },
    {
      id: 'lineDiscount',
      labelKey: 'sale:actions.lineDiscount',
      shortcuts: [{ key: 'F5', inFields: true }],
      enabled: (s) => selling(s) && selectedLine(s) !== null,
      run: () => {
        openDialog(ui, { kind: 'keypad', purpose: 'lineDiscount', lineId: selectedId() });
      },
    },
    {
      id: 'priceOverride',
      labelKey: 'sale:actions.priceOverride',
      shortcuts: [{ key: 'F6', inFields: true }],
      enabled: (s) => selling(s) && selectedLine(s) !== null,
      run: () => {
        openDialog(ui, { kind: 'keypad', purpose: 'price', lineId: selectedId() });
      },
    },
    {
      id: 'orderDiscount',
      labelKey: 'sale:actions.orderDiscount',
      shortcuts: [{ key: 'F7', inFields: true }],
      enabled: (s) => selling(s) && hasLines(s),
      run: () => {
        openDialog(ui, { kind: 'keypad', purpose: 'orderDiscount' });
      },
    },
    {
      id: 'voidLine',
      labelKey: 'sale:actions.voidLine',
      shortcuts: [{ key: 'F8', inFields: true }, { key: 'Delete' }],
      enabled: (s) => selling(s) && selectedLine(s) !== null,
      run: () => sale.voidLine(selectedId()),
    },
    {
      id: 'voidSale',
      labelKey: 'sale:actions.voidSale',
      shortcuts: [{ key: 'F8', shift: true, inFields: true }],
      enabled: (s) =>
        signedIn(s) &&
        noDialog(s) &&
        (hasLines(s) || (saleMode(s.sale) === 'tender' && (s.sale.sale?.tenders.length ?? 0) === 0)),
      run: () => {
        openDialog(ui, { kind: 'confirmVoidSale' });
      },
    },
    {
      id: 'park',
      labelKey: 'sale:actions.park',
      shortcuts: [{ key: 'F9', inFields: true }],
      enabled: (s) => selling(s) && hasLines(s),
      run: () => sale.park(),
    },
    {
      id: 'resume',
      labelKey: 'sale:actions.resume',
      shortcuts: [{ key: 'F10', inFields: true }],
      enabled: (s) => selling(s) && !hasLines(s),
      run: () => {
        openDialog(ui, { kind: 'parked' });
      },
    },
    {
      id: 'receipts',
      labelKey: 'receipt:actions.receipts',
      shortcuts: [{ key: 'F11', inFields: true }],
      enabled: (s) => selling(s) && !hasLines(s),
      run: () => {
        openDialog(ui, { kind: 'receipts' });
      },
    },
    {
      id: 'coupon',
      labelKey: 'sale:actions.coupon',
      shortcuts: [],
      enabled: selling,
      run: () => {
        openDialog(ui, { kind: 'keypad', purpose: 'coupon' });
      },
    },
    {
      id: 'quantityUp',
      labelKey: 'sale:actions.quantityUp',
      shortcuts: [{ code: 'NumpadAdd', inFields: true }],
      enabled: (s) => selling(s) && selectedLine(s)?.unit === 'each' && s.ui.query === '',
      run: () => sale.changeQuantityBy(selectedId(), 1),
    },
    {
      id: 'quantityDown',
      labelKey: 'sale:actions.quantityDown',
      shortcuts: [{ code: 'NumpadSubtract', inFields: true }],
      enabled: (s) => selling(s) && selectedLine(s)?.unit === 'each' && s.ui.query === '',
      run: () => sale.changeQuantityBy(selectedId(), -1),
    },
    {
      id: 'selectPrevious',
      labelKey: 'sale:actions.selectPrevious',
      shortcuts: [{ key: 'ArrowUp' }],
      enabled: (s) => selling(s) && hasLines(s),
      run: () => {
        sale.moveSelection(-1);
      },
    },
    {
      id: 'selectNext',
      labelKey: 'sale:actions.selectNext',
      shortcuts: [{ key: 'ArrowDown' }],
      enabled: (s) => selling(s) && hasLines(s),
      run: () => {
        sale.moveSelection(1);
      },
    },
    {
      id: 'help',
      labelKey: 'common:actions.help',
      shortcuts: [{ key: 'F1', inFields: true }],
      enabled: (s) => signedIn(s) && s.ui.dialog === null,
      run: () => {
        openDialog(ui, { kind: 'help' });
      },
    },
    {
      id: 'lock',
      labelKey: 'common:actions.lock',
      shortcuts: [{ key: 'l', ctrl: true, inFields: true }],
      enabled: (s) => signedIn(s) && !paymentInFlight(s.sale.payment) && !s.sale.completing,
      run: () => {
        closeDialog(ui);
        runtime.services.session.getState().lock();
      },
    },
    {
      id: 'signOut',
      labelKey: 'common:actions.signOut',
      shortcuts: [],
      enabled: (s) => signedIn(s) && noDialog(s) && !hasLines(s) && saleMode(s.sale) !== 'tender',
      run: async () => {
        sale.newSale();
        await signOut(runtime.services.desktop, runtime.services.session);
      },
    },
    {
      id: 'cancel',
      labelKey: 'common:actions.cancel',
      shortcuts: [{ key: 'Escape', inFields: true }],
      enabled: (s) => signedIn(s) && s.ui.dialog === null,
      run: cancel,
    },
  ];
}

/** Registers the till's actions; returns the removal. */
export function registerTillActions(runtime: TillRuntime): () => void {
  return runtime.actions.registerAll(tillActions(runtime));
}
