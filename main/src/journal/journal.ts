/**
 * The crash-safe sales journal (architecture.md, "The sale path"): an append-only, hash-chained,
 * fsync-before-acknowledge log of every till-authored event, owned by main. It assigns the
 * device's gap-free sequence, and it is what the renderer restores its IndexedDB outbox from.
 *
 * Durability: `append` resolves only after the entry's bytes and the file size are on disk
 * (fdatasync); a new segment's header is synced and its folder entry fsync'd before any entry is
 * written into it. Appends that arrive together are written with one write and one fdatasync
 * (group commit) but keep their call order, and none of them resolves before that sync.
 *
 * Recovery on open: a damaged tail of the last segment (what a crash mid-write leaves) is cut off
 * and its bytes saved under `torn/`; everything else is verified, and any other damage or edit is
 * reported as a tamper finding. Tampering policy: while a finding is unacknowledged the journal
 * refuses appends (JournalError 'tampered') but still serves reads, so the outbox can be restored.
 * `acknowledgeTampering(by)` journals who acknowledged which findings as an entry of the chain
 * itself (so it syncs to HQ like any event, and deleting it breaks the chain); findings named by
 * such an entry no longer block. Nothing is ever accepted silently.
 *
 * After a failed write or fsync the journal stops (JournalError 'io'): the kernel may have dropped
 * the unsynced pages, so the only safe continuation is to close and reopen, which re-verifies.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { JournalError, ioError, systemErrorCode } from './journal-errors.ts';
import {
  CanonicalJsonError,
  GENESIS_HASH,
  MAX_RECORD_BYTES,
  canonicalJson,
  decodeRecord,
  encodeEntryFrame,
  encodeHeaderFrame,
  entryBodyJson,
  parseSegmentFileName,
  scanSegment,
  segmentFileName,
  decodeFrameAt,
  type JsonValue,
  type SegmentScan,
} from './journal-format.ts';
import { acquireJournalLock, type JournalLock } from './journal-lock.ts';
import { ChainVerifier, TAMPER_ACK_TYPE, findingKey, type TamperFinding } from './journal-verify.ts';

export interface SalesJournalOptions {
  /** The enrolled device; a journal folder belongs to one device. */
  readonly deviceId: string;
  /** Source of `recordedAt` and of segment days. Defaults to the system clock. */
  readonly clock?: () => Date;
  /** Whole segments whose newest entry is older than this are removed by `prune`. Default 30. */
  readonly retentionDays?: number;
  /** A segment rolls over past this size, besides at each UTC day. Default 64 MiB. */
  readonly maxSegmentBytes?: number;
}

export interface JournalEvent {
  readonly eventId: string;
  readonly type: string;
  /** Plain JSON (no NaN, Infinity, Dates, Maps or class instances). */
  readonly payload: unknown;
}

export interface JournalEntry {
  /** The device sequence: 1, 2, 3 … without gaps. */
  readonly sequence: number;
  readonly eventId: string;
  readonly type: string;
  readonly payload: JsonValue;
  readonly deviceId: string;
  /** ISO 8601 UTC, from the journal's clock. */
  readonly recordedAt: string;
  /** SHA-256 hex of the entry before (64 zeros for sequence 1). */
  readonly prevHash: string;
  /** SHA-256 hex of prevHash bytes ‖ canonical body bytes. */
  readonly hash: string;
}

export interface TornTail {
  readonly segment: string;
  readonly offset: number;
  readonly bytes: number;
  readonly reason: string;
  /** Where the cut-off bytes were kept, for support; null when there were none. */
  readonly savedTo: string | null;
  /** The segment held nothing intact (a crash while it was being created) and was removed. */
  readonly segmentRemoved: boolean;
}

