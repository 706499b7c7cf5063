/**
 * The durable print queue. A receipt is printed exactly once, whatever happens to the printer or to
 * the process, and a receipt whose fate is unknown is printed again only marked as a COPY.
 *
 * - Ids are the caller's (e.g. "<receipt number>" for the original, "<receipt number>/copy-1" for a
 *   reprint the cashier asked for). Enqueuing an id that is already known returns the known job and
 *   prints nothing: the sale screen may retry its "print" call freely.
 * - Every change is appended to a JSON-lines journal in the data directory and fsync'ed before the
 *   call that made it resolves, so an acknowledged job survives a crash or a power cut.
 * - States: queued → printing → printed, or → failed (waiting for recovery) → printing again.
 * - Before each job the queue asks the printer's status (never while a job's bytes are being
 *   written); a printer out of paper, with its cover open, unplugged or switched off leaves the job
 *   `failed` with the reason, and the queue polls every `retryIntervalMs` until it recovers. A printer
 *   that runs out of paper in the middle of a job keeps the rest in its buffer: the job stays
 *   `printing` until the printer answers the job's fence after the new roll is in.
 *
 * When is a job printed again as a COPY ("reprint" marking)? Whenever bytes of it may have reached
 * the printer without the printer confirming it: the process died while the job was `printing`, the
 * link dropped before the fence came back, or the printer never answered the fence. Part or all of
 * the receipt may be on paper then, and a second original must never exist; a COPY banner is harmless
 * when the first attempt in fact printed nothing. A job that failed before any byte was written
 * (status check said "no paper", link down) prints as it was. Cashier-requested reprints are COPY
 * jobs from the start (`reprint`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DurableJsonLines } from '../../device/durable-json-lines.ts';
import { TypedEmitter, type Listener } from '../../device/events.ts';
import { errorText, isDeviceError } from '../../device/errors.ts';
import { BEFORE_SEND, type PrintTarget } from './receipt-printer.ts';
import { describeStatus, isReady, type PrinterStatus } from './status.ts';

export type PrintJobState = 'queued' | 'printing' | 'printed' | 'failed';

export interface PrintJobError {
  readonly code: string;
  readonly message: string;
}

export interface PrintJob<P> {
  readonly id: string;
  readonly payload: P;
  /** Printed marked as a copy: a reprint the cashier asked for, or a retry of an unconfirmed job. */
  readonly copy: boolean;
  /** Why it is a copy: 'requested' by the user, or 'recovery' after an unconfirmed attempt. */
  readonly copyReason?: 'requested' | 'recovery';
  readonly state: PrintJobState;
  readonly attempts: number;
  readonly enqueuedAt: string;
  readonly printedAt?: string;
  /** Why the job waits (failed state). */
  readonly error?: PrintJobError;
}

export interface RenderMarking {
  readonly copy: boolean;
  /** ISO time of this (re)print, for the "Reprinted" row. */
  readonly printedAt: string;
}

export interface PrintQueueOptions<P> {
  readonly dataDir: string;
  readonly target: PrintTarget;
  /** The bytes of one attempt; `copy` asks for the COPY marking. */
  readonly render: (payload: P, marking: RenderMarking) => Uint8Array;
  readonly clock?: () => Date;
  /** Status poll interval while a job waits for the printer to recover. */
  readonly retryIntervalMs?: number;
  /** Printed jobs remembered (for idempotency) when the journal is compacted at open. */
  readonly retainPrinted?: number;
  /** Journal file name inside dataDir. */
  readonly fileName?: string;
  /**
   * The printer's status events (ReceiptPrinter 'printerStatus', pushed by ASB): a waiting job is tried
   * as soon as the printer reports itself ready, instead of at the next poll.
   */
  readonly subscribeStatus?: (listener: (status: PrinterStatus) => void) => () => void;
}

interface PrintQueueEvents<P> {
  readonly job: PrintJob<P>;
  /** The journal could not be written; printing is retried. */
  readonly error: unknown;
}

