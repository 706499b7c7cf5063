/**
 * React access to the till runtime (runtime.ts): its stores through selectors (components re-render
 * only when what they select changes) and the action registry through `useAction`, which gives a
 * button its label, shortcut, enabled state and handler in one place.
 */
import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import type { SaleState } from '../sale/sale-store.ts';
import type { UiState } from './ui-store.ts';
import type { ActionState, TillRuntime } from './runtime.ts';

export const RuntimeContext = createContext<TillRuntime | null>(null);

export function useRuntime(): TillRuntime {
  const runtime = useContext(RuntimeContext);
  if (runtime === null) throw new Error('useRuntime() outside <RuntimeContext.Provider>');
  return runtime;
}

export function useSaleState<T>(selector: (state: SaleState) => T): T {
  return useStore(useRuntime().saleStore, selector);
}

export function useUi<T>(selector: (state: UiState) => T): T {
  return useStore(useRuntime().ui, selector);
}

export interface ActionView {
  readonly labelKey: string;
  readonly shortcut: string;
  readonly enabled: boolean;
  readonly run: () => void;
}

/** An action's label, shortcut, live enabled state and handler. */
export function useAction(id: string): ActionView {
  const runtime = useRuntime();
  const subscribe = useCallback(
    (listener: () => void) => {
      const unsubscribers = [
        runtime.saleStore.subscribe(listener),
        runtime.ui.subscribe(listener),
        runtime.services.session.subscribe(listener),
        runtime.actions.subscribe(listener),
      ];
      return () => {
        for (const unsubscribe of unsubscribers) unsubscribe();
      };
    },
    [runtime],
  );
  const enabled = useSyncExternalStore(subscribe, () => runtime.actions.isEnabled(id));
  const def = runtime.actions.get(id);
  const run = useCallback(() => {
    runtime.actions.dispatch(id);
  }, [runtime, id]);
  return {
    labelKey: def?.labelKey ?? id,
    shortcut: runtime.actions.shortcutOf(id),
    enabled,
    run,
  };
}

/** The state every action rule looks at, live. */
export function useActionState(): ActionState {
  const runtime = useRuntime();
  const sale = useStore(runtime.saleStore);
  const ui = useStore(runtime.ui);
  const session = useStore(runtime.services.session);
  return { sale, ui, session };
}
