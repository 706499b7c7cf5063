/**
 * Where the till learns what a gift card or store-credit account may pay: head office's ledger, asked
 * over the sync protocol at the moment the cashier takes the payment. There is no local copy: a balance
 * read from one could be spent twice, by this till offline and by another till meanwhile. So without an
 * answer from head office (offline, unreachable, too slow, refusing this till) the lookup answers null,
 * and the tender controller refuses the payment saying that a connection to head office is needed.
 */
import { looksLikeTrackData } from '@pos/app';
import type { AccountBalance, AccountType } from '../db/sync-client.ts';
import type { AccountHoldSource } from './account-holds.ts';
import type { AccountBalanceLookup } from './tender-controller.ts';

/**
 * What the lookup needs of the sync client; the holds the tender takes (account-holds.ts) come from the
 * same client, so the runtime gets both from the one source it is given.
 */
export interface AccountBalanceSource extends AccountHoldSource {
  accountBalance(type: AccountType, reference: string, signal?: AbortSignal): Promise<AccountBalance | null>;
}

/** How long a cashier waits for head office before the payment is refused as unverifiable. */
export const BALANCE_TIMEOUT_MS = 5000;

export interface ServerBalanceOptions {
  readonly source: AccountBalanceSource;
  /** The store's currency now: an account kept in another currency pays nothing here. */
  readonly currency: () => string;
  readonly timeoutMs?: number;
}

class TimedOut extends Error {}

export function serverBalanceLookup(options: ServerBalanceOptions): AccountBalanceLookup {
  const timeoutMs = options.timeoutMs ?? BALANCE_TIMEOUT_MS;
  return async (type, reference) => {
    const key = reference.trim();
    // Nothing worth asking about; the sale's own rules then say what is wrong. A swiped bank card's
    // track data in particular never leaves the till.
    if (key === '' || looksLikeTrackData(key)) return 0;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The whole lookup is bounded, a token refresh before the request included.
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new TimedOut());
      }, timeoutMs);
    });
    try {
      const account = await Promise.race([options.source.accountBalance(type, key, abort.signal), timeout]);
      // Head office knows no such account: there is nothing on it.
      if (account === null) return 0;
      if (account.currency !== options.currency()) return 0;
      return account.balance;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
}
