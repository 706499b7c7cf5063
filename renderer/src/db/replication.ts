/**
 * Replication of the till's database with the sync server (shared/design/sync-protocol.md, "Client
 * side"): every collection replicates as REPLICATION_MODES says. Pull-only collections pull by the
 * server's checkpoint and resync when the live stream pokes or reconnects; the `events` outbox is pushed
 * only, in batches of at most 50; `customers` goes both ways with a three-way merge. Failures back off
 * exponentially up to a cap (RxDB alone retries at a fixed interval). Selling never waits for any of
 * this: `start()` resolves once replication is running, not once it has caught up.
 *
 * Pull-only collections (staff, config, products, prices, stock) do not use RxDB's replication: each has
 * a pull loop here that reads pages of 1000 from its checkpoint, with the next page on the wire while the
 * current one is written, and writes each page with one bulk insert (upserting what exists). Measured in
 * Chromium, RxDB's pull loop reads every document four times per write (its fork and meta instance before
 * writing, the storage's conflict check, and its upstream, which scans every pulled document again
 * although nothing is pushed), and ran all collections at once so that products arrived last. The loops
 * run one after the other on start (what a cashier needs first: staff, the store's settings, then the
 * catalog, its prices, stock), and each pulls again when the live stream pokes its collection or
 * (re)connects. Checkpoints are kept in the sync bookmarks, so a restart resumes a download. Customers
 * (two-way) and the events outbox (push) use RxDB's replication, whose conflict bookkeeping they need.
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
import { describeSyncError, MAX_PULL_LIMIT, PayloadTooLargeError, SyncError } from './sync-client.ts';
import type {
  Checkpoint,
  DeviceState,
  PullResult,
  PushRow,
  ReplicatedDoc,
  SyncClient,
} from './sync-client.ts';
import { SyncStatusStore } from './sync-status.ts';

export const EVENTS_PUSH_BATCH_SIZE = 50;
export const CUSTOMERS_PUSH_BATCH_SIZE = 50;
/**
 * The server's cap: a pull loop ends a catch-up at a page shorter than this, and fewer, larger pages cost
 * fewer transactions on the till.
 */
export const DEFAULT_PULL_BATCH_SIZE = MAX_PULL_LIMIT;
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

/** The collections the till only reads (its own pull loops); customers go both ways. */
export type PullOnlyCollectionName = Exclude<PulledCollectionName, 'customers'>;

/**
 * The order of the first download: what a cashier needs first (signing in: staff; the store's settings),
 * then the catalog, its prices, and stock last (a sale does not wait for it).
 */
const PULL_PRIORITY: readonly PullOnlyCollectionName[] = [
  'staff',
  'config',
  'products',
  'prices',
  'stockLevels',
];

/** Every pull-only collection, in download order (one the list above forgot comes last, not never). */
export const PULL_ORDER: readonly PullOnlyCollectionName[] = [
  ...PULL_PRIORITY,
  ...PULLED_COLLECTIONS.filter(
    (name): name is PullOnlyCollectionName => name !== 'customers' && !PULL_PRIORITY.includes(name),
  ),
];

/** What the till persists about its sync, in an RxDB local document (not a collection: the free edition caps those). */
export interface SyncBookmarks {
  /**
   * Every event up to this deviceSeq was acknowledged by the server. A contiguous mark, not the highest
   * acknowledged seq: RxDB pushes the batches of one write in parallel, so a later batch can be
   * acknowledged while an earlier one is still being retried; the data-loss check and "events waiting"
   * must not count the earlier one as delivered.
   */
  readonly highestAckedDeviceSeq: number;
  /** Acknowledged deviceSeqs above the mark, as sorted, merged, inclusive ranges. */
  readonly ackedAbove: readonly AckRange[];
  readonly lastSyncedAt: number | null;
  /** Distinct quarantine receipts received. */
  readonly quarantined: number;
  /**
   * The server's contiguous sequence the last re-push started from. If the server still reports the same
   * value afterwards while holding the newer events, the gap is a row it cannot file, not a loss: re-pushing
   * again would only repeat the same work on every reconnect.
   */
  readonly lastRepushFrom: number | null;
  /** Checkpoints of the pull loops, for the server they came from (another server starts them again). */
  readonly pulls: {
    readonly serverId: string;
    readonly checkpoints: Readonly<Partial<Record<PullOnlyCollectionName, Checkpoint>>>;
  } | null;
}

