/**
 * Screen state that is not the sale: which dialog is open, what is typed in the scan/search field,
 * and the customer shown for the sale (the sale itself holds only the customer's id and groups).
 */
import type { CustomerDoc, Product } from '@pos/app';
import type { AddOptions } from '../sale/sale-controller.ts';
import { createStore, type StoreApi } from 'zustand/vanilla';

export type KeypadPurpose =
  'quantity' | 'lineDiscount' | 'orderDiscount' | 'price' | 'newItemPrice' | 'cash' | 'card' | 'coupon';

export type Dialog =
  | {
      readonly kind: 'keypad';
      readonly purpose: KeypadPurpose;
      readonly lineId?: string;
      /** The item to add at the price keyed in ('newItemPrice'). */
      readonly item?: { readonly product: Product; readonly options: AddOptions };
    }
  | { readonly kind: 'account'; readonly type: 'gift_card' | 'store_credit' }
  | { readonly kind: 'parked' }
  | { readonly kind: 'receipts' }
  | { readonly kind: 'customer' }
  | { readonly kind: 'confirmVoidSale' }
  | { readonly kind: 'help' };

export interface UiState {
  readonly dialog: Dialog | null;
  /** The scan/search field's text. */
  readonly query: string;
  /** Bumped to ask the scan field to take the focus again. */
  readonly focusRequest: number;
  /** The customer attached to the sale, for display. */
  readonly customer: CustomerDoc | null;
}

export type UiStore = StoreApi<UiState>;

export function createUiStore(): UiStore {
  return createStore<UiState>()(() => ({ dialog: null, query: '', focusRequest: 0, customer: null }));
}

export function openDialog(store: UiStore, dialog: Dialog): void {
  store.setState({ dialog });
}

export function closeDialog(store: UiStore): void {
  store.setState((state) => ({ dialog: null, focusRequest: state.focusRequest + 1 }));
}

export function focusScanField(store: UiStore): void {
  store.setState((state) => ({ focusRequest: state.focusRequest + 1 }));
}