type JournalRecord =
  | {
      readonly t: 'enqueue';
      readonly id: string;
      readonly payload: unknown;
      readonly copy: boolean;
      readonly copyReason?: 'requested' | 'recovery';
      readonly at: string;
    }
  | {
      readonly t: 'state';
      readonly id: string;
      readonly state: PrintJobState;
      readonly attempts: number;
      readonly copy: boolean;
      readonly copyReason?: 'requested' | 'recovery';
      readonly at: string;
      readonly error?: PrintJobError;
    };

export const DEFAULT_RETRY_INTERVAL_MS = 2000;
/** The error code of a job whose payload the renderer refused; it is skipped, not retried. */
export const RENDER_FAILED = 'render_failed';
const DEFAULT_RETAIN_PRINTED = 5000;

export class PrintQueue<P> {
  readonly #jobs = new Map<string, PrintJob<P>>();
  readonly #events = new TypedEmitter<PrintQueueEvents<P>>();
  readonly #clock: () => Date;
  readonly #retryIntervalMs: number;
  readonly #log: DurableJsonLines;
  #pumping: Promise<void> | undefined;
  #again = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #started = false;
  #closed = false;
  #unsubscribe: (() => void) | undefined;

  private constructor(
    private readonly options: PrintQueueOptions<P>,
    readonly path: string,
  ) {
    this.#clock = options.clock ?? (() => new Date());
    this.#retryIntervalMs = options.retryIntervalMs ?? DEFAULT_RETRY_INTERVAL_MS;
    this.#log = new DurableJsonLines(path);
  }

  /**
   * Opens (or creates) the journal, replays it, and compacts it. A job that was `printing` when the
   * previous process stopped is queued again marked as a copy (see the module comment).
   */
  static async open<P>(options: PrintQueueOptions<P>): Promise<PrintQueue<P>> {
    await mkdir(options.dataDir, { recursive: true });
    const path = join(options.dataDir, options.fileName ?? 'print-queue.jsonl');
    const queue = new PrintQueue(options, path);
    await queue.#load();
    return queue;
  }