export interface RecoveryReport {
  /** Entries retained and readable. */
  readonly entries: number;
  /** First retained sequence; lastSequence + 1 when there are none. */
  readonly firstSequence: number;
  /** 0 for a new journal. */
  readonly lastSequence: number;
  readonly lastHash: string;
  readonly segments: number;
  /** Bytes cut off torn tails, 0 after a clean shutdown. */
  readonly truncatedBytes: number;
  readonly tornTails: readonly TornTail[];
  /** Every finding, acknowledged or not. */
  readonly tampering: readonly TamperFinding[];
  /** True while an unacknowledged finding exists: append refuses until acknowledgeTampering. */
  readonly appendsBlocked: boolean;
  /** The pid of a dead process whose lock was taken over. */
  readonly staleLockPid: number | null;
}

export interface PruneReport {
  readonly removedSegments: readonly string[];
  readonly removedEntries: number;
  readonly firstSequence: number;
}

export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
/** readAfter's page size when none is given; callers page until they get fewer. */
export const DEFAULT_READ_LIMIT = 1000;

const DAY_MS = 86_400_000;
const MAX_BATCH = 256;
const TORN_DIR = 'torn';
const MAX_ID_LENGTH = 256;
// Entry prefix + the body's fixed keys, generously.
const ENTRY_OVERHEAD_BYTES = 1024;

interface Segment {
  readonly name: string;
  readonly path: string;
  readonly firstSequence: number;
  readonly createdAt: string | null;
  size: number;
  entryCount: number;
  lastRecordedAt: string | null;
}

interface Location {
  readonly sequence: number;
  readonly eventId: string;
  readonly segment: Segment;
  readonly offset: number;
  readonly length: number;
}

interface PreparedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly canonicalPayload: string;
}

interface AppendTask {
  readonly kind: 'append';
  readonly event: PreparedEvent;
  resolve(entry: JournalEntry): void;
  reject(error: unknown): void;
}

interface OpTask {
  readonly kind: 'op';
  run(): Promise<void>;
}

type Task = AppendTask | OpTask;

interface Settings {
  readonly dir: string;
  readonly deviceId: string;
  readonly clock: () => Date;
  readonly retentionDays: number;
  readonly maxSegmentBytes: number;
}

interface Recovered {
  readonly segments: Segment[];
  readonly locations: Location[];
  readonly lastSequence: number;
  readonly lastHash: string;
  readonly findings: readonly TamperFinding[];
  readonly tornTails: readonly TornTail[];
}

export class SalesJournal {
  readonly #settings: Settings;
  readonly #lock: JournalLock;
  #handle: FileHandle;
  readonly #segments: Segment[];
  #locations: Location[];
  readonly #byEventId = new Map<string, Location>();
  #lastSequence: number;
  #lastHash: string;
  #findings: readonly TamperFinding[];
  readonly #queue: Task[] = [];
  #draining = false;
  #closed = false;
  #closing: Promise<void> | null = null;
  #failure: JournalError | null = null;

  private constructor(settings: Settings, lock: JournalLock, handle: FileHandle, recovered: Recovered) {
    this.#settings = settings;
    this.#lock = lock;
    this.#handle = handle;
    this.#segments = recovered.segments;
    this.#locations = recovered.locations;
    this.#lastSequence = recovered.lastSequence;
    this.#lastHash = recovered.lastHash;
    this.#findings = recovered.findings;
    for (const location of this.#locations) {
      if (!this.#byEventId.has(location.eventId)) this.#byEventId.set(location.eventId, location);
    }
  }

  /**
   * Locks the folder, recovers and verifies the journal. Refuses (JournalError) when another live
   * process holds the folder or it belongs to another device; tampering does not refuse the open,
   * it is reported and blocks appends.
   */
  static async open(
    dir: string,
    options: SalesJournalOptions,
  ): Promise<{ journal: SalesJournal; recovery: RecoveryReport }> {
    const settings = checkOptions(dir, options);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw ioError(`create ${dir}`, error);
    }
    const lock = await acquireJournalLock(dir);
    try {
      const recovered = await recover(settings);
      const current = recovered.segments.at(-1);
      if (current === undefined) throw new RangeError('recovery always leaves a current segment');
      const handle = await open(current.path, 'r+');
      const journal = new SalesJournal(settings, lock, handle, recovered);
      const truncatedBytes = recovered.tornTails.reduce((sum, tail) => sum + tail.bytes, 0);
      const recovery: RecoveryReport = {
        entries: recovered.locations.length,
        firstSequence: journal.firstSequence,
        lastSequence: recovered.lastSequence,
        lastHash: recovered.lastHash,
        segments: recovered.segments.length,
        truncatedBytes,
        tornTails: recovered.tornTails,
        tampering: recovered.findings,
        appendsBlocked: journal.#blocked(),
        staleLockPid: lock.staleHolderPid,
      };
      return { journal, recovery };
    } catch (error) {
      await lock.release().catch(() => undefined);
      if (error instanceof JournalError) throw error;
      throw ioError(`open the journal in ${dir}`, error);
    }
  }

