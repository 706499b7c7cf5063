/**
 * Replication of the till's database with the sync server (shared/design/sync-protocol.md, "Client
 * side"): every collection replicates as REPLICATION_MODES says. Pull-only collections pull by the
 * server's checkpoint and resync when the live stream pokes or reconnects; the `events` outbox is pushed
 * only, in batches of at most 50; `customers` goes both ways with a three-way merge. Failures back off
 * exponentially up to a cap (RxDB alone retries at a fixed interval). Selling never waits for any of
 * this: `start()` resolves once replication is running, not once it has caught up.
 *
 * Data-loss check: the embedded server (PGlite) can lose acknowledged writes on power failure. The till
 * remembers the highest deviceSeq the server acknowledged; on start and on every reconnect it asks
 * `/device/state`, and when the server's contiguous sequence is lower it sends the retained events again
 * from there (the server deduplicates by event id). It sends them through the push handler directly:
 * RxDB's own upstream considers them already pushed and would not send them again.
 */
import { REPLICATION_MODES } from '@pos/app';
import type { CollectionName, CustomerDoc, EventDoc } from '@pos/app';
import type { RxCollection, RxReplicationWriteToMasterRow, WithDeleted } from 'rxdb';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import type { RxReplicationState } from 'rxdb/plugins/replication';
import type { Subscription } from 'rxjs';
import { Backoff, DEFAULT_BACKOFF } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { TillDatabase } from './database.ts';
import { SseReader } from './sse-reader.ts';
import { describeSyncError, PayloadTooLargeError, SyncError } from './sync-client.ts';
import type { Checkpoint, DeviceState, PushRow, ReplicatedDoc, SyncClient } from './sync-client.ts';
import { SyncStatusStore } from './sync-status.ts';

export const EVENTS_PUSH_BATCH_SIZE = 50;
export const CUSTOMERS_PUSH_BATCH_SIZE = 50;
/** Below the server's 1000 cap: RxDB ends a catch-up when a page is shorter than the batch size. */
export const DEFAULT_PULL_BATCH_SIZE = 500;
export const SYNC_STATE_DOC_ID = 'sync-state';
/**
 * Kept at RxDB's default (true). With false, RxDB fires a synthetic `mousemove` on the document every
 * 20 s to keep the tab awake, which would defeat the till's inactivity lock. With true, a hidden window
 * pauses only when it is not the leader, and a single-window till (multiInstance false) always is.
 */
const TOGGLE_ON_DOCUMENT_VISIBLE = true;
/** How often "last synced" is written to the local document (the status shows it live regardless). */
export const LAST_SYNCED_PERSIST_INTERVAL_MS = 10_000;

export type PulledCollectionName = {
  [K in CollectionName]: (typeof REPLICATION_MODES)[K] extends 'pull' | 'pull-push' ? K : never;
}[CollectionName];

export const PULLED_COLLECTIONS = (Object.keys(REPLICATION_MODES) as CollectionName[]).filter(
  (name): name is PulledCollectionName =>
    REPLICATION_MODES[name] === 'pull' || REPLICATION_MODES[name] === 'pull-push',
);

/** What the till persists about its sync, in an RxDB local document (not a collection: the free edition caps those). */
export interface SyncBookmarks {
  /** Highest deviceSeq of an event the server acknowledged. */
  readonly highestAckedDeviceSeq: number;
  readonly lastSyncedAt: number | null;
  /** Distinct quarantine receipts received. */
  readonly quarantined: number;
  /**
   * The server's contiguous sequence the last re-push started from. If the server still reports the same
   * value afterwards while holding the newer events, the gap is a row it cannot file, not a loss: re-pushing
   * again would only repeat the same work on every reconnect.
   */
  readonly lastRepushFrom: number | null;
}

const EMPTY_BOOKMARKS: SyncBookmarks = {
  highestAckedDeviceSeq: 0,
  lastSyncedAt: null,
  quarantined: 0,
  lastRepushFrom: null,
};

