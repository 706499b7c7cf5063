/**
 * The live channel: `/stream` read with fetch streaming (EventSource cannot send `Authorization`). The
 * server only pokes ("collection X changed"); the till answers by pulling from its checkpoint, so any
 * doubt is resolved the same way: on every (re)connect every collection resyncs, because pokes sent while
 * the till was away are gone.
 */
import { BehaviorSubject, Subject } from 'rxjs';
import type { Observable } from 'rxjs';
import { Backoff, DEFAULT_BACKOFF } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';

/** One parsed piece of an event stream (WHATWG HTML "Interpreting an event stream"). */
export type SseFrame =
  | { readonly kind: 'event'; readonly event: string; readonly data: string; readonly id: string }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'retry'; readonly ms: number };

/**
 * Incremental parser: feed it decoded text as it arrives, in chunks cut anywhere (even between CR and LF),
 * and it returns the frames completed by that chunk.
 */
export class SseParser {
  private line = '';
  private afterCr = false;
  private started = false;
  private eventType = '';
  private data: string[] = [];
  private hasData = false;
  private lastEventId = '';

  feed(chunk: string): SseFrame[] {
    const frames: SseFrame[] = [];
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* LF */ && this.afterCr) {
        // The LF of a CRLF split across chunks, or right after a CR line end.
        this.afterCr = false;
        start = i + 1;
        continue;
      }
      this.afterCr = false;
      if (c === 13 /* CR */ || c === 10) {
        this.line += text.slice(start, i);
        this.processLine(this.line, frames);
        this.line = '';
        this.afterCr = c === 13;
        start = i + 1;
      }
    }
    this.line += text.slice(start);
    return frames;
  }

  private processLine(line: string, frames: SseFrame[]): void {
    if (line === '') {
      if (this.hasData) {
        frames.push({
          kind: 'event',
          event: this.eventType === '' ? 'message' : this.eventType,
          data: this.data.join('\n'),
          id: this.lastEventId,
        });
      }
      this.eventType = '';
      this.data = [];
      this.hasData = false;
      return;
    }
    if (line.startsWith(':')) {
      frames.push({ kind: 'comment', text: line.slice(1).replace(/^ /, '') });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) frames.push({ kind: 'retry', ms: Number(value) });
        break;
      default:
        // Unknown fields are ignored, as the standard says.
        break;
    }
  }
}

/** What a frame means to the till. */
export type StreamSignal =
  | { readonly type: 'hello'; readonly serverEpoch: string }
  | { readonly type: 'poke'; readonly collections: readonly string[]; readonly scope: string }
  | { readonly type: 'keepalive' }
  | { readonly type: 'retry'; readonly ms: number }
  | { readonly type: 'unknown'; readonly event: string };

function parseJsonObject(data: string): Readonly<Record<string, unknown>> | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Readonly<Record<string, unknown>>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function interpretFrame(frame: SseFrame): StreamSignal {
  switch (frame.kind) {
    case 'comment':
      return { type: 'keepalive' };
    case 'retry':
      return { type: 'retry', ms: frame.ms };
    case 'event': {
      const body = parseJsonObject(frame.data);
      if (frame.event === 'hello' && typeof body?.serverEpoch === 'string') {
        return { type: 'hello', serverEpoch: body.serverEpoch };
      }
      if (frame.event === 'poke' && Array.isArray(body?.collections)) {
        const collections = (body.collections as readonly unknown[]).filter(
          (c): c is string => typeof c === 'string',
        );
        return { type: 'poke', collections, scope: typeof body.scope === 'string' ? body.scope : 'global' };
      }
      return { type: 'unknown', event: frame.event };
    }
  }
}

export interface SseReaderOptions {
  /** Opens the stream (SyncClient.openStream): resolves to a 200 response or throws. */
  readonly open: (signal: AbortSignal) => Promise<Response>;
  /** Collections that resync on (re)connect and that pokes may name. */
  readonly collections: readonly string[];
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  /** No byte (not even a keep-alive comment) for this long = a dead connection; reconnect. */
  readonly idleTimeoutMs?: number;
}

export type ResyncReason = 'connect' | 'poke';

export interface ResyncRequest {
  readonly collection: string;
  readonly reason: ResyncReason;
}

