/**
 * The till's HTTP client for the sync protocol (shared/design/sync-protocol.md), over `fetch` so it runs
 * unchanged in the renderer and in Node tests. It owns the device's credentials: the long-lived refresh
 * token from enrolment and the short-lived access token, refreshed shortly before it expires and once
 * more when the server answers 401 anyway (its clock is the one that counts).
 */

export const PROTOCOL_VERSION = 1;
export const MAX_PULL_LIMIT = 1000;
export const MAX_PUSH_ROWS = 100;

/** Server-stamped pull position; opaque to the till, sent back as the server returned it. */
export interface Checkpoint {
  readonly epoch: string;
  /** xid8 as a decimal string: it can exceed 2^53. */
  readonly txid: string;
  readonly seq: number;
}

export interface Enrollment {
  readonly deviceId: string;
  readonly storeId: string;
  readonly refreshToken: string;
}

export interface AccessToken {
  readonly accessToken: string;
  /** Server time (ISO) at which the token stops working. */
  readonly expiresAt: string;
  readonly deviceId: string;
  readonly storeId: string;
  readonly serverEpoch: string;
  readonly serverTime: string;
}

export interface DeviceState {
  readonly serverEpoch: string;
  readonly deviceId: string;
  readonly storeId: string;
  /** Highest deviceSeq of this device the server holds. */
  readonly lastDeviceSeq: number;
  /** Highest n such that events 1..n of this device are all on the server. */
  readonly contiguousDeviceSeq: number;
  readonly minClientVersion: string;
  readonly serverTime: string;
}

export type ReplicatedDoc = Readonly<Record<string, unknown>> & { readonly _deleted: boolean };

export interface PullResult {
  readonly documents: readonly ReplicatedDoc[];
  readonly checkpoint: Checkpoint;
}

export type AccountType = 'gift_card' | 'store_credit';

/** A gift-card or store-credit account as head office holds it (`GET /accounts/:type/:reference`). */
export interface AccountBalance {
  readonly type: AccountType;
  readonly reference: string;
  /** Minor units of `currency`; below zero when tills spent more than it held. */
  readonly balance: number;
  readonly currency: string;
}

/** What a till asks head office to hold on an account (`POST /accounts/:type/:reference/holds`). */
export interface AccountHoldRequest {
  /** The till's idempotency key: the same id again after a lost answer gets the first answer. */
  readonly holdId: string;
  /** The sale whose push captures the hold. */
  readonly saleId: string;
  /** Minor units of `currency`, above zero. */
  readonly amount: number;
  readonly currency: string;
}

/** Head office's answer to a hold. */
export type AccountHoldAnswer =
  | {
      readonly kind: 'held';
      readonly holdId: string;
      readonly amount: number;
      /** What the account may still pay with this hold counted. */
      readonly available: number;
      readonly expiresAt: string;
    }
  /** The account cannot cover the amount (or is kept in another currency): what it can pay now. */
  | { readonly kind: 'refused'; readonly available: number; readonly currency: string }
  /** Head office knows no such account. */
  | { readonly kind: 'not-found' };

/** RxDB's push row (RxReplicationWriteToMasterRow), as it travels. */
export interface PushRow {
  readonly assumedMasterState?: Readonly<Record<string, unknown>>;
  readonly newDocumentState: Readonly<Record<string, unknown>>;
}

export type SyncErrorKind =
  | 'network'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'too-large'
  | 'upgrade-required'
  | 'server'
  | 'bad-request'
  | 'bad-response';

/** Every failure of a sync call; `kind` says what the till should do about it. */
export class SyncError extends Error {
  constructor(
    readonly kind: SyncErrorKind,
    message: string,
    /** HTTP status, 0 when no response arrived. */
    readonly status: number,
    /** The server's machine-readable `error` field, when it sent one. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SyncError';
  }

  /** Worth retrying later without any change on the till: the network, the server, or a stale token. */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'server' || this.kind === 'unauthorized';
  }
}

