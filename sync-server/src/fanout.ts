/**
 * Fan-out of feed notifications to this instance's SSE clients. The database triggers NOTIFY
 * `pos_feed` with `{c: collection, s: store id | 'global'}` at commit; each subscriber whose scope
 * matches gets a poke, merged over a short window so a batch of 5,000 price rows is one poke. A lost
 * LISTEN connection (PostgreSQL) pokes everyone for every collection: what was sent meanwhile is gone.
 */
import type { DbAdapter } from './db/adapter.ts';
import { PULL_COLLECTIONS, TABLE_COLLECTION } from './collections.ts';
import type { PullCollection } from './collections.ts';

export const FEED_CHANNEL = 'pos_feed';

export interface Poke {
  readonly collections: readonly PullCollection[];
  /** 'global', or `store:<id>` for store-scoped rows. */
  readonly scope: string;
}

export interface Subscriber {
  readonly storeId: string;
  readonly send: (poke: Poke) => void;
}

interface Pending {
  readonly collections: Set<PullCollection>;
  readonly scopes: Set<string>;
  timer: NodeJS.Timeout;
}

export class Fanout {
  private readonly subscribers = new Set<Subscriber>();
  private readonly pending = new Map<Subscriber, Pending>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly mergeWindowMs = 50) {}

  async attach(db: DbAdapter): Promise<void> {
    this.unlisten = await db.listen(
      FEED_CHANNEL,
      (payload) => {
        this.onNotify(payload);
      },
      () => {
        this.pokeAll();
      },
    );
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
      const p = this.pending.get(subscriber);
      if (p !== undefined) clearTimeout(p.timer);
      this.pending.delete(subscriber);
    };
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Every client, every collection: after a LISTEN reconnect. */
  pokeAll(): void {
    for (const s of this.subscribers) this.queue(s, PULL_COLLECTIONS, 'global');
  }

  private onNotify(payload: string): void {
    let c: unknown;
    let st: unknown;
    try {
      const parsed: unknown = JSON.parse(payload);
      if (typeof parsed !== 'object' || parsed === null) return;
      ({ c, s: st } = parsed as { c?: unknown; s?: unknown });
    } catch {
      return;
    }
    if (typeof c !== 'string' || typeof st !== 'string') return;
    const collection = TABLE_COLLECTION[c];
    if (collection === undefined) return;
    const scope = st === 'global' ? 'global' : `store:${st}`;
    for (const s of this.subscribers) {
      if (st === 'global' || st === s.storeId) this.queue(s, [collection], scope);
    }
  }

  private queue(subscriber: Subscriber, collections: readonly PullCollection[], scope: string): void {
    const existing = this.pending.get(subscriber);
    if (existing !== undefined) {
      for (const c of collections) existing.collections.add(c);
      existing.scopes.add(scope);
      return;
    }
    const pending: Pending = {
      collections: new Set(collections),
      scopes: new Set([scope]),
      timer: setTimeout(() => {
        this.pending.delete(subscriber);
        const [only, ...others] = pending.scopes;
        subscriber.send({
          collections: [...pending.collections].sort(),
          // Global and store rows merged into one poke: the store scope covers both for this client.
          scope: only !== undefined && others.length === 0 ? only : `store:${subscriber.storeId}`,
        });
      }, this.mergeWindowMs),
    };
    this.pending.set(subscriber, pending);
  }

  async close(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.subscribers.clear();
    await this.unlisten?.();
  }
}