class BookmarkStore {
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: TillDatabase,
    private state: SyncBookmarks,
  ) {}

  static async load(db: TillDatabase): Promise<BookmarkStore> {
    const doc = await db.getLocal<SyncBookmarks>(SYNC_STATE_DOC_ID);
    const stored = doc?.toJSON().data;
    return new BookmarkStore(db, { ...EMPTY_BOOKMARKS, ...stored });
  }

  get current(): SyncBookmarks {
    return this.state;
  }

  /** Updates the in-memory copy at once and persists writes one after the other (never concurrently). */
  update(patch: Partial<SyncBookmarks>): void {
    this.state = { ...this.state, ...patch };
    const snapshot = this.state;
    this.writing = this.writing
      .then(() => this.db.upsertLocal<SyncBookmarks>(SYNC_STATE_DOC_ID, snapshot))
      .catch(() => undefined);
  }

  flush(): Promise<unknown> {
    return this.writing;
  }
}

export interface TillSyncOptions {
  readonly db: TillDatabase;
  readonly client: SyncClient;
  /** Distinguishes replication checkpoints per server; default the client's base URL. */
  readonly serverId?: string;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly pullBatchSize?: number;
  readonly status?: SyncStatusStore;
  /** The live stream's idle limit (no byte, not even a keep-alive, for this long = reconnect). */
  readonly streamIdleTimeoutMs?: number;
}

export interface DataLossCheck {
  readonly state: DeviceState;
  /** Events sent again because the server had lost them; 0 when nothing was lost. */
  readonly repushed: number;
}

// The replication states differ in document type; the controller only uses type-independent members.
type AnyReplication = RxReplicationState<never, unknown>;

export class TillSync {
  readonly status: SyncStatusStore;
  readonly stream: SseReader;
  private readonly db: TillDatabase;
  private readonly client: SyncClient;
  private readonly serverId: string;
  private readonly policy: BackoffPolicy;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly pullBatchSize: number;
  private readonly replications = new Map<CollectionName, AnyReplication>();
  private readonly subscriptions: Subscription[] = [];
  private bookmarks: BookmarkStore | undefined;
  private checking: Promise<DataLossCheck> | undefined;
  private countingWaiting = false;
  private countAgain = false;
  private started = false;
  private stopped = false;
  private lastPersistedSyncAt = Number.NEGATIVE_INFINITY;