/** A missing, expired or forged token, or a revoked device (after one refresh was already tried). */
export class UnauthorizedError extends SyncError {
  constructor(message: string, code?: string) {
    super('unauthorized', message, 401, code);
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends SyncError {
  constructor(message: string, code?: string) {
    super('forbidden', message, 403, code);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends SyncError {
  constructor(message: string, code?: string) {
    super('not-found', message, 404, code);
    this.name = 'NotFoundError';
  }
}

/** Too many rows or too large a body: send fewer rows per request. */
export class PayloadTooLargeError extends SyncError {
  constructor(message: string, code?: string) {
    super('too-large', message, 413, code);
    this.name = 'PayloadTooLargeError';
  }
}

/** The server no longer serves this version of the till: it must be updated. */
export class UpgradeRequiredError extends SyncError {
  constructor(message: string, code?: string) {
    super('upgrade-required', message, 426, code);
    this.name = 'UpgradeRequiredError';
  }
}

export class ServerError extends SyncError {
  constructor(status: number, message: string, code?: string) {
    super('server', message, status, code);
    this.name = 'ServerError';
  }
}

export class NetworkError extends SyncError {
  constructor(message: string, cause: unknown) {
    super('network', message, 0, undefined, { cause });
    this.name = 'NetworkError';
  }
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface SyncClientOptions {
  /** Base of the API including the version, e.g. `https://sync.example/api/sync/v1`. */
  readonly baseUrl: string;
  readonly clientVersion: string;
  readonly refreshToken?: string;
  readonly fetch?: FetchLike;
  /** Local clock in epoch ms. */
  readonly now?: () => number;
  /** Refresh the access token when it has less than this left. */
  readonly refreshMarginMs?: number;
  /** Abort a request (not the stream) that takes longer. */
  readonly requestTimeoutMs?: number;
  /** Reported with every device-state call so HQ sees the till's backlog. */
  readonly outboxPending?: () => number | undefined;
}

interface HeldToken {
  readonly token: string;
  /** Local clock (ms) at which to consider the token expired, margin included. */
  readonly refreshAt: number;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(body: Readonly<Record<string, unknown>>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string') throw badResponse(`field ${field} is not a string`);
  return value;
}

function num(body: Readonly<Record<string, unknown>>, field: string): number {
  const value = body[field];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw badResponse(`field ${field} is not a number`);
  return value;
}

function badResponse(why: string): SyncError {
  return new SyncError('bad-response', `The sync server sent an unexpected answer (${why}).`, 200);
}

function parseCheckpoint(value: unknown): Checkpoint {
  if (!isRecord(value)) throw badResponse('checkpoint missing');
  return { epoch: str(value, 'epoch'), txid: str(value, 'txid'), seq: num(value, 'seq') };
}

/** The typed error for a non-2xx answer; `message` is what the server said, if anything. */
export function errorForStatus(status: number, serverMessage?: string, code?: string): SyncError {
  const said = serverMessage === undefined || serverMessage === '' ? '' : ` (${serverMessage})`;
  if (status === 401)
    return new UnauthorizedError(`The sync server refused this till's credentials${said}.`, code);
  if (status === 403)
    return new ForbiddenError(`The sync server does not allow this till to do that${said}.`, code);
  if (status === 404) return new NotFoundError(`The sync server does not know this address${said}.`, code);
  if (status === 413)
    return new PayloadTooLargeError(`The request was too large for the sync server${said}.`, code);
  if (status === 426)
    return new UpgradeRequiredError(`This till's software is too old for the sync server${said}.`, code);
  if (status >= 500) return new ServerError(status, `The sync server had a temporary failure${said}.`, code);
  return new SyncError(
    'bad-request',
    `The sync server refused the request with status ${status}${said}.`,
    status,
    code,
  );
}

async function errorFromResponse(response: Response): Promise<SyncError> {
  let message: string | undefined;
  let code: string | undefined;
  try {
    const body: unknown = JSON.parse(await response.text());
    if (isRecord(body)) {
      if (typeof body.message === 'string') message = body.message.slice(0, 300);
      if (typeof body.error === 'string') code = body.error.slice(0, 64);
    }
  } catch {
    // A proxy's HTML error page: the status says enough.
  }
  return errorForStatus(response.status, message, code);
}

export class SyncClient {
  readonly baseUrl: string;
  private readonly clientVersion: string;
  private readonly fetchFn: FetchLike;
  private readonly now: () => number;
  private readonly refreshMarginMs: number;
  private readonly requestTimeoutMs: number;
  private outboxPending: () => number | undefined;
  private refreshToken: string | undefined;
  private held: HeldToken | undefined;
  private refreshing: Promise<string> | undefined;
  private identity: { deviceId: string; storeId: string } | undefined;

  constructor(options: SyncClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.clientVersion = options.clientVersion;
    // Bound: a bare `fetch` called as a method of another object throws "Illegal invocation" in browsers.
    this.fetchFn = options.fetch ?? ((url, init) => fetch(url, init));
    this.now = options.now ?? (() => Date.now());
    this.refreshMarginMs = options.refreshMarginMs ?? 60_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.outboxPending = options.outboxPending ?? (() => undefined);
    this.refreshToken = options.refreshToken;
  }

  get enrolled(): boolean {
    return this.refreshToken !== undefined;
  }

  /** Device and store of the last token, once one was issued. */
  get device(): { readonly deviceId: string; readonly storeId: string } | undefined {
    return this.identity;
  }

  /** Where the outbox backlog reported with every device-state call comes from. */
  setOutboxPendingSource(source: () => number | undefined): void {
    this.outboxPending = source;
  }

  /** Forgets the access token (the next call refreshes first). */
  invalidateAccessToken(): void {
    this.held = undefined;
  }

  private headers(token?: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    const headers: Record<string, string> = {
      'x-pos-protocol': String(PROTOCOL_VERSION),
      'x-pos-client-version': this.clientVersion,
      ...extra,
    };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    return headers;
  }

  private async send(path: string, init: RequestInit, timeout: boolean): Promise<Response> {
    const signals: AbortSignal[] = [];
    if (init.signal) signals.push(init.signal);
    if (timeout) signals.push(AbortSignal.timeout(this.requestTimeoutMs));
    const signal = signals.length === 0 ? undefined : AbortSignal.any(signals);
    try {
      return await this.fetchFn(`${this.baseUrl}${path}`, { ...init, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw new NetworkError('The sync server cannot be reached.', error);
    }
  }

  private async readJson(response: Response): Promise<unknown> {
    if (!response.ok) throw await errorFromResponse(response);
    try {
      return JSON.parse(await response.text()) as unknown;
    } catch (error) {
      throw new SyncError(
        'bad-response',
        'The sync server sent an answer that is not JSON.',
        response.status,
        undefined,
        {
          cause: error,
        },
      );
    }
  }

  /** One-time enrolment with a code from HQ; keeps the refresh token (the caller persists it). */
  async enroll(input: {
    enrollmentCode: string;
    deviceName: string;
    appVersion: string;
  }): Promise<Enrollment> {
    const response = await this.send(
      '/auth/enroll',
      {
        method: 'POST',
        headers: this.headers(undefined, { 'content-type': 'application/json' }),
        body: JSON.stringify(input),
      },
      true,
    );
    const body = await this.readJson(response);
    if (!isRecord(body)) throw badResponse('enrolment is not an object');
    const enrollment = {
      deviceId: str(body, 'deviceId'),
      storeId: str(body, 'storeId'),
      refreshToken: str(body, 'refreshToken'),
    };
    this.refreshToken = enrollment.refreshToken;
    this.held = undefined;
    return enrollment;
  }

  /** A fresh access token. Concurrent callers share one request. */
  refresh(): Promise<string> {
    this.refreshing ??= this.requestToken().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async requestToken(): Promise<string> {
    const refreshToken = this.refreshToken;
    if (refreshToken === undefined)
      throw new UnauthorizedError('This till is not enrolled with a sync server.');
    const requestedAt = this.now();
    const response = await this.send(
      '/auth/token',
      { method: 'POST', headers: this.headers(refreshToken) },
      true,
    );
    const body = await this.readJson(response);
    if (!isRecord(body)) throw badResponse('token is not an object');
    const token: AccessToken = {
      accessToken: str(body, 'accessToken'),
      expiresAt: str(body, 'expiresAt'),
      deviceId: str(body, 'deviceId'),
      storeId: str(body, 'storeId'),
      serverEpoch: str(body, 'serverEpoch'),
      serverTime: str(body, 'serverTime'),
    };
    // The lifetime is measured on the server's clock, so a till whose clock is off still refreshes in time.
    const lifetime = Date.parse(token.expiresAt) - Date.parse(token.serverTime);
    const usable = Number.isFinite(lifetime) ? Math.max(0, lifetime - this.refreshMarginMs) : 0;
    this.held = { token: token.accessToken, refreshAt: requestedAt + usable };
    this.identity = { deviceId: token.deviceId, storeId: token.storeId };
    return token.accessToken;
  }

  /** The current access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<string> {
    const held = this.held;
    if (held !== undefined && this.now() < held.refreshAt) return held.token;
    return this.refresh();
  }

  /** A request with the access token; on 401 the token is refreshed once and the request repeated. */
  private async authed(
    path: string,
    init: RequestInit & { extraHeaders?: Readonly<Record<string, string>> },
    timeout = true,
  ): Promise<Response> {
    const { extraHeaders, ...rest } = init;
    const attempt = async (token: string): Promise<Response> =>
      this.send(path, { ...rest, headers: this.headers(token, extraHeaders) }, timeout);
    const first = await attempt(await this.accessToken());
    if (first.status !== 401) return first;
    await first.body?.cancel();
    this.held = undefined;
    return attempt(await this.refresh());
  }

  async deviceState(): Promise<DeviceState> {
    const pending = this.outboxPending();
    const response = await this.authed('/device/state', {
      method: 'GET',
      ...(pending === undefined ? {} : { extraHeaders: { 'x-pos-outbox-pending': String(pending) } }),
    });
    const body = await this.readJson(response);
    if (!isRecord(body)) throw badResponse('device state is not an object');
    return {
      serverEpoch: str(body, 'serverEpoch'),
      deviceId: str(body, 'deviceId'),
      storeId: str(body, 'storeId'),
      lastDeviceSeq: num(body, 'lastDeviceSeq'),
      contiguousDeviceSeq: num(body, 'contiguousDeviceSeq'),
      minClientVersion: str(body, 'minClientVersion'),
      serverTime: str(body, 'serverTime'),
    };
  }

  /**
   * Documents of `collection` after `checkpoint` (from the start when undefined), at most `limit`.
   * `signal` abandons the request (a stopping till does not wait for a page it will not write).
   */
  async pull(
    collection: string,
    checkpoint: Checkpoint | undefined,
    limit: number,
    signal?: AbortSignal,
  ): Promise<PullResult> {
    const query = new URLSearchParams({ limit: String(Math.max(1, Math.min(limit, MAX_PULL_LIMIT))) });
    if (checkpoint !== undefined) {
      query.set('epoch', checkpoint.epoch);
      query.set('txid', checkpoint.txid);
      query.set('seq', String(checkpoint.seq));
    }
    const response = await this.authed(`/pull/${encodeURIComponent(collection)}?${query.toString()}`, {
      method: 'GET',
      ...(signal === undefined ? {} : { signal }),
    });
    const body = await this.readJson(response);
    if (!isRecord(body) || !Array.isArray(body.documents)) throw badResponse('pull has no documents');
    const documents = (body.documents as readonly unknown[]).map((doc) => {
      if (!isRecord(doc)) throw badResponse('a pulled document is not an object');
      return { ...doc, _deleted: doc._deleted === true };
    });
    return { documents, checkpoint: parseCheckpoint(body.checkpoint) };
  }

  private async push(path: string, rows: readonly PushRow[]): Promise<ReplicatedDoc[]> {
    const response = await this.authed(path, {
      method: 'POST',
      extraHeaders: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows }),
    });
    const body = await this.readJson(response);
    if (!Array.isArray(body)) throw badResponse('push answer is not an array');
    return (body as readonly unknown[]).map((doc) => {
      if (!isRecord(doc)) throw badResponse('a returned document is not an object');
      return { ...doc, _deleted: doc._deleted === true };
    });
  }

  /** Outbox rows → the server copies that differ (quarantine receipts, key reuse); usually []. */
  pushEvents(rows: readonly PushRow[]): Promise<ReplicatedDoc[]> {
    return this.push('/push/events', rows);
  }

  /** Customer rows → conflicting master documents. */
  pushCustomers(rows: readonly PushRow[]): Promise<ReplicatedDoc[]> {
    return this.push('/push/customers', rows);
  }

  /**
   * The balance of a gift card or store-credit account, as head office holds it; null when head office
   * knows no such account. `signal` abandons the request (a cashier is waiting for the answer).
   */
  async accountBalance(
    type: AccountType,
    reference: string,
    signal?: AbortSignal,
  ): Promise<AccountBalance | null> {
    // Each part one path segment, whatever the cashier typed: no reference reaches another route.
    const path = `/accounts/${encodeURIComponent(type)}/${encodeURIComponent(reference)}`;
    const response = await this.authed(path, { method: 'GET', ...(signal === undefined ? {} : { signal }) });
    if (response.status === 404) {
      const error = await errorFromResponse(response);
      // The server's own "no such account"; any other 404 (a server without this route) is an error.
      if (error.code === 'not_found') return null;
      throw error;
    }
    const body = await this.readJson(response);
    if (!isRecord(body)) throw badResponse('account is not an object');
    const balance = num(body, 'balance');
    if (!Number.isSafeInteger(balance)) throw badResponse('balance is not in minor units');
    const currency = str(body, 'currency');
    if (!/^[A-Z]{3}$/.test(currency)) throw badResponse('currency is not a currency code');
    if (body.type !== type || body.reference !== reference) throw badResponse('another account answered');
    return { type, reference, balance, currency };
  }

  /**
   * Asks head office to hold `request.amount` of an account for a sale. A refusal for want of balance
   * (or of currency) is an answer, not an error; anything else the server refuses, or no answer, throws.
   */
  async placeAccountHold(
    type: AccountType,
    reference: string,
    request: AccountHoldRequest,
    signal?: AbortSignal,
  ): Promise<AccountHoldAnswer> {
    const path = `/accounts/${encodeURIComponent(type)}/${encodeURIComponent(reference)}/holds`;
    const response = await this.authed(path, {
      method: 'POST',
      extraHeaders: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      ...(signal === undefined ? {} : { signal }),
    });
    if (response.status === 404 || response.status === 409) {
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = undefined;
      }
      const code = isRecord(body) && typeof body.error === 'string' ? body.error : undefined;
      if (response.status === 404 && code === 'not_found') return { kind: 'not-found' };
      if (isRecord(body) && code === 'insufficient_balance') {
        const available = num(body, 'available');
        if (!Number.isSafeInteger(available)) throw badResponse('available is not in minor units');
        return { kind: 'refused', available, currency: str(body, 'currency') };
      }
      // Kept in another currency: it pays nothing in this store's.
      if (code === 'currency_mismatch') return { kind: 'refused', available: 0, currency: request.currency };
      const message =
        isRecord(body) && typeof body.message === 'string' ? body.message.slice(0, 300) : undefined;
      throw errorForStatus(response.status, message, code);
    }
    const body = await this.readJson(response);
    if (!isRecord(body)) throw badResponse('hold is not an object');
    if (typeof body.holdId !== 'string' || body.holdId.toLowerCase() !== request.holdId.toLowerCase())
      throw badResponse('another hold answered');
    const amount = num(body, 'amount');
    const available = num(body, 'available');
    if (amount !== request.amount || !Number.isSafeInteger(available))
      throw badResponse('the hold is not for the amount asked');
    return { kind: 'held', holdId: request.holdId, amount, available, expiresAt: str(body, 'expiresAt') };
  }

  /**
   * Gives a hold back (the tender was taken off, or the sale abandoned). Idempotent: a hold already
   * released, captured by its sale, or that head office never received, is no error.
   */
  async releaseAccountHold(holdId: string, signal?: AbortSignal): Promise<void> {
    const response = await this.authed(`/accounts/holds/${encodeURIComponent(holdId)}`, {
      method: 'DELETE',
      ...(signal === undefined ? {} : { signal }),
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return;
    }
    await this.readJson(response);
  }

  /** Opens `/stream` (server-sent events); the caller reads the body. No timeout: it stays open. */
  async openStream(signal: AbortSignal): Promise<Response> {
    const response = await this.authed(
      '/stream',
      { method: 'GET', signal, extraHeaders: { accept: 'text/event-stream' } },
      false,
    );
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }
}

/** What a cashier or a manager reads in the status bar for a sync failure. */
export function describeSyncError(error: unknown): string {
  if (error instanceof SyncError) {
    switch (error.kind) {
      case 'network':
        return 'Offline: the sync server cannot be reached. Sales are kept on this till and sent later.';
      case 'unauthorized':
        return 'This till is no longer authorised by the sync server. Ask a manager to enrol it again.';
      case 'forbidden':
        return 'The sync server refused access for this till. Ask HQ to check its store assignment.';
      case 'not-found':
        return 'The sync server does not offer this data. Check the sync server address.';
      case 'too-large':
        return 'A batch was too large for the sync server; it is being sent in smaller parts.';
      case 'upgrade-required':
        return 'This till needs a software update before it can sync again. Sales are kept meanwhile.';
      case 'server':
        return 'The sync server had a temporary failure; retrying automatically.';
      case 'bad-request':
      case 'bad-response':
        return `Sync failed: ${error.message}`;
    }
  }
  if (error instanceof Error) return `Sync failed: ${error.message}`;
  return 'Sync failed for an unknown reason.';
}