  /** Starts printing; jobs enqueued before start wait. */
  start(): void {
    if (this.#closed) throw new RangeError('the print queue is closed');
    this.#started = true;
    this.#unsubscribe ??= this.options.subscribeStatus?.((status) => {
      if (isReady(status) && this.jobs.some((job) => job.state === 'failed')) this.retryNow();
    });
    this.#kick();
  }

  /**
   * Stops printing and closes the journal. It does not wait for a job the printer is holding (out of
   * paper, say): that job stays `printing` on disk and the next open prints it again as a COPY.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#started = false;
    this.#unsubscribe?.();
    clearTimeout(this.#retryTimer);
    await this.#log.close();
  }

  on<K extends keyof PrintQueueEvents<P>>(event: K, listener: Listener<PrintQueueEvents<P>[K]>): () => void {
    return this.#events.on(event, listener);
  }

  job(id: string): PrintJob<P> | undefined {
    return this.#jobs.get(id);
  }

  /** All jobs, oldest first. */
  get jobs(): PrintJob<P>[] {
    return [...this.#jobs.values()];
  }

  /**
   * Adds a job; resolves once it is on disk. An id already known returns that job unchanged (it is
   * neither printed again nor replaced).
   */
  async enqueue(request: {
    readonly id: string;
    readonly payload: P;
    readonly copy?: boolean;
  }): Promise<PrintJob<P>> {
    if (this.#closed) throw new RangeError('the print queue is closed');
    const known = this.#jobs.get(request.id);
    if (known !== undefined) return known;
    const copy = request.copy ?? false;
    const job: PrintJob<P> = {
      id: request.id,
      payload: request.payload,
      copy,
      ...(copy ? { copyReason: 'requested' as const } : {}),
      state: 'queued',
      attempts: 0,
      enqueuedAt: this.#now(),
    };
    this.#jobs.set(job.id, job);
    await this.#append([enqueueRecord(job)]);
    this.#events.emit('job', job);
    this.#kick();
    return job;
  }

  /** A reprint the cashier asked for: a new job `copyId` with the payload of `originalId`, marked COPY. */
  reprint(originalId: string, copyId: string): Promise<PrintJob<P>> {
    const original = this.#jobs.get(originalId);
    if (original === undefined) {
      return Promise.reject(new RangeError(`no print job '${originalId}' to reprint`));
    }
    return this.enqueue({ id: copyId, payload: original.payload, copy: true });
  }

  /** Resolves when the job is printed (for callers that want to wait; the queue needs nobody to). */
  whenPrinted(id: string): Promise<PrintJob<P>> {
    const job = this.#jobs.get(id);
    if (job === undefined) return Promise.reject(new RangeError(`no print job '${id}'`));
    if (job.state === 'printed') return Promise.resolve(job);
    return new Promise((resolve) => {
      const off = this.on('job', (changed) => {
        if (changed.id !== id || changed.state !== 'printed') return;
        off();
        resolve(changed);
      });
    });
  }

  /** Tries waiting jobs now (after the cashier fixed the printer) instead of at the next poll. */
  retryNow(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#kick();
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  #kick(): void {
    if (!this.#started || this.#closed) return;
    if (this.#pumping !== undefined) {
      this.#again = true;
      return;
    }
    this.#pumping = this.#pump()
      .catch((error: unknown) => {
        // The journal could not be written (disk full, closed under us): report, and try again later.
        if (this.#closed) return;
        this.#events.emit('error', error);
        this.#scheduleRetry();
      })
      .finally(() => {
        this.#pumping = undefined;
        if (this.#again) {
          this.#again = false;
          this.#kick();
        }
      });
  }

  async #pump(): Promise<void> {
    for (;;) {
      if (!this.#started || this.#closed) return;
      const job = this.#next();
      if (job === undefined) return;
      const done = await this.#attempt(job);
      if (!done) {
        this.#scheduleRetry();
        return;
      }
    }
  }

  #next(): PrintJob<P> | undefined {
    for (const job of this.#jobs.values()) {
      if (job.state === 'queued' || (job.state === 'failed' && job.error?.code !== RENDER_FAILED)) return job;
    }
    return undefined;
  }

  /** One attempt at `job`; false when it has to wait for the printer. */
  async #attempt(job: PrintJob<P>): Promise<boolean> {
    try {
      const status = await this.options.target.queryStatus();
      if (!isReady(status)) {
        await this.#update(job, {
          state: 'failed',
          error: { code: 'not_ready', message: describeStatus(status) },
        });
        return false;
      }
    } catch (error) {
      await this.#update(job, { state: 'failed', error: toJobError(error) });
      return false;
    }
    const printedAt = this.#now();
    const printing = await this.#update(job, { state: 'printing', attempts: job.attempts + 1 });
    let bytes: Uint8Array;
    try {
      bytes = this.options.render(printing.payload, { copy: printing.copy, printedAt });
    } catch (error) {
      // A payload that cannot be rendered will not render on a retry either: it is set aside (and
      // shown) so the receipts behind it still print. Nothing was sent, so it stays an original.
      await this.#update(printing, {
        state: 'failed',
        error: { code: RENDER_FAILED, message: `The receipt could not be laid out: ${errorText(error)}` },
      });
      return true;
    }
    try {
      await this.options.target.printJob(printing.id, bytes);
    } catch (error) {
      const unsent = isDeviceError(error) && error.params.stage === BEFORE_SEND;
      await this.#update(printing, {
        state: 'failed',
        error: toJobError(error),
        ...(unsent || printing.copy ? {} : { copy: true, copyReason: 'recovery' as const }),
      });
      return false;
    }
    await this.#update(printing, { state: 'printed', printedAt: this.#now() });
    return true;
  }

  #scheduleRetry(): void {
    if (!this.#started || this.#closed || this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#kick();
    }, this.#retryIntervalMs);
  }

  async #update(
    job: PrintJob<P>,
    change: {
      readonly state: PrintJobState;
      readonly attempts?: number;
      readonly error?: PrintJobError;
      readonly copy?: boolean;
      readonly copyReason?: 'requested' | 'recovery';
      readonly printedAt?: string;
    },
  ): Promise<PrintJob<P>> {
    const next: PrintJob<P> = {
      ...withoutError(job),
      ...change,
      attempts: change.attempts ?? job.attempts,
    };
    this.#jobs.set(job.id, next);
    await this.#append([stateRecord(next)]);
    this.#events.emit('job', next);
    return next;
  }

  /** Appends records and fsyncs; writes are serialized so the journal order is the change order. */
  #append(records: readonly JournalRecord[]): Promise<void> {
    return this.#log.append(records);
  }

  async #load(): Promise<void> {
    for (const record of await this.#log.read()) {
      // Anything but a record (a line of another program, a hand edit) is not ours to replay.
      if (typeof record === 'object' && record !== null && 'id' in record)
        this.#replay(record as JournalRecord);
    }
    // A job caught printing by the crash may be partly on paper: print it again, as a copy.
    for (const job of this.#jobs.values()) {
      if (job.state !== 'printing') continue;
      this.#jobs.set(job.id, {
        ...withoutError(job),
        state: 'queued',
        ...(job.copy ? {} : { copy: true, copyReason: 'recovery' as const }),
      });
    }
    await this.#compact();
  }

  #replay(record: JournalRecord): void {
    if (record.t === 'enqueue') {
      if (this.#jobs.has(record.id)) return;
      this.#jobs.set(record.id, {
        id: record.id,
        payload: record.payload as P,
        copy: record.copy,
        ...(record.copyReason === undefined ? {} : { copyReason: record.copyReason }),
        state: 'queued',
        attempts: 0,
        enqueuedAt: record.at,
      });
      return;
    }
    const job = this.#jobs.get(record.id);
    if (job === undefined) return;
    this.#jobs.set(record.id, {
      ...withoutCopyReason(withoutError(job)),
      state: record.state,
      attempts: record.attempts,
      copy: record.copy,
      ...(record.copyReason === undefined ? {} : { copyReason: record.copyReason }),
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.state === 'printed' ? { printedAt: record.at } : {}),
    });
  }

  /** Rewrites the journal as a snapshot (temp file, fsync, rename), dropping the oldest printed jobs. */
  async #compact(): Promise<void> {
    const retain = this.options.retainPrinted ?? DEFAULT_RETAIN_PRINTED;
    const printed = [...this.#jobs.values()].filter((j) => j.state === 'printed');
    for (const job of printed.slice(0, Math.max(0, printed.length - retain))) this.#jobs.delete(job.id);
    const records: JournalRecord[] = [];
    for (const job of this.#jobs.values()) {
      records.push(enqueueRecord(job));
      if (job.state !== 'queued' || job.copy) records.push(stateRecord(job));
    }
    await this.#log.rewrite(records);
  }
}