  get deviceId(): string {
    return this.#settings.deviceId;
  }

  /** The last sequence assigned (0 for a new journal). */
  get lastSequence(): number {
    return this.#lastSequence;
  }

  /** The first retained sequence; lastSequence + 1 when nothing is retained. */
  get firstSequence(): number {
    return this.#locations[0]?.sequence ?? this.#lastSequence + 1;
  }

  get findings(): readonly TamperFinding[] {
    return this.#findings;
  }

  get appendsBlocked(): boolean {
    return this.#blocked();
  }

  /**
   * Journals the event and resolves once it is on disk. An eventId already journaled resolves
   * with the existing entry (a renderer retry), or refuses with 'event-id-conflict' if the type or
   * payload differ: a reused id with other content would otherwise lose a sale silently.
   */
  append(event: JournalEvent): Promise<JournalEntry> {
    const refusal = this.#refusal() ?? (this.#blocked() ? tamperedError(this.#findings) : null);
    if (refusal !== null) return Promise.reject(refusal);
    let prepared: PreparedEvent;
    try {
      prepared = prepareEvent(event);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<JournalEntry>((resolve, reject) => {
      this.#queue.push({ kind: 'append', event: prepared, resolve, reject });
      this.#schedule();
    });
  }

  /** Entries with a sequence above `sequence`, oldest first, at most `limit`. */
  readAfter(sequence: number, limit: number = DEFAULT_READ_LIMIT): Promise<JournalEntry[]> {
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      return Promise.reject(new RangeError(`readAfter needs a sequence ≥ 0, got ${sequence}`));
    }
    if (!Number.isSafeInteger(limit) || limit < 1) {
      return Promise.reject(new RangeError(`readAfter needs a limit ≥ 1, got ${limit}`));
    }
    return this.#operation(async () => {
      const start = firstIndexAbove(this.#locations, sequence);
      return this.#read(this.#locations.slice(start, start + limit));
    });
  }

  /**
   * Records, as an entry of the chain, that `acknowledgedBy` has seen every open finding, and
   * lifts the block on appends. Resolves null when there was nothing to acknowledge.
   */
  acknowledgeTampering(acknowledgedBy: string, note?: string): Promise<JournalEntry | null> {
    if (acknowledgedBy.trim() === '') {
      return Promise.reject(new JournalError('invalid-event', 'Say who acknowledges the tampering.'));
    }
    return this.#operation(async () => {
      const open = this.#findings.filter((finding) => !finding.acknowledged);
      if (open.length === 0) return null;
      const payload = {
        acknowledgedBy,
        ...(note === undefined ? {} : { note }),
        findings: open.map((finding) => ({
          key: findingKey(finding),
          kind: finding.kind,
          segment: finding.segment,
          offset: finding.offset,
          sequence: finding.sequence,
          message: finding.message,
        })),
      };
      const event: PreparedEvent = {
        eventId: `${TAMPER_ACK_TYPE}:${this.#settings.deviceId}:${this.#lastSequence + 1}`,
        type: TAMPER_ACK_TYPE,
        canonicalPayload: canonicalJson(payload),
      };
      const entry = await new Promise<JournalEntry>((resolve, reject) => {
        void this.#commit([{ kind: 'append', event, resolve, reject }]);
      });
      this.#findings = this.#findings.map((finding) => ({ ...finding, acknowledged: true }));
      return entry;
    });
  }

  /**
   * Removes whole segments, oldest first, whose newest entry is older than the retention period
   * at `now`. The current segment is never removed, and removal stops at the first segment still
   * in retention, so the kept segments stay one verifiable chain anchored by the first one's
   * header. Refused while tampering is unacknowledged: that would delete the evidence.
   */
  prune(now: Date): Promise<PruneReport> {
    return this.#operation(async () => {
      if (this.#blocked()) throw tamperedError(this.#findings);
      const cutoff = now.getTime() - this.#settings.retentionDays * DAY_MS;
      const removed: Segment[] = [];
      try {
        for (;;) {
          const oldest = this.#segments[0];
          if (oldest === undefined || this.#segments.length <= 1) break;
          const newest = Date.parse(oldest.lastRecordedAt ?? oldest.createdAt ?? '');
          if (!(newest < cutoff)) break;
          await unlink(oldest.path);
          this.#segments.shift();
          removed.push(oldest);
        }
        if (removed.length > 0) await fsyncDir(this.#settings.dir);
        await pruneTornCopies(this.#settings.dir, cutoff);
      } catch (error) {
        throw ioError('remove old journal segments', error);
      } finally {
        this.#forget(removed);
      }
      return {
        removedSegments: removed.map((segment) => segment.name),
        removedEntries: removed.reduce((sum, segment) => sum + segment.entryCount, 0),
        firstSequence: this.firstSequence,
      };
    });
  }

  /** Waits for queued work, then closes the file and releases the lock. */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#closed = true;
    this.#closing = new Promise<void>((resolve, reject) => {
      this.#queue.push({
        kind: 'op',
        run: async () => {
          let failure: unknown = null;
          try {
            await this.#handle.close();
          } catch (error) {
            failure = error;
          }
          // Released even when the close failed: the process is done with the folder.
          await this.#lock.release().catch(() => undefined);
          if (failure === null) resolve();
          else reject(ioError('close the journal', failure));
        },
      });
      this.#schedule();
    });
    return this.#closing;
  }

  // -------------------------------------------------------------------------------------------

  #blocked(): boolean {
    return this.#findings.some((finding) => !finding.acknowledged);
  }

  #refusal(): JournalError | null {
    if (this.#closed) return new JournalError('closed', 'The sales journal is closed.');
    return this.#failure;
  }

  #operation<T>(run: () => Promise<T>): Promise<T> {
    const refusal = this.#closed ? this.#refusal() : null;
    if (refusal !== null) return Promise.reject(refusal);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        kind: 'op',
        run: async () => {
          try {
            resolve(await run());
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
      });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#draining) return;
    this.#draining = true;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      for (let task = this.#queue[0]; task !== undefined; task = this.#queue[0]) {
        if (task.kind === 'op') {
          this.#queue.shift();
          await task.run();
          continue;
        }
        let count = 0;
        while (count < this.#queue.length && count < MAX_BATCH && this.#queue[count]?.kind === 'append')
          count++;
        const batch = this.#queue
          .splice(0, count)
          .filter((item): item is AppendTask => item.kind === 'append');
        await this.#commit(batch);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Writes a batch of appends; settles every task and never throws. */
  async #commit(tasks: readonly AppendTask[]): Promise<void> {
    if (this.#failure !== null) {
      for (const task of tasks) task.reject(this.#failure);
      return;
    }
    type Outcome =
      | { readonly task: AppendTask; readonly fresh: JournalEntry; durable: boolean }
      | { readonly task: AppendTask; readonly duplicateOf: JournalEntry; readonly canonicalPayload: string }
      | { readonly task: AppendTask; readonly existing: Location };
    const outcomes: Outcome[] = [];
    const inBatch = new Map<string, { entry: JournalEntry; canonicalPayload: string }>();
    let pending: { frame: Buffer; outcome: { fresh: JournalEntry; durable: boolean } }[] = [];
    let pendingBytes = 0;
    let sequence = this.#lastSequence;
    let prevHash = this.#lastHash;
    try {
      for (const task of tasks) {
        const { event } = task;
        const existing = this.#byEventId.get(event.eventId);
        if (existing !== undefined) {
          outcomes.push({ task, existing });
          continue;
        }
        const earlier = inBatch.get(event.eventId);
        if (earlier !== undefined) {
          outcomes.push({ task, duplicateOf: earlier.entry, canonicalPayload: event.canonicalPayload });
          continue;
        }
        const recordedAt = this.#settings.clock().toISOString();
        sequence += 1;
        const body = entryBodyJson({
          deviceId: this.#settings.deviceId,
          eventId: event.eventId,
          type: event.type,
          canonicalPayload: event.canonicalPayload,
          recordedAt,
          sequence,
        });
        const { frame, hash } = encodeEntryFrame(prevHash, body);
        const lastPending = pending.at(-1)?.outcome.fresh.recordedAt;
        if (this.#needsRoll(recordedAt, frame.length, pendingBytes, pending.length, lastPending)) {
          await this.#flush(pending);
          pending = [];
          pendingBytes = 0;
          await this.#roll(sequence, prevHash);
        }
        const fresh: JournalEntry = {
          sequence,
          eventId: event.eventId,
          type: event.type,
          payload: JSON.parse(event.canonicalPayload) as JsonValue,
          deviceId: this.#settings.deviceId,
          recordedAt,
          prevHash,
          hash,
        };
        const outcome = { task, fresh, durable: false };
        outcomes.push(outcome);
        inBatch.set(event.eventId, { entry: fresh, canonicalPayload: event.canonicalPayload });
        pending.push({ frame, outcome });
        pendingBytes += frame.length;
        prevHash = hash;
      }
      await this.#flush(pending);
    } catch (error) {
      this.#failure = error instanceof JournalError ? error : ioError('write the journal', error);
      for (const outcome of outcomes) {
        if ('fresh' in outcome && outcome.durable) outcome.task.resolve(outcome.fresh);
        else outcome.task.reject(this.#failure);
      }
      for (const task of tasks.slice(outcomes.length)) task.reject(this.#failure);
      return;
    }
    for (const outcome of outcomes) {
      if ('fresh' in outcome) {
        outcome.task.resolve(outcome.fresh);
      } else if ('duplicateOf' in outcome) {
        settleRetry(outcome.task, outcome.duplicateOf, outcome.canonicalPayload);
      } else {
        try {
          const [stored] = await this.#read([outcome.existing]);
          if (stored === undefined) throw new RangeError('a located entry always reads back');
          settleRetry(outcome.task, stored, outcome.task.event.canonicalPayload);
        } catch (error) {
          outcome.task.reject(error);
        }
      }
    }
  }

  #needsRoll(
    recordedAt: string,
    frameBytes: number,
    pendingBytes: number,
    pendingCount: number,
    lastPendingAt: string | undefined,
  ): boolean {
    const current = this.#current();
    if (current.entryCount + pendingCount === 0) return false;
    if (current.size + pendingBytes + frameBytes > this.#settings.maxSegmentBytes) return true;
    const lastAt = lastPendingAt ?? current.lastRecordedAt;
    return lastAt !== null && utcDay(lastAt) !== utcDay(recordedAt);
  }

  /** One write and one fdatasync for the frames; the in-memory state moves only after both. */
  async #flush(
    pending: readonly { frame: Buffer; outcome: { fresh: JournalEntry; durable: boolean } }[],
  ): Promise<void> {
    const last = pending.at(-1);
    if (last === undefined) return;
    const segment = this.#current();
    const bytes = pending.length === 1 ? last.frame : Buffer.concat(pending.map((item) => item.frame));
    await writeAll(this.#handle, bytes, segment.size);
    await this.#handle.datasync();
    let offset = segment.size;
    for (const { frame, outcome } of pending) {
      const location: Location = {
        sequence: outcome.fresh.sequence,
        eventId: outcome.fresh.eventId,
        segment,
        offset,
        length: frame.length,
      };
      this.#locations.push(location);
      this.#byEventId.set(location.eventId, location);
      offset += frame.length;
      outcome.durable = true;
    }
    segment.size = offset;
    segment.entryCount += pending.length;
    segment.lastRecordedAt = last.outcome.fresh.recordedAt;
    this.#lastSequence = last.outcome.fresh.sequence;
    this.#lastHash = last.outcome.fresh.hash;
  }

  async #roll(firstSequence: number, prevHash: string): Promise<void> {
    const { segment, handle } = await createSegment(this.#settings, firstSequence, prevHash);
    const previous = this.#handle;
    this.#handle = handle;
    this.#segments.push(segment);
    await previous.close();
  }

  #current(): Segment {
    const current = this.#segments.at(-1);
    if (current === undefined) throw new RangeError('the journal always has a current segment');
    return current;
  }

  /** Reads located entries back, one read per contiguous run of a segment. */
  async #read(locations: readonly Location[]): Promise<JournalEntry[]> {
    const entries: JournalEntry[] = [];
    let index = 0;
    while (index < locations.length) {
      const first = locations[index];
      if (first === undefined) break;
      let end = index + 1;
      let runEnd = first.offset + first.length;
      for (
        let next = locations[end];
        next?.segment === first.segment && next.offset === runEnd;
        next = locations[end]
      ) {
        runEnd += next.length;
        end++;
      }
      const bytes = Buffer.alloc(runEnd - first.offset);
      let handle: FileHandle | undefined;
      try {
        handle = await open(first.segment.path, 'r');
        const { bytesRead } = await handle.read(bytes, 0, bytes.length, first.offset);
        if (bytesRead !== bytes.length) throw new Error(`short read in ${first.segment.name}`);
      } catch (error) {
        throw ioError(`read ${first.segment.name}`, error);
      } finally {
        await handle?.close();
      }
      for (const location of locations.slice(index, end)) {
        entries.push(entryAt(bytes, location.offset - first.offset, location));
      }
      index = end;
    }
    return entries;
  }

  #forget(segments: readonly Segment[]): void {
    if (segments.length === 0) return;
    const gone = new Set(segments);
    this.#locations = this.#locations.filter((location) => {
      if (!gone.has(location.segment)) return true;
      if (this.#byEventId.get(location.eventId) === location) this.#byEventId.delete(location.eventId);
      return false;
    });
  }
}

