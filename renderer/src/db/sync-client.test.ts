import { describe, expect, it } from 'vitest';
import {
  describeSyncError,
  errorForStatus,
  ForbiddenError,
  NetworkError,
  NotFoundError,
  PayloadTooLargeError,
  ServerError,
  SyncClient,
  SyncError,
  UnauthorizedError,
  UpgradeRequiredError,
} from './sync-client.ts';
import type { FetchLike } from './sync-client.ts';

interface Call {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

type Reply = { status: number; body?: unknown } | Error;

/** A fake server: answers by "METHOD path" from a queue per route, records every call. */
function fakeFetch(routes: Record<string, Reply[]>): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetchFn: FetchLike = (url, init) => {
    const u = new URL(url);
    const key = `${init.method ?? 'GET'} ${u.pathname.replace('/api/sync/v1', '')}`;
    calls.push({
      url,
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? init.body : undefined,
    });
    const queue = routes[key];
    const reply =
      queue === undefined
        ? { status: 404, body: { error: 'not_found', message: key } }
        : queue.length > 1
          ? queue.shift()!
          : queue[0]!;
    if (reply instanceof Error) return Promise.reject(reply);
    const text =
      reply.body === undefined
        ? ''
        : typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body);
    return Promise.resolve(new Response(text, { status: reply.status }));
  };
  return { fetch: fetchFn, calls };
}

const BASE = 'http://sync.test/api/sync/v1';

function token(n: number, lifetimeMs = 15 * 60_000): Reply {
  const serverTime = Date.parse('2026-11-23T12:00:00.000Z');
  return {
    status: 200,
    body: {
      accessToken: `access-${n}`,
      tokenType: 'Bearer',
      expiresAt: new Date(serverTime + lifetimeMs).toISOString(),
      deviceId: 'D1',
      storeId: 'S01',
      scope: 'till',
      serverEpoch: 'E1',
      serverTime: new Date(serverTime).toISOString(),
    },
  };
}

const deviceState = {
  status: 200,
  body: {
    serverEpoch: 'E1',
    deviceId: 'D1',
    storeId: 'S01',
    lastDeviceSeq: 12,
    contiguousDeviceSeq: 10,
    minClientVersion: '0.1.0',
    serverTime: '2026-11-23T12:00:00.000Z',
  },
};

describe('errorForStatus', () => {
  it.each([
    [401, UnauthorizedError, 'unauthorized', true],
    [403, ForbiddenError, 'forbidden', false],
    [404, NotFoundError, 'not-found', false],
    [413, PayloadTooLargeError, 'too-large', false],
    [426, UpgradeRequiredError, 'upgrade-required', false],
    [500, ServerError, 'server', true],
    [503, ServerError, 'server', true],
    [400, SyncError, 'bad-request', false],
    [409, SyncError, 'bad-request', false],
  ] as const)('%i → %s (%s, retryable %s)', (status, type, kind, retryable) => {
    const error = errorForStatus(status, 'why', 'code');
    expect(error).toBeInstanceOf(type);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.code).toBe('code');
    expect(error.retryable).toBe(retryable);
  });
});