  constructor(options: TillSyncOptions) {
    this.db = options.db;
    this.client = options.client;
    this.serverId = options.serverId ?? options.client.baseUrl;
    this.policy = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => Date.now());
    this.pullBatchSize = options.pullBatchSize ?? DEFAULT_PULL_BATCH_SIZE;
    this.status = options.status ?? new SyncStatusStore();
    // HQ's device list shows each till's backlog from the device-state calls.
    this.client.setOutboxPendingSource(() => this.status.current.eventsWaiting);
    this.stream = new SseReader({
      open: (signal) => this.client.openStream(signal),
      collections: PULLED_COLLECTIONS,
      backoff: this.policy,
      random: this.random,
      ...(options.streamIdleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.streamIdleTimeoutMs }),
    });
  }

  /** The replication state of a collection (after `start`), e.g. to await a first sync in tests. */
  replication(name: CollectionName): AnyReplication | undefined {
    return this.replications.get(name);
  }

  get syncBookmarks(): SyncBookmarks {
    return this.bookmarks?.current ?? EMPTY_BOOKMARKS;
  }

  /**
   * Handshake (token, device state, data-loss check), then every replication and the live stream. A
   * failed handshake does not stop the start: the replications retry by themselves and the check runs
   * again when the stream connects.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const bookmarks = await BookmarkStore.load(this.db);
    this.bookmarks = bookmarks;
    this.status.update({
      phase: 'starting',
      lastSyncedAt: bookmarks.current.lastSyncedAt,
      quarantined: bookmarks.current.quarantined,
    });
    this.subscriptions.push(
      this.db.events.$.subscribe(() => {
        this.countWaiting();
      }),
    );
    this.countWaiting();

    try {
      await this.checkDataLoss();
    } catch {
      // Reported in the status; the stream's connect runs the check again.
    }
    if (this.stopped) return;

    for (const name of PULLED_COLLECTIONS) {
      if (name === 'customers') continue;
      this.replications.set(name, this.replicatePull(name) as unknown as AnyReplication);
    }
    this.replications.set('customers', this.replicateCustomers() as unknown as AnyReplication);
    this.replications.set('events', this.replicateEvents() as unknown as AnyReplication);
    for (const replication of this.replications.values()) {
      await replication.start();
    }
    if (this.isStopped()) {
      // stop() ran while the replications were starting and may have missed some of them.
      await Promise.all([...this.replications.values()].map((r) => r.cancel()));
      return;
    }

    this.subscriptions.push(
      this.stream.connected$.subscribe((connected) => {
        if (connected) this.status.setOnline(true);
      }),
      this.stream.connects$.subscribe(() => {
        this.status.clearError('stream');
        this.checkDataLoss().catch(() => undefined);
      }),
      this.stream.errors$.subscribe((error) => {
        this.onFailure('stream', error);
      }),
    );
    this.stream.start();
    // The operating system knows before any timer that the network is back (RxDB listens for it too).
    if (typeof globalThis.addEventListener === 'function') {
      globalThis.addEventListener('online', this.onOnline);
    }
  }

  /** Read through a method: stop() flips the flag while start() awaits, which narrowing cannot see. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private readonly onOnline = (): void => {
    this.stream.reconnectNow();
  };

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (typeof globalThis.removeEventListener === 'function') {
      globalThis.removeEventListener('online', this.onOnline);
    }
    await this.stream.stop();
    for (const s of this.subscriptions) s.unsubscribe();
    await Promise.all([...this.replications.values()].map((r) => r.cancel()));
    await this.checking?.catch(() => undefined);
    await this.bookmarks?.flush();
    this.status.update({ phase: 'stopped', online: false });
  }

  private onSuccess(source: string): void {
    const at = this.now();
    this.status.synced(at, source);
    // Every pulled page succeeds; persisting each would be a write per page during a catch-up.
    if (at - this.lastPersistedSyncAt >= LAST_SYNCED_PERSIST_INTERVAL_MS) {
      this.lastPersistedSyncAt = at;
      this.bookmarks?.update({ lastSyncedAt: at });
    }
  }

  private onFailure(source: string, error: unknown): void {
    if (this.stopped) return;
    if (error instanceof SyncError && error.kind === 'network') this.status.setOnline(false);
    this.status.reportError(source, describeSyncError(error));
  }

  /**
   * Wraps a handler: a failure sets the replication's next wait by the backoff schedule (RxDB reads
   * `retryTime` before every retry), a success resets it.
   */
  private withBackoff<A extends unknown[], R>(
    source: string,
    holder: { state?: AnyReplication },
    handler: (...args: A) => Promise<R>,
  ): (...args: A) => Promise<R> {
    const backoff = new Backoff(this.policy, this.random);
    return async (...args: A): Promise<R> => {
      try {
        const result = await handler(...args);
        backoff.succeed();
        if (holder.state) holder.state.retryTime = this.policy.baseMs;
        this.onSuccess(source);
        return result;
      } catch (error) {
        const delay = backoff.fail();
        if (holder.state) holder.state.retryTime = delay;
        this.onFailure(source, error);
        throw error;
      }
    };
  }

  private pullHandler<T>(
    name: PulledCollectionName,
    holder: { state?: AnyReplication },
  ): (
    checkpoint: Checkpoint | undefined,
    batchSize: number,
  ) => Promise<{ documents: WithDeleted<T>[]; checkpoint: Checkpoint }> {
    return this.withBackoff(
      `pull:${name}`,
      holder,
      async (checkpoint: Checkpoint | undefined, batchSize: number) => {
        const result = await this.client.pull(name, checkpoint, batchSize);
        // The server's documents are the collection's documents (it validates them against the same schemas).
        return { documents: result.documents as unknown as WithDeleted<T>[], checkpoint: result.checkpoint };
      },
    );
  }

  private replicatePull(
    name: Exclude<PulledCollectionName, 'customers'>,
  ): RxReplicationState<unknown, Checkpoint> {
    const holder: { state?: AnyReplication } = {};
    const collection = this.db[name] as unknown as RxCollection<unknown>;
    const state = replicateRxCollection<unknown, Checkpoint>({
      replicationIdentifier: `${name}@${this.serverId}`,
      collection,
      live: true,
      autoStart: false,
      waitForLeadership: false,
      toggleOnDocumentVisible: TOGGLE_ON_DOCUMENT_VISIBLE,
      retryTime: this.policy.baseMs,
      pull: {
        batchSize: this.pullBatchSize,
        handler: this.pullHandler<unknown>(name, holder),
        stream$: this.stream.stream(name),
      },
    });
    holder.state = state as unknown as AnyReplication;
    return state;
  }

  private replicateCustomers(): RxReplicationState<CustomerDoc, Checkpoint> {
    const holder: { state?: AnyReplication } = {};
    const state = replicateRxCollection<CustomerDoc, Checkpoint>({
      replicationIdentifier: `customers@${this.serverId}`,
      collection: this.db.customers,
      live: true,
      autoStart: false,
      waitForLeadership: false,
      toggleOnDocumentVisible: TOGGLE_ON_DOCUMENT_VISIBLE,
      retryTime: this.policy.baseMs,
      pull: {
        batchSize: this.pullBatchSize,
        handler: this.pullHandler<CustomerDoc>('customers', holder),
        stream$: this.stream.stream('customers'),
      },
      push: {
        batchSize: CUSTOMERS_PUSH_BATCH_SIZE,
        handler: this.withBackoff(
          'push:customers',
          holder,
          async (rows: RxReplicationWriteToMasterRow<CustomerDoc>[]) => {
            const conflicts = await pushInParts(rows, (part) => this.client.pushCustomers(part));
            return onlyPushedDocuments(rows, conflicts, 'id') as unknown as WithDeleted<CustomerDoc>[];
          },
        ),
      },
    });
    holder.state = state as unknown as AnyReplication;
    return state;
  }

  private replicateEvents(): RxReplicationState<EventDoc, never> {
    const holder: { state?: AnyReplication } = {};
    const state = replicateRxCollection<EventDoc, never>({
      replicationIdentifier: `events@${this.serverId}`,
      collection: this.db.events,
      live: true,
      autoStart: false,
      waitForLeadership: false,
      toggleOnDocumentVisible: TOGGLE_ON_DOCUMENT_VISIBLE,
      retryTime: this.policy.baseMs,
      push: {
        batchSize: EVENTS_PUSH_BATCH_SIZE,
        handler: this.withBackoff(
          'push:events',
          holder,
          async (rows: RxReplicationWriteToMasterRow<EventDoc>[]) => {
            const conflicts = await this.pushEventRows(rows);
            return conflicts as unknown as WithDeleted<EventDoc>[];
          },
        ),
      },
    });
    holder.state = state as unknown as AnyReplication;
    return state;
  }

  /** Pushes outbox rows and books what the answer acknowledges. */
  private async pushEventRows(rows: readonly PushRow[]): Promise<ReplicatedDoc[]> {
    const conflicts = onlyPushedDocuments(
      rows,
      await pushInParts(rows, (part) => this.client.pushEvents(part)),
      'eventId',
    );
    const bookmarks = this.bookmarks;
    if (bookmarks !== undefined) {
      const acked = highestDeviceSeq(rows);
      const newReceipts = countNewReceipts(rows, conflicts);
      const patch: { highestAckedDeviceSeq?: number; quarantined?: number } = {};
      if (acked > bookmarks.current.highestAckedDeviceSeq) patch.highestAckedDeviceSeq = acked;
      if (newReceipts > 0) patch.quarantined = bookmarks.current.quarantined + newReceipts;
      if (patch.highestAckedDeviceSeq !== undefined || patch.quarantined !== undefined)
        bookmarks.update(patch);
      if (patch.quarantined !== undefined) this.status.update({ quarantined: patch.quarantined });
    }
    this.countWaiting();
    return conflicts;
  }

  /** Recounts the outbox backlog; calls during a count coalesce into one more count. */
  private countWaiting(): void {
    if (this.countingWaiting) {
      this.countAgain = true;
      return;
    }
    this.countingWaiting = true;
    const acked = this.syncBookmarks.highestAckedDeviceSeq;
    this.db.events
      .count({ selector: { deviceSeq: { $gt: acked } } })
      .exec()
      .then((waiting) => {
        if (!this.stopped) this.status.update({ eventsWaiting: waiting });
      })
      .catch(() => undefined)
      .finally(() => {
        this.countingWaiting = false;
        if (this.countAgain && !this.stopped) {
          this.countAgain = false;
          this.countWaiting();
        }
      });
  }

  /** `/device/state` and, when the server lost acknowledged events, the re-push. One at a time. */
  checkDataLoss(): Promise<DataLossCheck> {
    this.checking ??= this.runDataLossCheck().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async runDataLossCheck(): Promise<DataLossCheck> {
    let state: DeviceState;
    try {
      state = await this.client.deviceState();
    } catch (error) {
      this.onFailure('handshake', error);
      throw error;
    }
    this.onSuccess('handshake');
    const bookmarks = this.bookmarks;
    if (bookmarks === undefined) return { state, repushed: 0 };
    const { highestAckedDeviceSeq: acked, lastRepushFrom } = bookmarks.current;
    const from = state.contiguousDeviceSeq;
    if (from >= acked) return { state, repushed: 0 };
    if (state.lastDeviceSeq >= acked && lastRepushFrom === from) return { state, repushed: 0 };

    const retained = await this.db.events
      .find({ selector: { deviceSeq: { $gt: from } }, sort: [{ deviceSeq: 'asc' }] })
      .exec();
    for (let i = 0; i < retained.length; i += EVENTS_PUSH_BATCH_SIZE) {
      const rows = retained
        .slice(i, i + EVENTS_PUSH_BATCH_SIZE)
        .map((doc): PushRow => ({ newDocumentState: { ...doc.toMutableJSON(), _deleted: false } }));
      try {
        await this.adoptReceipts(await this.pushEventRows(rows));
      } catch (error) {
        this.onFailure('push:events', error);
        throw error;
      }
    }
    bookmarks.update({ lastRepushFrom: from });
    this.status.update({ recoveredFromDataLoss: { fromDeviceSeq: from + 1, events: retained.length } });
    return { state, repushed: retained.length };
  }

  /** Quarantine receipts of a direct push are written like RxDB writes those of its own pushes. */
  private async adoptReceipts(conflicts: readonly ReplicatedDoc[]): Promise<void> {
    for (const receipt of conflicts) {
      if (receipt.serverStatus !== 'quarantined' || typeof receipt.eventId !== 'string') continue;
      const doc = await this.db.events.findOne(receipt.eventId).exec();
      if (doc === null || doc.serverStatus === 'quarantined') continue;
      await doc.incrementalPatch({
        serverStatus: 'quarantined',
        serverReason: typeof receipt.serverReason === 'string' ? receipt.serverReason : 'quarantined',
      });
    }
  }
}