// ---------------------------------------------------------------------------------------------

function checkOptions(dir: string, options: SalesJournalOptions): Settings {
  const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const maxSegmentBytes = options.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES;
  if (options.deviceId.trim() === '') throw new RangeError('the journal needs a deviceId');
  if (!(retentionDays > 0)) throw new RangeError(`retentionDays must be positive, got ${retentionDays}`);
  if (!Number.isSafeInteger(maxSegmentBytes) || maxSegmentBytes < 1024) {
    throw new RangeError(`maxSegmentBytes must be an integer ≥ 1024, got ${maxSegmentBytes}`);
  }
  return {
    dir,
    deviceId: options.deviceId,
    clock: options.clock ?? (() => new Date()),
    retentionDays,
    maxSegmentBytes,
  };
}

function prepareEvent(event: JournalEvent): PreparedEvent {
  const { eventId, type } = event;
  if (typeof eventId !== 'string' || eventId === '' || eventId.length > MAX_ID_LENGTH) {
    throw new JournalError('invalid-event', `An event needs an eventId of 1–${MAX_ID_LENGTH} characters.`);
  }
  if (typeof type !== 'string' || type === '' || type.length > MAX_ID_LENGTH) {
    throw new JournalError(
      'invalid-event',
      `Event ${eventId} needs a type of 1–${MAX_ID_LENGTH} characters.`,
    );
  }
  if (type.startsWith('journal.')) {
    throw new JournalError('invalid-event', `Event type "${type}" is reserved for the journal itself.`);
  }
  let canonicalPayload: string;
  try {
    canonicalPayload = canonicalJson(event.payload);
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    throw new JournalError('invalid-event', `Event ${eventId} cannot be journaled: ${error.message}.`, {
      cause: error,
    });
  }
  if (Buffer.byteLength(canonicalPayload, 'utf8') > MAX_RECORD_BYTES - ENTRY_OVERHEAD_BYTES) {
    throw new JournalError('invalid-event', `Event ${eventId} is larger than the journal accepts.`);
  }
  return { eventId, type, canonicalPayload };
}

