/**
 * Holds on gift cards and store credit: when the cashier tenders an account, the till asks head office
 * to hold that amount for the sale (the card is authorised at tender time), and the sale's push captures
 * it when head office books the debit. Head office decides under the account's lock, so two tills
 * spending one card at the same moment cannot both take more than it holds.
 *
 * This is the only way the till takes these payments, and there is no offline fallback: a balance read
 * (or remembered) here could be spent by another till meanwhile, so without an answer the payment is
 * refused. A hold whose answer was lost may exist; the tender controller reuses its id when the cashier
 * tries again and releases it when the sale is abandoned, and head office lets it expire anyway.
 */
import { looksLikeTrackData } from '@pos/app';
import type { AccountHoldAnswer, AccountHoldRequest, AccountType } from '../db/sync-client.ts';

/** What the holds need of the sync client. */
export interface AccountHoldSource {
  placeAccountHold(
    type: AccountType,
    reference: string,
    request: AccountHoldRequest,
    signal?: AbortSignal,
  ): Promise<AccountHoldAnswer>;
  releaseAccountHold(holdId: string, signal?: AbortSignal): Promise<void>;
}

export type HoldResult =
  | { readonly kind: 'held' }
  /** What the account can pay now, in the store's currency (0 for an unknown or foreign account). */
  | { readonly kind: 'refused'; readonly available: number }
  /** No answer from head office: the hold may or may not exist. */
  | { readonly kind: 'unavailable' };

export interface AccountHolds {
  place(
    type: AccountType,
    reference: string,
    hold: { readonly holdId: string; readonly saleId: string; readonly amount: number },
  ): Promise<HoldResult>;
  /** Best effort: never throws; a hold not released expires on the server. */
  release(holdId: string): Promise<void>;
}

/** How long a cashier waits for head office before the payment is refused as unverifiable. */
export const HOLD_TIMEOUT_MS = 5000;

export interface ServerHoldsOptions {
  readonly source: AccountHoldSource;
  /** The store's currency now: an account kept in another currency pays nothing here. */
  readonly currency: () => string;
  readonly timeoutMs?: number;
}

class TimedOut extends Error {}

/** Runs `call` bounded by `timeoutMs` (a token refresh before the request included). */
async function bounded<T>(timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new TimedOut());
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(abort.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function serverAccountHolds(options: ServerHoldsOptions): AccountHolds {
  const timeoutMs = options.timeoutMs ?? HOLD_TIMEOUT_MS;
  return {
    async place(type, reference, hold) {
      const key = reference.trim();
      // Nothing worth asking about; a swiped bank card's track data in particular never leaves the till.
      if (key === '' || looksLikeTrackData(key)) return { kind: 'refused', available: 0 };
      const currency = options.currency();
      try {
        const answer = await bounded(timeoutMs, (signal) =>
          options.source.placeAccountHold(type, key, { ...hold, currency }, signal),
        );
        switch (answer.kind) {
          case 'held':
            return { kind: 'held' };
          case 'not-found':
            return { kind: 'refused', available: 0 };
          case 'refused':
            return { kind: 'refused', available: answer.currency === currency ? answer.available : 0 };
        }
      } catch {
        return { kind: 'unavailable' };
      }
    },
    async release(holdId) {
      await bounded(timeoutMs, (signal) => options.source.releaseAccountHold(holdId, signal)).catch(
        () => undefined,
      );
    },
  };
}