const EMPTY_BOOKMARKS: SyncBookmarks = {
  highestAckedDeviceSeq: 0,
  ackedAbove: [],
  lastSyncedAt: null,
  quarantined: 0,
  lastRepushFrom: null,
  pulls: null,
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

type AnyDoc = Record<string, unknown>;

/** A pull-only collection's loop: waiting for its first pull, running one, or idle until poked. */
interface PullLoopState {
  phase: 'waiting' | 'running' | 'idle';
  /** A poke arrived while a pull ran: pull once more when it ends. */
  again: boolean;
  running: Promise<void>;
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting: a stop must not surface as an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** A wait that ends early when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A pulled document as a collection stores it: without the replication's `_deleted` flag. */
function stored(doc: ReplicatedDoc): AnyDoc {
  const copy: AnyDoc = { ...doc };
  delete copy._deleted;
  return copy;
}

export class SyncStoppedError extends Error {
  constructor() {
    super('sync stopped');
    this.name = 'SyncStoppedError';
  }
}

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
  private readonly initialPulls = new Map<PulledCollectionName, Deferred>();
  private readonly pulls = new Map<PullOnlyCollectionName, PullLoopState>();
  /** Aborts the pull loops' requests and waits when the controller stops. */
  private readonly stopping = new AbortController();
  private loading: Promise<void> = Promise.resolve();
  /** Bumped when the pull checkpoints are thrown away: a pull under way then starts again from nothing. */
  private pullGeneration = 0;

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

  /** The RxDB replication of customers or events (after `start`); pull-only collections have none. */
  replication(name: CollectionName): AnyReplication | undefined {
    return this.replications.get(name);
  }

  /**
   * Resolves when the collection has its first complete copy since `start` (the pull loop reached a short
   * page; for customers, RxDB's first sync); rejects with SyncStoppedError if the controller stops first.
   */
  initialPull(name: PulledCollectionName): Promise<void> {
    return this.initialPullEntry(name).promise;
  }

  private initialPullEntry(name: PulledCollectionName): Deferred {
    let entry = this.initialPulls.get(name);
    if (entry === undefined) {
      entry = deferred();
      this.initialPulls.set(name, entry);
    }
    return entry;
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
      // Raw bulks, not `events.$`, whose events RxDB 17.6 caches forever (see price-cache.ts).
      this.db.events.eventBulks$.subscribe(() => {
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
    const customersPulled = this.initialPullEntry('customers');
    this.replications
      .get('customers')
      ?.awaitInitialReplication()
      .then(
        () => {
          customersPulled.resolve();
        },
        (error: unknown) => {
          customersPulled.reject(error);
        },
      );
    for (const name of PULL_ORDER) {
      const state: PullLoopState = { phase: 'waiting', again: false, running: Promise.resolve() };
      this.pulls.set(name, state);
      this.subscriptions.push(
        this.stream.stream(name).subscribe(() => {
          this.requestPull(name);
        }),
      );
    }
    // In the background: selling does not wait for the catalog.
    this.loading = this.firstPulls();

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
    this.stopping.abort();
    if (typeof globalThis.removeEventListener === 'function') {
      globalThis.removeEventListener('online', this.onOnline);
    }
    await this.stream.stop();
    for (const s of this.subscriptions) s.unsubscribe();
    await this.loading;
    await Promise.all([...this.pulls.values()].map((state) => state.running));
    for (const entry of this.initialPulls.values()) entry.reject(new SyncStoppedError());
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

  /** The first pull of every pull-only collection, one after the other, in PULL_ORDER. */
  private async firstPulls(): Promise<void> {
    for (const name of PULL_ORDER) {
      const state = this.pulls.get(name);
      if (state === undefined || this.isStopped()) return;
      state.phase = 'running';
      state.running = this.runPulls(name, state);
      await state.running;
      if (this.isStopped()) return;
      this.initialPullEntry(name).resolve();
    }
    this.status.update({ catalog: { state: 'ready', rows: this.status.current.catalog.rows } });
  }

  /** A poke or a (re)connect: pull the collection again (once more if a pull is under way). */
  private requestPull(name: PullOnlyCollectionName): void {
    const state = this.pulls.get(name);
    // Before its first pull there is nothing to do: that pull starts from the checkpoint anyway.
    if (state === undefined || this.stopped || state.phase === 'waiting') return;
    if (state.phase === 'running') {
      state.again = true;
      return;
    }
    state.phase = 'running';
    state.running = this.runPulls(name, state);
  }

  private async runPulls(name: PullOnlyCollectionName, state: PullLoopState): Promise<void> {
    try {
      do {
        state.again = false;
        await this.pullToEnd(name);
      } while (this.pullAgain(state));
    } catch (error) {
      if (!this.isStopped()) this.onFailure(`pull:${name}`, error);
    } finally {
      state.phase = 'idle';
    }
  }

  /** Read through a method: a poke sets the flag while the pull awaits, which narrowing cannot see. */
  private pullAgain(state: PullLoopState): boolean {
    return state.again && !this.stopped;
  }

  private pullCheckpoint(name: PullOnlyCollectionName): Checkpoint | undefined {
    const pulls = this.syncBookmarks.pulls;
    return pulls?.serverId === this.serverId ? pulls.checkpoints[name] : undefined;
  }

  private savePullCheckpoint(name: PullOnlyCollectionName, checkpoint: Checkpoint): void {
    const pulls = this.syncBookmarks.pulls;
    const checkpoints = pulls?.serverId === this.serverId ? pulls.checkpoints : {};
    this.bookmarks?.update({
      pulls: { serverId: this.serverId, checkpoints: { ...checkpoints, [name]: checkpoint } },
    });
  }

  /**
   * Pulls pages from the collection's checkpoint until a short page, retrying failures with backoff until
   * the controller stops. Returns when the collection is caught up (or stopping).
   */
  private async pullToEnd(name: PullOnlyCollectionName): Promise<void> {
    const collection = this.db[name] as unknown as RxCollection<AnyDoc>;
    const source = `pull:${name}`;
    const signal = this.stopping.signal;
    const backoff = new Backoff(this.policy, this.random);
    const size = this.pullBatchSize;
    const generation = this.pullGeneration;
    let checkpoint = this.pullCheckpoint(name);
    let ahead: Promise<PullResult> | undefined;
    for (;;) {
      if (this.isStopped()) return;
      try {
        const page = await (ahead ?? this.client.pull(name, checkpoint, size, signal));
        ahead = undefined;
        const more = page.documents.length >= size;
        // The next page travels while this one is written.
        if (more) {
          ahead = this.client.pull(name, page.checkpoint, size, signal);
          ahead.catch(() => undefined);
        }
        const refused = await writePage(collection, page.documents);
        const { catalog } = this.status.current;
        if (catalog.state === 'downloading' && page.documents.length > 0) {
          this.status.update({
            catalog: { state: 'downloading', rows: catalog.rows + page.documents.length },
          });
        }
        if (refused.length > 0) {
          // One bad document from HQ must not keep the till from everything else (RxDB's replication also
          // leaves such documents out); the status says so until HQ corrects them.
          this.status.reportError(
            `refused:${name}`,
            `${refused.length} ${name} document(s) from the sync server were refused by this till (e.g. ${refused[0] ?? '?'}); HQ must correct them.`,
          );
        }
        backoff.succeed();
        this.onSuccess(source);
        if (generation !== this.pullGeneration) {
          // The checkpoints were reset meanwhile: the pull that follows starts from the beginning.
          ahead = undefined;
          this.requestPull(name);
          return;
        }
        checkpoint = page.checkpoint;
        this.savePullCheckpoint(name, checkpoint);
        if (!more) return;
      } catch (error) {
        ahead = undefined;
        if (this.isStopped()) return;
        this.onFailure(source, error);
        await sleep(backoff.fail(), signal);
      }
    }
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
      const current = bookmarks.current;
      const acks = recordAcks(current.highestAckedDeviceSeq, current.ackedAbove, pushedSeqs(rows));
      const newReceipts = countNewReceipts(rows, conflicts);
      const patch: { -readonly [K in keyof SyncBookmarks]?: SyncBookmarks[K] } = {};
      if (acks.mark !== current.highestAckedDeviceSeq || acks.above !== current.ackedAbove) {
        patch.highestAckedDeviceSeq = acks.mark;
        patch.ackedAbove = acks.above;
      }
      if (newReceipts > 0) patch.quarantined = current.quarantined + newReceipts;
      if (Object.keys(patch).length > 0) bookmarks.update(patch);
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
    const { highestAckedDeviceSeq: acked, ackedAbove, lastRepushFrom } = bookmarks.current;
    const from = state.contiguousDeviceSeq;
    if (from >= acked) {
      // The server holds every event up to `from`: delivered, whatever the till heard back.
      if (from > acked) {
        const acks = recordAcks(acked, ackedAbove, [], from);
        bookmarks.update({ highestAckedDeviceSeq: acks.mark, ackedAbove: acks.above });
        this.countWaiting();
      }
      return { state, repushed: 0 };
    }
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
    // The server went back in time, its change feed with it: rows it writes from now on (the re-pushed
    // sales' stock, for one) get feed positions below the till's checkpoints and would never be pulled.
    // Every pull-only collection is pulled again from the beginning (documents are upserts).
    this.pullGeneration++;
    bookmarks.update({ lastRepushFrom: from, pulls: null });
    for (const name of PULL_ORDER) this.requestPull(name);
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

/**
 * Writes one downloaded page: one bulk insert; documents already there (a resumed or restarted download)
 * are upserted, tombstones removed. Returns the ids of documents the collection refused (its schema),
 * which are left out, as RxDB's replication leaves them out; a failure of the storage itself throws.
 */
export async function writePage(
  collection: RxCollection<AnyDoc>,
  documents: readonly ReplicatedDoc[],
): Promise<readonly string[]> {
  const primary = collection.schema.primaryPath;
  const live = documents.filter((doc) => !doc._deleted).map(stored);
  const gone = documents.filter((doc) => doc._deleted).map((doc) => String(doc[primary]));
  const refused: string[] = [];
  if (live.length > 0) {
    const result = await collection.bulkInsert(live);
    const existing = new Set<string>();
    for (const error of result.error) {
      if (error.status === 409) existing.add(error.documentId);
      else refused.push(error.documentId);
    }
    if (existing.size > 0) {
      const upserted = await collection.bulkUpsert(live.filter((doc) => existing.has(String(doc[primary]))));
      for (const error of upserted.error) refused.push(error.documentId);
    }
  }
  if (gone.length > 0) {
    const found = await collection.findByIds(gone).exec();
    if (found.size > 0) await collection.bulkRemove([...found.keys()]);
  }
  return refused;
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

/** The deviceSeqs of the events a push delivered (a deleted row is the outbox pruning, not an event). */
function pushedSeqs(rows: readonly PushRow[]): number[] {
  const seqs: number[] = [];
  for (const row of rows) {
    const seq = row.newDocumentState.deviceSeq;
    if (
      row.newDocumentState._deleted !== true &&
      typeof seq === 'number' &&
      Number.isSafeInteger(seq) &&
      seq > 0
    )
      seqs.push(seq);
  }
  return seqs;
}

/** An inclusive range of deviceSeqs. */
export type AckRange = readonly [from: number, to: number];

/**
 * Books acknowledged deviceSeqs: the contiguous mark moves up while the next seq is acknowledged; what
 * arrives above a gap waits in merged ranges until the gap fills. `upTo` acknowledges everything up to it
 * (the server's own contiguous sequence). Returns the same `above` array when it did not change.
 */
export function recordAcks(
  mark: number,
  above: readonly AckRange[],
  seqs: readonly number[],
  upTo = 0,
): { readonly mark: number; readonly above: readonly AckRange[] } {
  const fresh = seqs.filter((seq) => seq > mark).sort((a, b) => a - b);
  if (fresh.length === 0 && upTo <= mark) return { mark, above };
  const ranges: [number, number][] = above.map(([from, to]) => [from, to]);
  for (const seq of fresh) ranges.push([seq, seq]);
  ranges.sort((a, b) => a[0] - b[0]);
  let next = Math.max(mark, upTo);
  const rest: [number, number][] = [];
  for (const range of ranges) {
    if (range[1] <= next) continue;
    if (range[0] <= next + 1 && rest.length === 0) {
      next = range[1];
      continue;
    }
    const last = rest.at(-1);
    if (last !== undefined && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else rest.push([Math.max(range[0], next + 1), range[1]]);
  }
  return { mark: next, above: rest };
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