function settleRetry(task: AppendTask, stored: JournalEntry, canonicalPayload: string): void {
  if (stored.type === task.event.type && canonicalJson(stored.payload) === canonicalPayload) {
    task.resolve(stored);
    return;
  }
  task.reject(
    new JournalError(
      'event-id-conflict',
      `Event ${stored.eventId} is already journaled as sequence ${stored.sequence} with different ` +
        'content; an event id must never be reused.',
    ),
  );
}

function tamperedError(findings: readonly TamperFinding[]): JournalError {
  const open = findings.filter((finding) => !finding.acknowledged);
  const first = open[0];
  const where =
    first === undefined ? '' : ` First: ${first.kind} in ${first.segment} at byte ${first.offset}.`;
  return new JournalError(
    'tampered',
    `The sales journal failed its integrity check (${open.length} finding(s)); no sale can be recorded ` +
      `until a manager acknowledges it.${where}`,
  );
}

function entryAt(bytes: Buffer, offset: number, location: Location): JournalEntry {
  const frame = decodeFrameAt(bytes, offset);
  const record = typeof frame === 'string' ? null : decodeRecord(frame.record);
  if (record?.kind !== 'entry' || record.body.sequence !== location.sequence) {
    throw new JournalError(
      'tampered',
      `Journal entry ${location.sequence} in ${location.segment.name} changed on disk since the journal was opened.`,
    );
  }
  const { body } = record;
  return {
    sequence: body.sequence,
    eventId: body.eventId,
    type: body.type,
    payload: body.payload,
    deviceId: body.deviceId,
    recordedAt: body.recordedAt,
    prevHash: record.prevHash,
    hash: record.hash,
  };
}

