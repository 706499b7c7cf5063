/**
 * Wires the document's keyboard and the hardware scanners to the till: wedge scans and
 * `hardware.scanned` go to the sale (or, while a staff screen or dialog is up, only to the staff
 * screens through the wedge scan bus), keys that are not scans go to the action registry, and
 * typing with no field focused lands in the scan field.
 */
import { looksLikeSwipe as looksLikeStaffSwipe } from '../staff/index.ts';
import { msg } from '../sale/messages.ts';
import { attachKeyboard } from './keyboard.ts';
import type { KeyboardOptions } from './keyboard.ts';
import type { TillRuntime } from './runtime.ts';
import { focusScanField } from './ui-store.ts';

/** Buttons and options answer Enter and Space themselves; shortcuts on those keys must not fire too. */
function isInteractive(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  return target.closest('button, a[href], select, [role="button"], [role="option"], [role="radio"]') !== null;
}

/** True while a modal dialog (the till's or the staff screens') is open: it handles its own keys. */
function modalOpen(doc: Document): boolean {
  return doc.querySelector('[aria-modal="true"]') !== null;
}

/** Whether the sale may take a scan now: someone is signed in, the till is unlocked, no dialog is up. */
export function saleTakesScans(runtime: TillRuntime, doc: Document): boolean {
  const session = runtime.services.session.getState();
  return session.session !== null && !session.locked && !modalOpen(doc);
}

export interface TillInputOptions {
  readonly doc: Document;
  readonly wedge?: KeyboardOptions['wedge'];
}

export function attachTillInput(runtime: TillRuntime, options: TillInputOptions): () => void {
  const { doc } = options;
  const toSale = (text: string): void => {
    // A staff card swiped at the sale screen is not an item (the staff screens take it when shown).
    if (looksLikeStaffSwipe(text) || !saleTakesScans(runtime, doc)) return;
    void runtime.sale.scan(text);
  };
  const detach = attachKeyboard({
    doc,
    ...(options.wedge === undefined ? {} : { wedge: options.wedge }),
    onScan: (text) => {
      runtime.wedgeScans.emit(text);
      toSale(text);
    },
    onRejection: () => {
      if (saleTakesScans(runtime, doc)) runtime.sale.say('warning', msg('sale:errors.partial_scan'));
    },
    onKey: (event, inField) => {
      if (modalOpen(doc)) return false;
      const action = runtime.actions.match(event, inField || isInteractive(event.target));
      if (action === null) return false;
      runtime.actions.dispatch(action.id);
      return true;
    },
    onType: (text) => {
      if (!saleTakesScans(runtime, doc)) return;
      runtime.ui.setState((state) => ({ query: state.query + text }));
      focusScanField(runtime.ui);
    },
  });
  let unsubscribeScanner: () => void = () => undefined;
  try {
    unsubscribeScanner = runtime.services.desktop.on('hardware.scanned', (scan) => {
      toSale(scan.data);
    });
  } catch {
    // No bridge events (a plain browser): the keyboard wedge still works.
  }
  return () => {
    detach();
    unsubscribeScanner();
  };
}
