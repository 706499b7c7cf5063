import fc from 'fast-check';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { createTillDatabase, tillStorage } from './database.ts';
import type { TillDatabase } from './database.ts';
import { FakeSyncServer } from './fake-sync-server.test-helper.ts';
import {
  countNewReceipts,
  onlyPushedDocuments,
  pushInParts,
  recordAcks,
  SYNC_STATE_DOC_ID,
  TillSync,
} from './replication.ts';
import { PayloadTooLargeError, ServerError, SyncClient } from './sync-client.ts';
import type { FetchLike, PushRow } from './sync-client.ts';

const fast = { baseMs: 10, maxMs: 40, factor: 2, jitter: 0 };
let names = 0;
const open: { db: TillDatabase; sync?: TillSync }[] = [];

async function setup(server: FakeSyncServer): Promise<{ db: TillDatabase; sync: TillSync }> {
  const db = await createTillDatabase({
    name: `till-test-${Date.now()}-${++names}`,
    indexedDb: { indexedDB, IDBKeyRange },
  });
  const client = new SyncClient({
    baseUrl: 'http://fake/api/sync/v1',
    clientVersion: '1.0.0',
    refreshToken: 'r',
    fetch: server.fetch,
  });
  const sync = new TillSync({ db, client, backoff: fast, random: () => 0 });
  open.push({ db, sync });
  return { db, sync };
}

