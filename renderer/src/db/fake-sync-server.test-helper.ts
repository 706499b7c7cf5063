/**
 * An in-memory stand-in for the sync server, speaking the protocol's HTTP shapes through a `fetch`
 * function, for the renderer's own tests (the real server is exercised in tests/integration). It keeps
 * only what the till can observe: documents per collection behind a sequence checkpoint, events
 * deduplicated by id with the contiguous device sequence, quarantine receipts, the live stream, and
 * gift-card / store-credit balances.
 */
import { customersEqual } from './customer-merge.ts';
import type { FetchLike } from './sync-client.ts';

type Doc = Record<string, unknown>;

export const FAKE_EPOCH = 'E1';

interface Stored {
  readonly seq: number;
  readonly doc: Doc;
}

export class FakeSyncServer {
  private seq = 0;
  private readonly feeds = new Map<string, Stored[]>();
  private readonly streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  private readonly encoder = new TextEncoder();
  /** Events by id, as the server stored them. */
  readonly events = new Map<string, Doc>();
  /** Requests per "METHOD path". */
  readonly hits = new Map<string, number>();
  /** The next N event pushes are committed, then answered 503 (the response is lost). */
  failPushesAfterCommit = 0;
  /** The next N requests of any kind fail as if the network were down. */
  networkDown = 0;
  accessTokenLifetimeMs = 15 * 60_000;
  /** Answer the next event push with a stored event the till did not send (the deviceSeq-reuse answer). */
  returnForeignEvent = false;
  /** The next N requests carrying an access token are answered 401 (a token the server no longer takes). */
  unauthorizedNext = 0;
  /** Gift-card and store-credit accounts by `type/reference`, as head office holds them. */
  readonly accounts = new Map<string, { readonly balance: number; readonly currency: string }>();
  /** Holds on those accounts by hold id; a released one stays, marked, as on the server. */
  readonly holds = new Map<
    string,
    { readonly account: string; readonly amount: number; readonly saleId: string; released: boolean }
  >();
  /** The next N hold requests are kept, then answered as a lost response (network failure). */
  loseHoldAnswers = 0;
  private tokens = 0;

  setAccount(type: string, reference: string, balance: number, currency = 'EUR'): void {
    this.accounts.set(`${type}/${reference}`, { balance, currency });
  }

  /** The current document `id` of a collection, as the server holds it. */
  get(collection: string, id: string): Doc | undefined {
    return this.feeds.get(collection)?.find((s) => s.doc.id === id)?.doc;
  }

  put(collection: string, doc: Doc): void {
    const feed = this.feeds.get(collection) ?? [];
    const id = doc.id;
    const kept = feed.filter((s) => s.doc.id !== id);
    kept.push({ seq: ++this.seq, doc: { ...doc, _deleted: doc._deleted === true } });
    this.feeds.set(collection, kept);
  }

  poke(collections: readonly string[]): void {
    this.send(`event: poke\ndata: ${JSON.stringify({ collections, scope: 'global' })}\n\n`);
  }

  /** Ends every open stream, as a restarting server would. */
  dropStreams(): void {
    for (const controller of this.streams) {
      try {
        controller.close();
      } catch {
        // already closed
      }
    }
    this.streams.clear();
  }

  /** Power failure: the events above `keepUpTo` are gone. */
  loseEventsAbove(keepUpTo: number): void {
    for (const [id, doc] of this.events) if (Number(doc.deviceSeq) > keepUpTo) this.events.delete(id);
  }