/** Index of the first location whose sequence is above `sequence` (locations are sorted). */
function firstIndexAbove(locations: readonly Location[], sequence: number): number {
  let low = 0;
  let high = locations.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((locations[middle]?.sequence ?? Number.POSITIVE_INFINITY) <= sequence) low = middle + 1;
    else high = middle;
  }
  return low;
}

function utcDay(iso: string): string {
  return iso.slice(0, 10);
}

async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    if (bytesWritten <= 0) throw new Error('the disk accepted no bytes');
    written += bytesWritten;
  }
}

/** Makes a created or removed file name durable. Windows cannot open a folder; NTFS journals names. */
async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function createSegment(
  settings: Settings,
  firstSequence: number,
  prevHash: string,
): Promise<{ segment: Segment; handle: FileHandle }> {
  const name = segmentFileName(firstSequence);
  const path = join(settings.dir, name);
  const createdAt = settings.clock().toISOString();
  const header = encodeHeaderFrame({ deviceId: settings.deviceId, firstSequence, prevHash, createdAt });
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'wx');
    await writeAll(handle, header, 0);
    await handle.datasync();
    await fsyncDir(settings.dir);
  } catch (error) {
    if (handle !== undefined) {
      // Leave no half-made segment behind (recovery would remove it, but only as the last one).
      await handle.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
    }
    throw ioError(`create the journal segment ${name}`, error);
  }
  return {
    segment: {
      name,
      path,
      firstSequence,
      createdAt,
      size: header.length,
      entryCount: 0,
      lastRecordedAt: null,
    },
    handle,
  };
}

