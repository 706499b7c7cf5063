/**
 * The document's keyboard: a keyboard-wedge scanner and the cashier share it. Every keydown goes
 * first (capture phase) through the wedge detector of @pos/app (input/keyboard-wedge.ts), which
 * holds printable keys back while they may be the start of a scan burst. A burst that is a scan is
 * swallowed whole and handed to `onScan`: it never lands in the focused field and never fires a
 * shortcut (scanner text leaking into search and colliding with shortcuts: JumpMind#2108,
 * itpp-labs#50). Held keys that turn out to be typing are delivered afterwards, in order: inserted
 * into the focused field (or handed to `onType` when no field has the focus), or run as a shortcut.
 * Keys that pass go to `onKey` (the action registry) and then to the browser as usual.
 */
import { KeyboardWedgeDetector } from '@pos/app';
import type { KeyboardWedgeConfig, WedgeRejection } from '@pos/app';

export interface KeyboardOptions {
  readonly doc: Document;
  readonly wedge?: Partial<KeyboardWedgeConfig>;
  readonly onScan: (text: string) => void;
  readonly onRejection?: (rejection: WedgeRejection) => void;
  /** A key that reached the till (not part of a scan): returns true when it ran an action. */
  readonly onKey: (event: KeyboardEvent, inField: boolean) => boolean;
  /** A printable key typed while no text field had the focus (the shell puts it in the scan field). */
  readonly onType?: (text: string) => void;
}

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'tel', 'email', 'password', 'url', '']);

export function isEditable(target: EventTarget | null): target is HTMLElement {
  if (target === null || typeof target !== 'object' || !('tagName' in target)) return false;
  const element = target as HTMLElement;
  if (element instanceof HTMLTextAreaElement) return !element.readOnly && !element.disabled;
  if (element instanceof HTMLInputElement) {
    return TEXT_INPUT_TYPES.has(element.type) && !element.readOnly && !element.disabled;
  }
  return element.isContentEditable;
}

/** Types `text` into a text field as if the key had reached it (React sees an ordinary input event). */
export function insertText(element: HTMLElement, text: string): void {
  if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) {
    // The till's fields are text fields (inputMode for keypads), which all have a selection.
    const start = element.selectionStart ?? element.value.length;
    const end = element.selectionEnd ?? start;
    element.setRangeText(text, start, end, 'end');
    element.dispatchEvent(new InputEvent('input', { bubbles: true, data: text, inputType: 'insertText' }));
  }
}

function isPrintable(key: string): boolean {
  const first = key.codePointAt(0);
  if (first === undefined || first < 0x20 || first === 0x7f) return false;
  return key.length === (first > 0xffff ? 2 : 1);
}

/** Listens on `doc`; returns the detach. */
export function attachKeyboard(options: KeyboardOptions): () => void {
  const { doc } = options;
  const detector = new KeyboardWedgeDetector<KeyboardEvent>(options.wedge);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Event timestamps and the timer's clock may differ in origin (jsdom uses epoch ms): track the offset.
  let offset = 0;

  const deliver = (held: readonly KeyboardEvent[]): void => {
    for (const event of held) {
      const target = doc.activeElement;
      const inField = isEditable(target);
      if (options.onKey(event, inField)) continue;
      if (!isPrintable(event.key)) continue;
      if (inField) insertText(target, event.key);
      else options.onType?.(event.key);
    }
  };

  const apply = (outcome: {
    readonly replay: readonly KeyboardEvent[];
    readonly scans: readonly string[];
    readonly rejections: readonly WedgeRejection[];
  }): void => {
    deliver(outcome.replay);
    for (const scan of outcome.scans) options.onScan(scan);
    for (const rejection of outcome.rejections) options.onRejection?.(rejection);
  };

  const arm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const deadline = detector.nextDeadline;
    if (deadline === null) return;
    const wait = Math.max(deadline - (performance.now() + offset), 0) + 1;
    timer = setTimeout(() => {
      timer = undefined;
      apply(detector.expire(performance.now() + offset));
      arm();
    }, wait);
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    offset = event.timeStamp - performance.now();
    const outcome = detector.onKey(event);
    apply(outcome);
    if (outcome.decision === 'consume') {
      event.preventDefault();
      event.stopPropagation();
    } else if (options.onKey(event, isEditable(event.target))) {
      event.preventDefault();
      event.stopPropagation();
    }
    arm();
  };

  // A scanner never touches the screen: a tap or click ends any held burst at once, so keys typed just
  // before it reach their field before the click acts (typing "2.50" and tapping Charge within the
  // 30 ms hold must charge 2.50, not an empty field).
  const onPointerDown = (): void => {
    if (detector.nextDeadline === null) return;
    apply(detector.expire(Number.POSITIVE_INFINITY));
    arm();
  };

  doc.addEventListener('keydown', onKeyDown, { capture: true });
  doc.addEventListener('pointerdown', onPointerDown, { capture: true });
  doc.addEventListener('mousedown', onPointerDown, { capture: true });
  return () => {
    doc.removeEventListener('keydown', onKeyDown, { capture: true });
    doc.removeEventListener('pointerdown', onPointerDown, { capture: true });
    doc.removeEventListener('mousedown', onPointerDown, { capture: true });
    if (timer !== undefined) clearTimeout(timer);
  };
}

/** Scans from every source (wedge and hardware scanners) to whoever listens now. */
export class ScanBus {
  private readonly listeners = new Set<(text: string) => void>();

  emit(text: string): void {
    for (const listener of [...this.listeners]) listener(text);
  }

  /** A `ScanSource` (staff/card-swipes.ts): subscribe, get the unsubscribe. */
  readonly subscribe = (listener: (text: string) => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };
}
