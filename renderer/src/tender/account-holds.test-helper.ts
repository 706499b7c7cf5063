/**
 * Test support for account tenders: an in-memory head office behind the till's `AccountHolds`, deciding
 * as the sync server does (sync-server/src/account-holds.ts): an account pays its balance less the holds
 * not released; more than that is refused with what it can pay; a hold id is an idempotency key (the same
 * request again is answered as the first was, anything else under that id gets no usable answer); a
 * release frees the amount. Amounts are in the store's currency, as `serverAccountHolds` asks them.
 *
 * For the client calls and the wire, tests use FakeSyncServer with a SyncClient instead.
 */
import { expect } from 'vitest';
import type { AccountType } from '../db/sync-client.ts';
import type { AccountHolds, HoldResult } from './account-holds.ts';

export interface FakeHold {
  /** `type/reference`. */
  readonly account: string;
  readonly saleId: string;
  readonly amount: number;
  released: boolean;
}

const UNAVAILABLE: HoldResult = { kind: 'unavailable' };

export class FakeAccountHolds implements AccountHolds {
  private readonly balances = new Map<string, number>();
  /** Every hold placed, by hold id; a released one stays, marked, as on the server. */
  readonly holds = new Map<string, FakeHold>();
  /** How many times the till asked for a hold (answered or not). */
  placeCalls = 0;
  /** Head office cannot be reached: holds are answered `unavailable`, releases are lost. */
  offline = false;
  /** The next N holds are placed, but their answer is lost (`unavailable`). */
  loseAnswers = 0;

  setAccount(type: AccountType, reference: string, balance: number): this {
    this.balances.set(`${type}/${reference}`, balance);
    return this;
  }

  /** What an account may pay now: its balance less its holds not released. */
  available(type: AccountType, reference: string): number {
    const account = `${type}/${reference}`;
    let held = 0;
    for (const hold of this.holds.values())
      if (hold.account === account && !hold.released) held += hold.amount;
    return (this.balances.get(account) ?? 0) - held;
  }

  place(
    type: AccountType,
    reference: string,
    hold: { readonly holdId: string; readonly saleId: string; readonly amount: number },
  ): Promise<HoldResult> {
    this.placeCalls++;
    if (this.offline) return Promise.resolve(UNAVAILABLE);
    const account = `${type}/${reference}`;
    const existing = this.holds.get(hold.holdId);
    if (existing !== undefined) {
      const same =
        existing.account === account && existing.saleId === hold.saleId && existing.amount === hold.amount;
      // The server answers a conflict or a released hold with an error, which the till cannot read.
      return Promise.resolve(same && !existing.released ? { kind: 'held' } : UNAVAILABLE);
    }
    // An account head office does not know has nothing on it.
    if (!this.balances.has(account)) return Promise.resolve({ kind: 'refused', available: 0 });
    const available = this.available(type, reference);
    if (hold.amount > available)
      return Promise.resolve({ kind: 'refused', available: Math.max(available, 0) });
    this.holds.set(hold.holdId, { account, saleId: hold.saleId, amount: hold.amount, released: false });
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      return Promise.resolve(UNAVAILABLE);
    }
    return Promise.resolve({ kind: 'held' });
  }

  release(holdId: string): Promise<void> {
    const hold = this.holds.get(holdId);
    if (!this.offline && hold !== undefined) hold.released = true;
    return Promise.resolve();
  }
}

/**
 * What the till says when head office refuses a hold: the account's refusal, naming what it can pay
 * (`available` as formatted, e.g. "2.50"). For `toMatchObject` on the notice's message.
 */
export function holdRefusedNaming(type: AccountType, available: string): Record<string, unknown> {
  return {
    key: `tender:errors.holdRefused.${type}`,
    params: { available: expect.stringContaining(available) as unknown },
  };
}