describe('SyncClient', () => {
  it('enrols without a token, then sends protocol headers and the bearer token', async () => {
    const fake = fakeFetch({
      'POST /auth/enroll': [
        { status: 201, body: { deviceId: 'D1', storeId: 'S01', refreshToken: 'refresh-1' } },
      ],
      'POST /auth/token': [token(1)],
      'GET /device/state': [deviceState],
    });
    const client = new SyncClient({
      baseUrl: `${BASE}/`,
      clientVersion: '1.2.3',
      fetch: fake.fetch,
      outboxPending: () => 4,
    });
    expect(client.enrolled).toBe(false);
    const enrollment = await client.enroll({
      enrollmentCode: 'CODE',
      deviceName: 'Till 1',
      appVersion: '1.2.3',
    });
    expect(enrollment).toEqual({ deviceId: 'D1', storeId: 'S01', refreshToken: 'refresh-1' });
    const state = await client.deviceState();
    expect(state.contiguousDeviceSeq).toBe(10);
    expect(state.lastDeviceSeq).toBe(12);
    expect(client.device).toEqual({ deviceId: 'D1', storeId: 'S01' });

    expect(fake.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      `POST ${BASE}/auth/enroll`,
      `POST ${BASE}/auth/token`,
      `GET ${BASE}/device/state`,
    ]);
    const [enroll, refresh, stateCall] = fake.calls;
    expect(enroll!.headers).toEqual({
      'x-pos-protocol': '1',
      'x-pos-client-version': '1.2.3',
      'content-type': 'application/json',
    });
    expect(JSON.parse(enroll!.body!)).toEqual({
      enrollmentCode: 'CODE',
      deviceName: 'Till 1',
      appVersion: '1.2.3',
    });
    expect(refresh!.headers.authorization).toBe('Bearer refresh-1');
    expect(stateCall!.headers).toEqual({
      'x-pos-protocol': '1',
      'x-pos-client-version': '1.2.3',
      'x-pos-outbox-pending': '4',
      authorization: 'Bearer access-1',
    });
  });

  it('reuses the access token until one minute before it expires (server clock), then refreshes', async () => {
    let now = 1_000_000;
    const fake = fakeFetch({ 'POST /auth/token': [token(1), token(2)], 'GET /device/state': [deviceState] });
    // The till's clock is far from the server's: only the token's lifetime matters.
    const client = new SyncClient({
      baseUrl: BASE,
      clientVersion: '1.0.0',
      refreshToken: 'r',
      fetch: fake.fetch,
      now: () => now,
    });
    await client.deviceState();
    now += 13 * 60_000;
    await client.deviceState();
    now += 60_000 - 1; // 13:59.999 after issue: still within the margin-less part
    await client.deviceState();
    now += 1; // 14:00: one minute left, refresh
    await client.deviceState();
    const auth = fake.calls
      .filter((c) => c.url.endsWith('/device/state'))
      .map((c) => c.headers.authorization);
    expect(auth).toEqual(['Bearer access-1', 'Bearer access-1', 'Bearer access-1', 'Bearer access-2']);
    expect(fake.calls.filter((c) => c.url.endsWith('/auth/token'))).toHaveLength(2);
  });

  it('on a 401 refreshes once and repeats the request; a second 401 is an UnauthorizedError', async () => {
    const fake = fakeFetch({
      'POST /auth/token': [token(1), token(2), token(3)],
      'GET /device/state': [
        { status: 401, body: { error: 'unauthorized', message: 'invalid or expired access token' } },
        deviceState,
        { status: 401, body: { error: 'unauthorized', message: 'device is revoked or unknown' } },
        { status: 401, body: { error: 'unauthorized', message: 'device is revoked or unknown' } },
      ],
    });
    const client = new SyncClient({
      baseUrl: BASE,
      clientVersion: '1.0.0',
      refreshToken: 'r',
      fetch: fake.fetch,
    });
    await expect(client.deviceState()).resolves.toMatchObject({ deviceId: 'D1' });
    const failure = await client.deviceState().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnauthorizedError);
    expect((failure as UnauthorizedError).code).toBe('unauthorized');
    expect((failure as UnauthorizedError).message).toContain('device is revoked or unknown');
    expect(
      fake.calls.map((c) => `${c.method} ${c.url.replace(BASE, '')} ${c.headers.authorization ?? ''}`),
    ).toEqual([
      'POST /auth/token Bearer r',
      'GET /device/state Bearer access-1',
      'POST /auth/token Bearer r',
      'GET /device/state Bearer access-2',
      'GET /device/state Bearer access-2',
      'POST /auth/token Bearer r',
      'GET /device/state Bearer access-3',
    ]);
  });

  it('shares one token request between concurrent callers', async () => {
    const fake = fakeFetch({ 'POST /auth/token': [token(1)], 'GET /device/state': [deviceState] });
    const client = new SyncClient({
      baseUrl: BASE,
      clientVersion: '1.0.0',
      refreshToken: 'r',
      fetch: fake.fetch,
    });
    await Promise.all([client.deviceState(), client.deviceState(), client.deviceState()]);
    expect(fake.calls.filter((c) => c.url.endsWith('/auth/token'))).toHaveLength(1);
  });

  it.each([
    [403, ForbiddenError],
    [404, NotFoundError],
    [413, PayloadTooLargeError],
    [426, UpgradeRequiredError],
    [500, ServerError],
    [502, ServerError],
  ] as const)('maps %i from a push to %s', async (status, type) => {
    const fake = fakeFetch({
      'POST /auth/token': [token(1)],
      'POST /push/events': [
        { status, body: status === 502 ? '<html>Bad gateway</html>' : { error: 'e', message: 'm' } },
      ],
    });
    const client = new SyncClient({
      baseUrl: BASE,
      clientVersion: '1.0.0',
      refreshToken: 'r',
      fetch: fake.fetch,
    });
    const error = await client.pushEvents([{ newDocumentState: { eventId: 'x' } }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as SyncError).status).toBe(status);
  });

  it('a failed connection is a NetworkError; an unenrolled till cannot get a token', async () => {
    const fake = fakeFetch({ 'POST /auth/token': [new TypeError('fetch failed')] });
    const client = new SyncClient({
      baseUrl: BASE,
      clientVersion: '1.0.0',
      refreshToken: 'r',
      fetch: fake.fetch,
    });
    const error = await client.deviceState().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).retryable).toBe(true);
    const unenrolled = new SyncClient({ baseUrl: BASE, clientVersion: '1.0.0', fetch: fake.fetch });
    await expect(unenrolled.accessToken()).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('pulls with the checkpoint as the server returned it and coerces _deleted', async () => {
    const checkpoint = { epoch: 'E1', txid: '18446744073709551000', seq: 42 };
    const fake = fakeFetch({
      'POST /auth/token': [token(1)],
      'GET /pull/prices': [
        { status: 200, body: { documents: [{ id: 'p1', _deleted: false }, { id: 'p2' }], checkpoint } },
      ],
    });
    const client = new SyncClient({
      baseUrl: BASE,
      clientVersion: '1.0.0',
      refreshToken: 'r',
      fetch: fake.fetch,
    });
    const result = await client.pull('prices', { epoch: 'E1', txid: '18446744073709550999', seq: 7 }, 5000);
    expect(result).toEqual({
      documents: [
        { id: 'p1', _deleted: false },
        { id: 'p2', _deleted: false },
      ],
      checkpoint,
    });
    const url = new URL(fake.calls[1]!.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      limit: '1000',
      epoch: 'E1',
      txid: '18446744073709550999',
      seq: '7',
    });
  });

  it.each([
    ['not JSON', 'oops'],
    ['no documents', { checkpoint: { epoch: 'E', txid: '1', seq: 1 } }],
    ['checkpoint seq not a number', { documents: [], checkpoint: { epoch: 'E', txid: '1', seq: '1' } }],
  ])('a malformed pull answer (%s) is a bad-response error', async (_name, body) => {
    const fake = fakeFetch({ 'POST /auth/token': [token(1)], 'GET /pull/config': [{ status: 200, body }] });
    const client = new SyncClient({
      baseUrl: BASE,
      clientVersion: '1.0.0',
      refreshToken: 'r',
      fetch: fake.fetch,
    });
    const error = await client.pull('config', undefined, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).kind).toBe('bad-response');
  });

  it('a push answer that is not an array is refused (RxDB would fail with RC_PUSH_NO_AR)', async () => {
    const fake = fakeFetch({
      'POST /auth/token': [token(1)],
      'POST /push/customers': [{ status: 200, body: { ok: true } }],
    });
    const client = new SyncClient({
      baseUrl: BASE,
      clientVersion: '1.0.0',
      refreshToken: 'r',
      fetch: fake.fetch,
    });
    await expect(client.pushCustomers([])).rejects.toMatchObject({ kind: 'bad-response' });
  });
});

describe('describeSyncError', () => {
  it.each([
    [
      new NetworkError('x', undefined),
      'Offline: the sync server cannot be reached. Sales are kept on this till and sent later.',
    ],
    [
      errorForStatus(401),
      'This till is no longer authorised by the sync server. Ask a manager to enrol it again.',
    ],
    [
      errorForStatus(426),
      'This till needs a software update before it can sync again. Sales are kept meanwhile.',
    ],
    [errorForStatus(503), 'The sync server had a temporary failure; retrying automatically.'],
    [new Error('boom'), 'Sync failed: boom'],
    ['?', 'Sync failed for an unknown reason.'],
  ])('%o', (error, words) => {
    expect(describeSyncError(error)).toBe(words);
  });
});