  get contiguousDeviceSeq(): number {
    const seqs = new Set([...this.events.values()].map((d) => Number(d.deviceSeq)));
    let n = 0;
    while (seqs.has(n + 1)) n++;
    return n;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  private send(text: string): void {
    for (const controller of this.streams) controller.enqueue(this.encoder.encode(text));
  }

  private json(status: number, body: unknown): Response {
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }

  /** What an account may pay: its balance less its holds not released (the fake's holds never expire). */
  available(type: string, reference: string): number {
    const account = `${type}/${reference}`;
    let held = 0;
    for (const h of this.holds.values()) if (h.account === account && !h.released) held += h.amount;
    return (this.accounts.get(account)?.balance ?? 0) - held;
  }

  private hold(method: string, path: string, body: unknown): Response {
    const parts = path.slice('/accounts/'.length).split('/').map(decodeURIComponent);
    if (method === 'DELETE' && parts.length === 2 && parts[0] === 'holds') {
      const hold = this.holds.get(parts[1] ?? '');
      if (hold === undefined) return this.json(404, { error: 'not_found', message: 'no such hold' });
      hold.released = true;
      return this.json(200, { holdId: parts[1], state: 'released' });
    }
    const [type, reference, tail] = parts;
    const request = body as { holdId: string; saleId: string; amount: number; currency: string };
    if (
      method !== 'POST' ||
      parts.length !== 3 ||
      tail !== 'holds' ||
      type === undefined ||
      reference === undefined
    )
      return this.json(404, { error: 'Not Found', message: `Route ${method}:${path} not found` });
    const account = this.accounts.get(`${type}/${reference}`);
    if (account === undefined)
      return this.json(404, { error: 'not_found', message: `no such ${type} account` });
    const answer = (available: number) => ({
      holdId: request.holdId,
      amount: request.amount,
      currency: request.currency,
      available,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    if (request.currency !== account.currency)
      return this.json(409, {
        error: 'currency_mismatch',
        message: `the account is kept in ${account.currency}`,
      });
    const existing = this.holds.get(request.holdId);
    if (existing !== undefined) return this.json(200, answer(this.available(type, reference)));
    const available = this.available(type, reference);
    if (request.amount > available)
      return this.json(409, {
        error: 'insufficient_balance',
        message: 'not enough',
        available: Math.max(available, 0),
        currency: account.currency,
      });
    this.holds.set(request.holdId, {
      account: `${type}/${reference}`,
      amount: request.amount,
      saleId: request.saleId,
      released: false,
    });
    return this.json(201, answer(available - request.amount));
  }

  readonly fetch: FetchLike = (url, init) => {
    const u = new URL(url);
    const path = u.pathname.replace(/^\/api\/sync\/v1/, '');
    const method = init.method ?? 'GET';
    const key = `${method} ${path.startsWith('/pull/') ? '/pull' : path.startsWith('/accounts/') ? '/accounts' : path}`;
    this.hits.set(key, (this.hits.get(key) ?? 0) + 1);
    if (this.networkDown > 0) {
      this.networkDown--;
      return Promise.reject(new TypeError('fetch failed'));
    }
    const headers = init.headers as Record<string, string>;
    if (headers['x-pos-protocol'] !== '1')
      return Promise.resolve(this.json(426, { error: 'upgrade_required' }));
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    if (this.unauthorizedNext > 0 && !path.startsWith('/auth/')) {
      this.unauthorizedNext--;
      return Promise.resolve(
        this.json(401, { error: 'unauthorized', message: 'invalid or expired access token' }),
      );
    }

    if (key === 'POST /auth/token') {
      const now = Date.now();
      return Promise.resolve(
        this.json(200, {
          accessToken: `t${++this.tokens}`,
          tokenType: 'Bearer',
          expiresAt: new Date(now + this.accessTokenLifetimeMs).toISOString(),
          deviceId: 'D1',
          storeId: 'S01',
          scope: 'till',
          serverEpoch: FAKE_EPOCH,
          serverTime: new Date(now).toISOString(),
        }),
      );
    }
    if (key === 'GET /device/state') {
      const seqs = [...this.events.values()].map((d) => Number(d.deviceSeq));
      return Promise.resolve(
        this.json(200, {
          serverEpoch: FAKE_EPOCH,
          deviceId: 'D1',
          storeId: 'S01',
          lastDeviceSeq: seqs.length === 0 ? 0 : Math.max(...seqs),
          contiguousDeviceSeq: this.contiguousDeviceSeq,
          minClientVersion: '0.1.0',
          serverTime: new Date().toISOString(),
        }),
      );
    }
    if (key === 'GET /pull') {
      const collection = path.slice('/pull/'.length);
      const after = u.searchParams.get('epoch') === FAKE_EPOCH ? Number(u.searchParams.get('seq')) : 0;
      const limit = Number(u.searchParams.get('limit') ?? 100);
      const rows = (this.feeds.get(collection) ?? [])
        .filter((s) => s.seq > after)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit);
      const last = rows.at(-1);
      return Promise.resolve(
        this.json(200, {
          documents: rows.map((r) => r.doc),
          checkpoint: { epoch: FAKE_EPOCH, txid: '1', seq: last?.seq ?? after },
        }),
      );
    }
    if (key === 'POST /push/events') {
      const rows = (body as { rows: { newDocumentState: Doc }[] }).rows;
      if (rows.length > 100) return Promise.resolve(this.json(413, { error: 'too_many_rows' }));
      const receipts: Doc[] = [];
      for (const { newDocumentState: doc } of rows) {
        const id = String(doc.eventId);
        const content = { ...doc };
        delete content.serverStatus;
        delete content.serverReason;
        delete content._deleted;
        if (!this.events.has(id)) this.events.set(id, content);
        const bad = (doc.payload as Doc | undefined)?.bad === true;
        if (bad && doc.serverStatus !== 'quarantined') {
          receipts.push({
            ...doc,
            _deleted: false,
            serverStatus: 'quarantined',
            serverReason: 'payload: bad',
          });
        }
      }
      if (this.returnForeignEvent) {
        this.returnForeignEvent = false;
        receipts.push({ eventId: '01900000-0000-7000-8000-ffffffffffff', deviceSeq: 1, _deleted: false });
      }
      if (this.failPushesAfterCommit > 0) {
        this.failPushesAfterCommit--;
        return Promise.resolve(this.json(503, { error: 'unavailable', message: 'temporary server failure' }));
      }
      return Promise.resolve(this.json(200, receipts));
    }
    if (key === 'POST /push/customers') {
      const rows = (body as { rows: { assumedMasterState?: Doc; newDocumentState: Doc }[] }).rows;
      const conflicts: Doc[] = [];
      for (const { assumedMasterState, newDocumentState } of rows) {
        const master = this.get('customers', String(newDocumentState.id));
        if (
          master !== undefined &&
          (assumedMasterState === undefined || !customersEqual(assumedMasterState, master))
        ) {
          conflicts.push(master);
          continue;
        }
        // Like the real server: loyalty stays the server's whatever the till sent.
        this.put('customers', { ...newDocumentState, loyaltyPoints: master?.loyaltyPoints ?? 0 });
      }
      return Promise.resolve(this.json(200, conflicts));
    }
    if (key === 'POST /accounts' || key === 'DELETE /accounts') {
      const answer = this.hold(method, path, body);
      if (key === 'POST /accounts' && this.loseHoldAnswers > 0) {
        this.loseHoldAnswers--;
        return Promise.reject(new TypeError('fetch failed'));
      }
      return Promise.resolve(answer);
    }
    if (key === 'GET /accounts') {
      // As the server routes it: exactly two segments, each decoded.
      const parts = path.slice('/accounts/'.length).split('/').map(decodeURIComponent);
      const [type, reference] = parts;
      if (parts.length !== 2 || type === undefined || reference === undefined)
        return Promise.resolve(
          this.json(404, { error: 'Not Found', message: `Route GET:${path} not found` }),
        );
      const account = this.accounts.get(`${type}/${reference}`);
      if (account === undefined)
        return Promise.resolve(this.json(404, { error: 'not_found', message: `no such ${type} account` }));
      return Promise.resolve(this.json(200, { type, reference, ...account }));
    }
    if (key === 'GET /stream') {
      const signal = init.signal;
      let self: ReadableStreamDefaultController<Uint8Array> | undefined;
      const stream = new ReadableStream<Uint8Array>({
        start: (controller) => {
          self = controller;
          this.streams.add(controller);
          controller.enqueue(
            this.encoder.encode(`retry: 1\n\nevent: hello\ndata: {"serverEpoch":"${FAKE_EPOCH}"}\n\n`),
          );
        },
        cancel: () => {
          if (self) this.streams.delete(self);
        },
      });
      signal?.addEventListener('abort', () => {
        if (self === undefined) return;
        this.streams.delete(self);
        try {
          self.close();
        } catch {
          // already closed
        }
      });
      return Promise.resolve(
        new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
      );
    }
    return Promise.resolve(this.json(404, { error: 'not_found', message: key }));
  };
}