async function recover(settings: Settings): Promise<Recovered> {
  const { dir, deviceId } = settings;
  const files = (await readdir(dir))
    .map((name) => ({ name, nameSequence: parseSegmentFileName(name) }))
    .filter((file): file is { name: string; nameSequence: number } => file.nameSequence !== null)
    .sort((a, b) => a.nameSequence - b.nameSequence);

  // The last segment first: refuse another device's folder before changing anything in it, then
  // cut a torn tail, which only the last segment can have.
  const tornTails: TornTail[] = [];
  let lastScan: { scan: SegmentScan; size: number } | null = null;
  const lastFile = files.at(-1);
  if (lastFile !== undefined) {
    const path = join(dir, lastFile.name);
    const bytes = await readFile(path);
    const scan = scanSegment(bytes);
    const first = scan.frames[0];
    const record = first?.offset === 0 ? decodeRecord(first.record) : null;
    if (record?.kind === 'header' && record.header.deviceId !== deviceId) {
      throw new JournalError(
        'wrong-device',
        `The journal in ${dir} belongs to device "${record.header.deviceId}", not "${deviceId}".`,
      );
    }
    if (scan.tail !== null) {
      const { offset, length, reason } = scan.tail;
      const savedTo = await saveTornBytes(dir, lastFile.name, offset, bytes.subarray(offset));
      const segmentRemoved = scan.frames.length === 0;
      if (segmentRemoved) {
        await unlink(path);
        await fsyncDir(dir);
        files.pop();
      } else {
        const handle = await open(path, 'r+');
        try {
          await handle.truncate(offset);
          await handle.datasync();
        } finally {
          await handle.close();
        }
        lastScan = { scan: { ...scan, tail: null }, size: offset };
      }
      tornTails.push({ segment: lastFile.name, offset, bytes: length, reason, savedTo, segmentRemoved });
    } else if (scan.frames.length === 0) {
      // An empty file: the crash came before the header's first byte.
      await unlink(path);
      await fsyncDir(dir);
      files.pop();
      tornTails.push({
        segment: lastFile.name,
        offset: 0,
        bytes: 0,
        reason: 'empty segment file',
        savedTo: null,
        segmentRemoved: true,
      });
    } else {
      lastScan = { scan, size: bytes.length };
    }
  }

  const verifier = new ChainVerifier(deviceId);
  const sizes: number[] = [];
  for (const [index, file] of files.entries()) {
    const isLast = index === files.length - 1;
    if (isLast && lastScan !== null) {
      verifier.add({ name: file.name, nameSequence: file.nameSequence, scan: lastScan.scan });
      sizes.push(lastScan.size);
    } else {
      const bytes = await readFile(join(dir, file.name));
      verifier.add({ name: file.name, nameSequence: file.nameSequence, scan: scanSegment(bytes) });
      sizes.push(bytes.length);
    }
  }
  const verified = verifier.result();
  const segments: Segment[] = verified.segments.map((segment, index) => ({
    name: segment.name,
    path: join(dir, segment.name),
    firstSequence: segment.firstSequence,
    createdAt: segment.header?.createdAt ?? null,
    size: sizes[index] ?? 0,
    entryCount: segment.entryCount,
    lastRecordedAt: segment.lastRecordedAt,
  }));
  const locations: Location[] = [];
  for (const entry of verified.entries) {
    const segment = segments[entry.segmentIndex];
    if (segment === undefined) throw new RangeError('a verified entry always has its segment');
    locations.push({
      sequence: entry.sequence,
      eventId: entry.eventId,
      segment,
      offset: entry.offset,
      length: entry.length,
    });
  }
  if (segments.length === 0) {
    const { segment, handle } = await createSegment(settings, 1, GENESIS_HASH);
    await handle.close();
    segments.push(segment);
  }
  return {
    segments,
    locations,
    lastSequence: verified.lastSequence,
    lastHash: verified.lastHash,
    findings: verified.findings,
    tornTails,
  };
}

async function saveTornBytes(dir: string, segment: string, offset: number, bytes: Buffer): Promise<string> {
  const tornDir = join(dir, TORN_DIR);
  await mkdir(tornDir, { recursive: true });
  const path = join(tornDir, `${segment}@${offset}.${randomUUID()}.bin`);
  const handle = await open(path, 'wx');
  try {
    await writeAll(handle, bytes, 0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fsyncDir(tornDir);
  await fsyncDir(dir);
  return path;
}

async function pruneTornCopies(dir: string, cutoff: number): Promise<void> {
  const tornDir = join(dir, TORN_DIR);
  let names: string[];
  try {
    names = await readdir(tornDir);
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return;
    throw error;
  }
  for (const name of names) {
    const path = join(tornDir, name);
    if ((await stat(path)).mtimeMs < cutoff) await unlink(path);
  }
}