afterEach(async () => {
  for (const { db, sync } of open.splice(0)) {
    await sync?.stop();
    await db.remove();
  }
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const price = (id: string, amount: number) => ({
  id,
  priceBookId: 'pb-base',
  productId: `prod-${id}`,
  sku: `SKU-${id}`,
  amount,
  currency: 'CHF',
  taxIncluded: true,
  validFrom: '2026-01-01T00:00:00.000Z',
  version: 1,
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const event = (seq: number, payload: Record<string, unknown> = { n: seq }) => ({
  eventId: `01900000-0000-7000-8000-${seq.toString(16).padStart(12, '0')}`,
  type: 'stock.moved',
  schemaVersion: 1,
  storeId: 'S01',
  deviceId: 'D1',
  deviceSeq: seq,
  occurredAt: '2026-11-23T10:00:00.000Z',
  payload,
});

describe('createTillDatabase', () => {
  it('opens the eight collections on Dexie with local documents', async () => {
    const db = await createTillDatabase({
      name: `till-db-${++names}`,
      indexedDb: { indexedDB, IDBKeyRange },
    });
    open.push({ db });
    expect(Object.keys(db.collections).sort()).toEqual([
      'carts',
      'config',
      'customers',
      'events',
      'prices',
      'products',
      'staff',
      'stockLevels',
    ]);
    await db.upsertLocal('x', { a: 1 });
    expect((await db.getLocal<{ a: number }>('x'))?.toJSON().data).toEqual({ a: 1 });
    await db.prices.insert(price('p1', 185));
    expect(await db.prices.count().exec()).toBe(1);
  });
});

describe('TillSync against a fake server', () => {
  it('pulls the catalog, sees a poke arrive live, and reports the status', async () => {
    const server = new FakeSyncServer();
    server.put('prices', price('p1', 185));
    server.put('prices', price('p2', 250));
    const { db, sync } = await setup(server);
    await sync.start();
    await waitFor(async () => (await db.prices.count().exec()) === 2);
    await waitFor(() => sync.stream.isConnected);

    server.put('prices', price('p2', 240));
    server.poke(['prices']);
    await waitFor(async () => (await db.prices.findOne('p2').exec())?.amount === 240);

    const status = sync.status.current;
    expect(status.phase).toBe('online');
    expect(status.online).toBe(true);
    expect(status.lastSyncedAt).not.toBeNull();
    expect(status.eventsWaiting).toBe(0);
    expect(status.errors).toEqual([]);
  });

  it('downloads the pull-only collections one after the other, staff first, in pages, and resumes after a restart', async () => {
    const server = new FakeSyncServer();
    for (let i = 1; i <= 250; i++) server.put('prices', price(`p${i}`, 100 + i));
    server.put('staff', {
      id: 'STAFF-1',
      displayName: 'Anna Keller',
      staffCode: '0412',
      cardKey: '',
      role: 'cashier',
      storeIds: ['S01'],
      active: true,
      failedPinAttempts: 0,
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const order: string[] = [];
    const fromSeq: string[] = [];
    const fetch: FetchLike = (url, init) => {
      const u = new URL(url);
      if (u.pathname.includes('/pull/')) {
        const name = u.pathname.slice(u.pathname.lastIndexOf('/') + 1);
        if (!order.includes(name)) order.push(name);
        if (name === 'prices') fromSeq.push(u.searchParams.get('seq') ?? 'start');
      }
      return server.fetch(url, init);
    };
    const db = await createTillDatabase({
      name: `till-test-${Date.now()}-${++names}`,
      indexedDb: { indexedDB, IDBKeyRange },
    });
    const client = new SyncClient({
      baseUrl: 'http://fake/api/sync/v1',
      clientVersion: '1.0.0',
      refreshToken: 'r',
      fetch,
    });
    const first = new TillSync({ db, client, backoff: fast, random: () => 0, pullBatchSize: 100 });
    open.push({ db, sync: first });
    const catalog: string[] = [];
    const watching = first.status.status$.subscribe((s) => {
      const entry = `${s.catalog.state} ${s.catalog.rows}`;
      if (catalog.at(-1) !== entry) catalog.push(entry);
    });
    await first.start();
    await first.initialPull('stockLevels');
    watching.unsubscribe();
    // The status bar's "downloading" line: rows counted as pages are written (staff 1, prices 100, 100,
    // 50), never going back, then ready.
    expect(catalog[0]).toBe('downloading 0');
    expect(catalog.slice(-2)).toEqual(['downloading 251', 'ready 251']);
    const counts = catalog.slice(0, -1).map((entry) => Number(entry.split(' ')[1]));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.length).toBeGreaterThanOrEqual(4);
    // Customers replicate both ways on RxDB's own replication, beside the pull-only loop: either may ask first.
    expect(order.filter((name) => name !== 'customers')).toEqual([
      'staff',
      'config',
      'products',
      'prices',
      'stockLevels',
    ]);
    expect(order).toContain('customers');
    expect(await db.prices.count().exec()).toBe(250);
    // Pages of 100, each requested while the one before was written: 100, 100, then 50 (short: caught up).
    expect(fromSeq).toEqual(['start', '100', '200']);
    await first.stop();

    // HQ changes one price and withdraws another while the till is off; the restart resumes from the checkpoint.
    server.put('prices', price('p7', 999));
    server.put('prices', { ...price('p8', 108), _deleted: true });
    fromSeq.length = 0;
    const second = new TillSync({ db, client, backoff: fast, random: () => 0, pullBatchSize: 100 });
    open.push({ db, sync: second });
    await second.start();
    await second.initialPull('prices');
    expect(fromSeq).toEqual(['250']);
    expect((await db.prices.findOne('p7').exec())?.amount).toBe(999);
    expect(await db.prices.findOne('p8').exec()).toBeNull();
    expect(await db.prices.count().exec()).toBe(249);
  });

  it('leaves out a document the till refuses, says so, and keeps everything else', async () => {
    const server = new FakeSyncServer();
    server.put('prices', price('p1', 185));
    server.put('prices', { ...price('p2', 250), amount: -5 });
    server.put('prices', price('p3', 300));
    const db = await createTillDatabase({
      name: `till-test-${Date.now()}-${++names}`,
      storage: wrappedValidateAjvStorage<unknown, unknown>({
        storage: tillStorage({ indexedDB, IDBKeyRange }),
      }),
    });
    const client = new SyncClient({
      baseUrl: 'http://fake/api/sync/v1',
      clientVersion: '1.0.0',
      refreshToken: 'r',
      fetch: server.fetch,
    });
    const sync = new TillSync({ db, client, backoff: fast, random: () => 0 });
    open.push({ db, sync });
    await sync.start();
    await sync.initialPull('stockLevels');
    expect((await db.prices.find().exec()).map((p) => p.id).sort()).toEqual(['p1', 'p3']);
    expect(sync.status.current.errors).toEqual([
      '1 prices document(s) from the sync server were refused by this till (e.g. p2); HQ must correct them.',
    ]);
  });

  it('pushes events exactly once although the first responses are lost, and backs off meanwhile', async () => {
    const server = new FakeSyncServer();
    server.failPushesAfterCommit = 2;
    const { db, sync } = await setup(server);
    await sync.start();
    const waits: (number | undefined)[] = [];
    const replication = sync.replication('events')!;
    // RxDB reads retryTime after emitting the error: what it sees is the wait before its next attempt.
    replication.error$.subscribe(() => waits.push(replication.retryTime));
    await db.events.bulkInsert([event(1), event(2), event(3)] as never[]);
    await waitFor(() => sync.syncBookmarks.highestAckedDeviceSeq === 3);
    expect(server.events.size).toBe(3);
    expect(server.hits.get('POST /push/events')).toBe(3);
    await waitFor(() => sync.status.current.eventsWaiting === 0);
    expect(waits).toEqual([10, 20]);
    // The success reset the wait to the base.
    expect(replication.retryTime).toBe(10);
    // The acknowledgement survives a restart: it is in the local document.
    await waitFor(
      async () =>
        (await db.getLocal<{ highestAckedDeviceSeq: number }>(SYNC_STATE_DOC_ID))?.toJSON().data
          .highestAckedDeviceSeq === 3,
    );
  });

  it('counts quarantine receipts once and adopts them locally', async () => {
    const server = new FakeSyncServer();
    const { db, sync } = await setup(server);
    await sync.start();
    await db.events.bulkInsert([event(1), event(2, { bad: true })] as never[]);
    await waitFor(
      async () => (await db.events.findOne(event(2).eventId).exec())?.serverStatus === 'quarantined',
    );
    await waitFor(() => sync.replication('events') !== undefined);
    await sync.replication('events')!.awaitInSync();
    expect(sync.status.current.quarantined).toBe(1);
    expect((await db.events.findOne(event(1).eventId).exec())?.serverStatus).toBeUndefined();
  });

  it('completes a push whose answer holds an event the till did not send', async () => {
    const server = new FakeSyncServer();
    server.returnForeignEvent = true;
    const { db, sync } = await setup(server);
    await sync.start();
    const errors: unknown[] = [];
    sync.replication('events')!.error$.subscribe((e) => errors.push(e));
    await db.events.bulkInsert([event(1), event(2)] as never[]);
    await waitFor(() => sync.syncBookmarks.highestAckedDeviceSeq === 2);
    await sync.replication('events')!.awaitInSync();
    expect(errors).toEqual([]);
    expect(server.hits.get('POST /push/events')).toBe(1);
    expect(await db.events.count().exec()).toBe(2);
  });

  it('re-pushes retained events when the server lost acknowledged ones', async () => {
    const server = new FakeSyncServer();
    const { db, sync } = await setup(server);
    await sync.start();
    await db.events.bulkInsert([1, 2, 3, 4, 5].map((n) => event(n)) as never[]);
    await waitFor(() => sync.syncBookmarks.highestAckedDeviceSeq === 5);

    server.loseEventsAbove(2);
    expect(server.contiguousDeviceSeq).toBe(2);
    const check = await sync.checkDataLoss();
    expect(check.state.contiguousDeviceSeq).toBe(2);
    expect(check.repushed).toBe(3);
    expect(server.contiguousDeviceSeq).toBe(5);
    expect(sync.status.current.recoveredFromDataLoss).toEqual({ fromDeviceSeq: 3, events: 3 });
    expect((await sync.checkDataLoss()).repushed).toBe(0);
  });

  it('runs the data-loss check again when the stream reconnects', async () => {
    const server = new FakeSyncServer();
    const { db, sync } = await setup(server);
    await sync.start();
    await db.events.bulkInsert([1, 2, 3].map((n) => event(n)) as never[]);
    await waitFor(() => sync.syncBookmarks.highestAckedDeviceSeq === 3 && sync.stream.isConnected);
    server.loseEventsAbove(0);
    server.dropStreams();
    await waitFor(() => server.contiguousDeviceSeq === 3);
    expect(sync.status.current.recoveredFromDataLoss).toEqual({ fromDeviceSeq: 1, events: 3 });
  });

  it('starts offline without blocking, shows the reason, and syncs once the network is back', async () => {
    const server = new FakeSyncServer();
    server.put('config', { id: 'c1', kind: 'x' });
    server.networkDown = 1_000_000;
    const { db, sync } = await setup(server);
    await sync.start();
    await waitFor(() => sync.status.current.errors.length > 0);
    expect(sync.status.current.errors).toContain(
      'Offline: the sync server cannot be reached. Sales are kept on this till and sent later.',
    );
    expect(sync.status.current.online).toBe(false);
    expect(sync.status.current.phase).toBe('offline');
    // Selling goes on meanwhile: the database is writable.
    await db.events.insert(event(1) as never);
    expect(sync.status.current.lastSyncedAt).toBeNull();
    server.networkDown = 0;
    await waitFor(async () => (await db.config.count().exec()) === 1);
    await waitFor(() => server.events.size === 1);
    await waitFor(() => sync.status.current.online && sync.status.current.errors.length === 0);
  });
});

describe('customers, both ways, against a fake server', () => {
  const customer = {
    id: 'C1',
    displayName: 'Ann Lee',
    firstName: 'Ann',
    lastName: 'Lee',
    nameKey: 'lee ann',
    phoneKey: '',
    emailKey: '',
    cardKey: '',
    customerGroupIds: [],
    loyaltyPoints: 100,
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-01T10:00:00.000Z',
  };

  it('merges a till edit with a concurrent server edit field by field, and both sides converge', async () => {
    const server = new FakeSyncServer();
    server.put('customers', customer);
    const { db, sync } = await setup(server);
    await sync.start();
    await waitFor(async () => (await db.customers.findOne('C1').exec()) !== null);

    // HQ changes the e-mail and the loyalty balance; the till has not pulled it (no poke) when it edits the phone.
    server.put('customers', {
      ...customer,
      email: 'ann@example.org',
      emailKey: 'ann@example.org',
      loyaltyPoints: 180,
      updatedAt: '2026-11-02T08:00:00.000Z',
    });
    const local = await db.customers.findOne('C1').exec();
    await local!.incrementalPatch({
      phone: '0161 496 0000',
      phoneKey: '01614960000',
      updatedAt: '2026-11-02T09:00:00.000Z',
    });

    const merged = {
      ...customer,
      phone: '0161 496 0000',
      phoneKey: '01614960000',
      email: 'ann@example.org',
      emailKey: 'ann@example.org',
      loyaltyPoints: 180,
      updatedAt: '2026-11-02T09:00:00.000Z',
      _deleted: false,
    };
    await waitFor(() => server.get('customers', 'C1')?.phone === '0161 496 0000');
    expect(server.get('customers', 'C1')).toEqual(merged);
    // The first push came back as a conflict; the merged document went up with the second.
    expect(server.hits.get('POST /push/customers')).toBe(2);
    await sync.replication('customers')!.awaitInSync();
    expect((await db.customers.findOne('C1').exec())!.toJSON()).toEqual(
      Object.fromEntries(Object.entries(merged).filter(([k]) => k !== '_deleted')),
    );
  });
});

describe('pushInParts', () => {
  const rows = (n: number): PushRow[] => Array.from({ length: n }, (_, i) => ({ newDocumentState: { i } }));

  it('halves a batch the server finds too large until the parts fit', async () => {
    const sizes: number[] = [];
    const result = await pushInParts(rows(10), (part) => {
      sizes.push(part.length);
      if (part.length > 3) return Promise.reject(new PayloadTooLargeError('too large'));
      return Promise.resolve(part.filter((r) => r.newDocumentState.i === 7).map(() => ({ _deleted: false })));
    });
    expect(sizes).toEqual([10, 5, 3, 2, 5, 3, 2]);
    expect(result).toEqual([{ _deleted: false }]);
  });

  it('passes other errors through and gives up on a single row that is too large', async () => {
    await expect(
      pushInParts(rows(4), () => Promise.reject(new ServerError(503, 'x'))),
    ).rejects.toBeInstanceOf(ServerError);
    await expect(
      pushInParts(rows(1), () => Promise.reject(new PayloadTooLargeError('x'))),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
  });
});

describe('onlyPushedDocuments', () => {
  it.each([
    ['keeps answers to pushed rows', ['a', 'b'], ['b'], ['b']],
    ['drops a document the till did not push', ['a'], ['a', 'z'], ['a']],
    ['nothing returned', ['a'], [], []],
  ])('%s', (_name, pushed, returned, kept) => {
    const rows = pushed.map((eventId) => ({ newDocumentState: { eventId } }));
    const docs = returned.map((eventId) => ({ eventId, _deleted: false }));
    expect(onlyPushedDocuments(rows, docs, 'eventId').map((d) => d.eventId)).toEqual(kept);
  });
});

describe('recordAcks', () => {
  it.each([
    ['in order', 0, [], [1, 2, 3], 0, 3, []],
    ['a later batch first: the mark waits at the gap', 0, [], [51, 52, 53], 0, 0, [[51, 53]]],
    ['the gap fills: the mark jumps over the waiting range', 0, [[3, 5]], [1, 2], 0, 5, []],
    [
      'touching and overlapping ranges merge',
      2,
      [[5, 6]],
      [7, 9, 8, 4, 12],
      0,
      2,
      [
        [4, 9],
        [12, 12],
      ],
    ],
    ['repeats and old seqs change nothing', 5, [[8, 9]], [1, 5, 8], 0, 5, [[8, 9]]],
    [
      "the server's contiguous sequence acknowledges below it",
      2,
      [
        [5, 6],
        [9, 9],
      ],
      [],
      7,
      7,
      [[9, 9]],
    ],
  ] as const)('%s', (_name, mark, above, seqs, upTo, expectedMark, expectedAbove) => {
    expect(recordAcks(mark, above, seqs, upTo)).toEqual({ mark: expectedMark, above: expectedAbove });
  });

  it('ends at n with nothing waiting, whatever order the batches of 1..n are acknowledged in', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 60 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        (n, batch, randoms) => {
          const batches: number[][] = [];
          for (let from = 1; from <= n; from += batch)
            batches.push(Array.from({ length: Math.min(batch, n - from + 1) }, (_, i) => from + i));
          const order = batches
            .map((b) => ({ b, key: randoms.next().value as number }))
            .sort((x, y) => x.key - y.key);
          let state: { mark: number; above: readonly (readonly [number, number])[] } = { mark: 0, above: [] };
          const acked = new Set<number>();
          for (const { b } of order) {
            state = recordAcks(state.mark, state.above, b);
            for (const seq of b) acked.add(seq);
            // Never past an event that was not acknowledged.
            for (let seq = 1; seq <= state.mark; seq++) expect(acked.has(seq)).toBe(true);
          }
          expect(state).toEqual({ mark: n, above: [] });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('countNewReceipts', () => {
  it.each([
    ['a new receipt', [{ eventId: 'a' }], [{ eventId: 'a', serverStatus: 'quarantined' }], 1],
    [
      'a receipt the till already adopted',
      [{ eventId: 'a', serverStatus: 'quarantined' }],
      [{ eventId: 'a', serverStatus: 'quarantined' }],
      0,
    ],
    ['a stored copy on key reuse is no receipt', [{ eventId: 'a' }], [{ eventId: 'a' }], 0],
    [
      'the same receipt twice counts once',
      [{ eventId: 'a' }],
      [
        { eventId: 'a', serverStatus: 'quarantined' },
        { eventId: 'a', serverStatus: 'quarantined' },
      ],
      1,
    ],
  ])('%s', (_name, sent, answered, expected) => {
    const pushRows = sent.map((newDocumentState) => ({ newDocumentState }));
    expect(
      countNewReceipts(
        pushRows,
        answered.map((d) => ({ ...d, _deleted: false })),
      ),
    ).toBe(expected);
  });
});
