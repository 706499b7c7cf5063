/**
 * The till's action registry: every command a cashier can give (pay, void line, park …) is a named
 * action with a label key, keyboard shortcuts, an `enabled(state)` rule and `run()`. Buttons, menus,
 * the help overlay and the keyboard all dispatch through it, so a shortcut can never do what its
 * button would refuse, and the label a button shows is the one the help lists.
 *
 * The same key may belong to several actions of different modes (F12 is "Pay" on the sale and "Exact
 * cash" on the payment panel); the first enabled action wins, in registration order.
 */

export interface Shortcut {
  /** KeyboardEvent.key ('F12', 'Enter', 'Delete'), or, with `code`, the physical key. */
  readonly key?: string;
  /** KeyboardEvent.code, for keypad keys ('NumpadAdd') that share a `key` with the main keyboard. */
  readonly code?: string;
  readonly shift?: boolean;
  readonly ctrl?: boolean;
  readonly alt?: boolean;
  /** Also fires while a text field has the focus (function keys do; Delete and Enter do not). */
  readonly inFields?: boolean;
}

export interface ActionDef<S> {
  readonly id: string;
  /** i18next key of the action's name, e.g. `sale:actions.pay`. */
  readonly labelKey: string;
  readonly shortcuts: readonly Shortcut[];
  readonly enabled: (state: S) => boolean;
  readonly run: () => unknown;
}

/** What a key event looks like to the registry (a DOM KeyboardEvent fits). */
export interface KeyLike {
  readonly key: string;
  readonly code?: string;
  readonly shiftKey?: boolean;
  readonly ctrlKey?: boolean;
  readonly altKey?: boolean;
  readonly metaKey?: boolean;
}

export function matches(shortcut: Shortcut, event: KeyLike, inField: boolean): boolean {
  if (inField && shortcut.inFields !== true) return false;
  if (shortcut.code !== undefined ? event.code !== shortcut.code : event.key !== shortcut.key) return false;
  return (
    (shortcut.shift === true) === (event.shiftKey === true) &&
    (shortcut.ctrl === true) === (event.ctrlKey === true || event.metaKey === true) &&
    (shortcut.alt === true) === (event.altKey === true)
  );
}

const KEY_NAMES: Readonly<Record<string, string>> = {
  Escape: 'Esc',
  Delete: 'Del',
  NumpadAdd: 'Num +',
  NumpadSubtract: 'Num −',
  NumpadMultiply: 'Num ×',
  ArrowUp: '↑',
  ArrowDown: '↓',
};

/** "F12", "Shift+F8", "Num +": how a shortcut is printed on a button and in the help. */
export function shortcutText(shortcut: Shortcut): string {
  const name = shortcut.code ?? shortcut.key ?? '';
  const parts: string[] = [];
  if (shortcut.ctrl === true) parts.push('Ctrl');
  if (shortcut.alt === true) parts.push('Alt');
  if (shortcut.shift === true) parts.push('Shift');
  // Letters print as on the keycap ("Ctrl+L").
  parts.push(KEY_NAMES[name] ?? (name.length === 1 ? name.toUpperCase() : name));
  return parts.join('+');
}

export class ActionRegistry<S> {
  private readonly defs = new Map<string, ActionDef<S>>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly getState: () => S) {}

  /** Adds an action (replacing one of the same id); returns its removal. */
  register(def: ActionDef<S>): () => void {
    this.defs.set(def.id, def);
    this.emit();
    return () => {
      if (this.defs.get(def.id) === def) {
        this.defs.delete(def.id);
        this.emit();
      }
    };
  }

  registerAll(defs: readonly ActionDef<S>[]): () => void {
    const removals = defs.map((def) => this.register(def));
    return () => {
      for (const remove of removals) remove();
    };
  }

  /** Called when actions are added or removed (enabled states follow the stores, not this). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  get(id: string): ActionDef<S> | undefined {
    return this.defs.get(id);
  }

  list(): ActionDef<S>[] {
    return [...this.defs.values()];
  }

  isEnabled(id: string, state: S = this.getState()): boolean {
    const def = this.defs.get(id);
    return def?.enabled(state) === true;
  }

  /** Runs the action when it is enabled; returns whether it ran. */
  dispatch(id: string): boolean {
    const def = this.defs.get(id);
    if (!def?.enabled(this.getState())) return false;
    const report = (error: unknown): void => {
      console.error(`action ${id} failed`, error);
    };
    try {
      // Synchronously, so an action that opens a dialog or moves the focus does it within the key event.
      const result = def.run();
      if (result instanceof Promise) result.catch(report);
    } catch (error) {
      report(error);
    }
    return true;
  }

  /** The enabled action a key event triggers, if any. */
  match(event: KeyLike, inField: boolean): ActionDef<S> | null {
    const state = this.getState();
    for (const def of this.defs.values()) {
      if (def.shortcuts.some((s) => matches(s, event, inField)) && def.enabled(state)) return def;
    }
    return null;
  }

  /** The first shortcut of an action, printed ("F12"), or '' when it has none. */
  shortcutOf(id: string): string {
    const first = this.defs.get(id)?.shortcuts[0];
    return first === undefined ? '' : shortcutText(first);
  }
}