/** Pushes rows; a 413 splits the batch in halves until the parts fit (a single row that does not fit fails). */
export async function pushInParts(
  rows: readonly PushRow[],
  push: (rows: readonly PushRow[]) => Promise<ReplicatedDoc[]>,
): Promise<ReplicatedDoc[]> {
  if (rows.length === 0) return [];
  try {
    return await push(rows);
  } catch (error) {
    if (!(error instanceof PayloadTooLargeError) || rows.length === 1) throw error;
    const half = Math.ceil(rows.length / 2);
    const first = await pushInParts(rows.slice(0, half), push);
    const second = await pushInParts(rows.slice(half), push);
    return [...first, ...second];
  }
}

/**
 * The returned documents that answer a pushed row. RxDB resolves each returned document against the row
 * of the same primary key and fails the whole push cycle on one it did not send; the server can return
 * such a document (the stored event that already holds a reused deviceSeq), so the rest is left out.
 */
export function onlyPushedDocuments(
  rows: readonly PushRow[],
  returned: readonly ReplicatedDoc[],
  primaryKey: string,
): ReplicatedDoc[] {
  const pushed = new Set(rows.map((row) => row.newDocumentState[primaryKey]));
  return returned.filter((doc) => pushed.has(doc[primaryKey]));
}

function highestDeviceSeq(rows: readonly PushRow[]): number {
  let max = 0;
  for (const row of rows) {
    const seq = row.newDocumentState.deviceSeq;
    if (row.newDocumentState._deleted !== true && typeof seq === 'number' && seq > max) max = seq;
  }
  return max;
}

/** Receipts for rows the till had not yet marked quarantined (the server repeats a receipt until adopted). */
export function countNewReceipts(rows: readonly PushRow[], conflicts: readonly ReplicatedDoc[]): number {
  const alreadyKnown = new Set<unknown>();
  for (const row of rows) {
    if (row.newDocumentState.serverStatus === 'quarantined') alreadyKnown.add(row.newDocumentState.eventId);
  }
  const counted = new Set<unknown>();
  for (const doc of conflicts) {
    if (doc.serverStatus === 'quarantined' && !alreadyKnown.has(doc.eventId)) counted.add(doc.eventId);
  }
  return counted.size;
}

/** Creates the controller and starts it; selling does not wait for the returned promise. */
export async function startTillSync(options: TillSyncOptions): Promise<TillSync> {
  const sync = new TillSync(options);
  await sync.start();
  return sync;
}