function enqueueRecord<P>(job: PrintJob<P>): JournalRecord {
  return {
    t: 'enqueue',
    id: job.id,
    payload: job.payload,
    copy: job.copy,
    ...(job.copyReason === undefined ? {} : { copyReason: job.copyReason }),
    at: job.enqueuedAt,
  };
}

function stateRecord<P>(job: PrintJob<P>): JournalRecord {
  return {
    t: 'state',
    id: job.id,
    state: job.state,
    attempts: job.attempts,
    copy: job.copy,
    ...(job.copyReason === undefined ? {} : { copyReason: job.copyReason }),
    at: job.state === 'printed' ? (job.printedAt ?? job.enqueuedAt) : job.enqueuedAt,
    ...(job.error === undefined ? {} : { error: job.error }),
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A copy of `job` without its error (exactOptionalPropertyTypes forbids setting it to undefined). */
function withoutError<P>(job: PrintJob<P>): PrintJob<P> {
  const copy: Mutable<PrintJob<P>> = { ...job };
  delete copy.error;
  return copy;
}

function withoutCopyReason<P>(job: PrintJob<P>): PrintJob<P> {
  const copy: Mutable<PrintJob<P>> = { ...job };
  delete copy.copyReason;
  return copy;
}

function toJobError(error: unknown): PrintJobError {
  if (isDeviceError(error)) return { code: error.code, message: error.message };
  return { code: 'failure', message: `Printing failed: ${errorText(error)}` };
}
