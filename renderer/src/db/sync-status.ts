/**
 * The till's sync status for the status bar: online or not, when it last synced, how many events wait
 * to be acknowledged, how many the server quarantined, and what went wrong, in words. A tiny store over an
 * RxJS BehaviorSubject: the UI subscribes (or reads `current`), the replication controller patches it.
 */
import { BehaviorSubject } from 'rxjs';
import type { Observable } from 'rxjs';

export type SyncPhase = 'starting' | 'online' | 'offline' | 'stopped';

export interface SyncStatus {
  readonly phase: SyncPhase;
  /** The live stream is open, or the last request reached the server. */
  readonly online: boolean;
  /** Epoch ms of the last successful pull or push; null before the first one. */
  readonly lastSyncedAt: number | null;
  /** Outbox events the server has not acknowledged yet. */
  readonly eventsWaiting: number;
  /** Events the server kept but could not apply (quarantined): HQ must look at them. */
  readonly quarantined: number;
  /** Current problems, in words a cashier or manager can act on; empty when all is well. */
  readonly errors: readonly string[];
  /** Set when the server was found to have lost acknowledged events and the till re-sent them. */
  readonly recoveredFromDataLoss: { readonly fromDeviceSeq: number; readonly events: number } | null;
  /**
   * The first pull of every catalog collection since the till started: `downloading` until each has
   * caught up with the server, with the rows received so far (a new till downloading a large catalog
   * sells what has arrived, and the status bar says the rest is on its way).
   */
  readonly catalog: { readonly state: 'downloading' | 'ready'; readonly rows: number };
}

export const INITIAL_SYNC_STATUS: SyncStatus = {
  phase: 'starting',
  online: false,
  lastSyncedAt: null,
  eventsWaiting: 0,
  quarantined: 0,
  errors: [],
  recoveredFromDataLoss: null,
  catalog: { state: 'downloading', rows: 0 },
};

/**
 * Where a problem comes from (`pull:prices`, `push:events`, `stream`, `handshake` …): a success of the
 * same source clears it, so a failing push stays visible while pulls succeed.
 */
export type SyncErrorSource = string;

export class SyncStatusStore {
  private readonly subject: BehaviorSubject<SyncStatus>;
  private readonly problems = new Map<SyncErrorSource, string>();
  readonly status$: Observable<SyncStatus>;

  constructor(initial: Partial<SyncStatus> = {}) {
    this.subject = new BehaviorSubject<SyncStatus>({ ...INITIAL_SYNC_STATUS, ...initial });
    this.status$ = this.subject.asObservable();
  }

  get current(): SyncStatus {
    return this.subject.value;
  }

  update(patch: Partial<SyncStatus>): void {
    const next = { ...this.subject.value, ...patch };
    if (next.online && next.phase === 'offline') next.phase = 'online';
    if (!next.online && next.phase === 'online') next.phase = 'offline';
    this.subject.next(next);
  }

  setOnline(online: boolean): void {
    if (this.current.phase === 'stopped') return;
    this.update({ online, phase: online ? 'online' : 'offline' });
  }

  /** A successful exchange of `source` with the server: online, synced now, that source's problem is over. */
  synced(at: number, source?: SyncErrorSource): void {
    if (this.current.phase === 'stopped') return;
    if (source !== undefined) this.problems.delete(source);
    this.update({ online: true, phase: 'online', lastSyncedAt: at, errors: this.errorList() });
  }

  reportError(source: SyncErrorSource, message: string): void {
    this.problems.set(source, message);
    this.update({ errors: this.errorList() });
  }

  clearError(source: SyncErrorSource): void {
    if (!this.problems.delete(source)) return;
    this.update({ errors: this.errorList() });
  }

  /** Distinct messages, in the order their sources first failed. */
  private errorList(): readonly string[] {
    return [...new Set(this.problems.values())];
  }

  complete(): void {
    this.subject.complete();
  }
}