export class SseReader {
  private readonly subjects = new Map<string, Subject<'RESYNC'>>();
  private readonly connectedSubject = new BehaviorSubject<boolean>(false);
  private readonly connectsSubject = new Subject<void>();
  private readonly resyncSubject = new Subject<ResyncRequest>();
  private readonly signalsSubject = new Subject<StreamSignal>();
  private readonly errorsSubject = new Subject<unknown>();
  private readonly backoff: Backoff;
  private readonly idleTimeoutMs: number;
  private running = false;
  private idleTimedOut = false;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private serverRetryMs = 0;

  /** Whether the stream is open now. */
  readonly connected$: Observable<boolean> = this.connectedSubject.asObservable();
  /** Emits on every successful (re)connect. */
  readonly connects$: Observable<void> = this.connectsSubject.asObservable();
  readonly resyncs$: Observable<ResyncRequest> = this.resyncSubject.asObservable();
  readonly signals$: Observable<StreamSignal> = this.signalsSubject.asObservable();
  /** Why a connection failed or ended; the reader reconnects by itself. */
  readonly errors$: Observable<unknown> = this.errorsSubject.asObservable();

  constructor(private readonly options: SseReaderOptions) {
    for (const collection of options.collections) this.subjects.set(collection, new Subject<'RESYNC'>());
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random ?? Math.random);
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  }

  /** The `pull.stream$` of one collection's replication. It never errors (an erroring stream$ kills RxDB's subscription). */
  stream(collection: string): Observable<'RESYNC'> {
    let subject = this.subjects.get(collection);
    if (subject === undefined) {
      subject = new Subject<'RESYNC'>();
      this.subjects.set(collection, subject);
    }
    return subject.asObservable();
  }

  get isConnected(): boolean {
    return this.connectedSubject.value;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Drops the current connection (if any) and reconnects now, e.g. when the OS reports the network back. */
  reconnectNow(): void {
    this.backoff.succeed();
    this.abort?.abort();
    this.wake?.();
  }

  private resyncAll(reason: ResyncReason): void {
    for (const [collection, subject] of this.subjects) {
      this.resyncSubject.next({ collection, reason });
      subject.next('RESYNC');
    }
  }

  private handle(signal: StreamSignal): void {
    this.signalsSubject.next(signal);
    if (signal.type === 'retry') this.serverRetryMs = signal.ms;
    if (signal.type === 'poke') {
      for (const collection of new Set(signal.collections)) {
        const subject = this.subjects.get(collection);
        if (subject === undefined) continue;
        this.resyncSubject.next({ collection, reason: 'poke' });
        subject.next('RESYNC');
      }
    }
  }

  /** Read through a method: `stop()` flips it while the loop awaits, which narrowing cannot see. */
  private isRunning(): boolean {
    return this.running;
  }

  private async run(): Promise<void> {
    while (this.isRunning()) {
      const abort = new AbortController();
      this.abort = abort;
      try {
        const response = await this.options.open(abort.signal);
        if (response.body === null) throw new Error('the stream has no body');
        this.backoff.succeed();
        this.connectedSubject.next(true);
        this.connectsSubject.next();
        // Pokes sent while the till was away are lost: pull everything from the checkpoints.
        this.resyncAll('connect');
        await this.read(response.body, abort);
        if (this.isRunning()) {
          this.errorsSubject.next(
            new Error(
              this.idleTimedOut
                ? 'the live stream went silent; reconnecting'
                : 'the sync server closed the live stream',
            ),
          );
        }
      } catch (error) {
        if (this.isRunning() && !abort.signal.aborted) this.errorsSubject.next(error);
      } finally {
        this.idleTimedOut = false;
        if (this.connectedSubject.value) this.connectedSubject.next(false);
      }
      if (!this.isRunning()) break;
      const delay = Math.max(this.backoff.fail(), this.serverRetryMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async read(body: ReadableStream<Uint8Array>, abort: AbortController): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    let idle: ReturnType<typeof setTimeout> | undefined;
    const armIdle = (): void => {
      if (idle !== undefined) clearTimeout(idle);
      idle = setTimeout(() => {
        this.idleTimedOut = true;
        abort.abort();
      }, this.idleTimeoutMs);
    };
    const onAbort = (): void => {
      void reader.cancel().catch(() => undefined);
    };
    abort.signal.addEventListener('abort', onAbort);
    armIdle();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || abort.signal.aborted) return;
        armIdle();
        for (const frame of parser.feed(decoder.decode(value, { stream: true }))) {
          this.handle(interpretFrame(frame));
        }
      }
    } finally {
      if (idle !== undefined) clearTimeout(idle);
      abort.signal.removeEventListener('abort', onAbort);
      try {
        reader.releaseLock();
      } catch {
        // Already released by the cancel.
      }
    }
  }
}
