import { describe, expect, it } from 'vitest';
import { FakeSyncServer } from './fake-sync-server.test-helper.ts';
import { NetworkError, NotFoundError, ServerError, SyncClient, SyncError } from './sync-client.ts';
import type { FetchLike } from './sync-client.ts';

const BASE = 'http://sync.test/api/sync/v1';

function clientOf(fetchFn: FetchLike): SyncClient {
  return new SyncClient({ baseUrl: BASE, clientVersion: '1.0.0', refreshToken: 'refresh-1', fetch: fetchFn });
}

/** The fake server's fetch, recording the URL and headers of every call. */
function recorded(server: FakeSyncServer): {
  fetch: FetchLike;
  calls: { url: string; headers: Record<string, string> }[];
} {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  return {
    calls,
    fetch: (url, init) => {
      calls.push({ url, headers: { ...(init.headers as Record<string, string>) } });
      return server.fetch(url, init);
    },
  };
}

describe('SyncClient.accountBalance', () => {
  it("reads an account's balance with the access token", async () => {
    const server = new FakeSyncServer();
    server.setAccount('gift_card', 'GC-0001', 2500);
    server.setAccount('store_credit', 'C000001', 1500);
    const { fetch, calls } = recorded(server);
    const client = clientOf(fetch);
    expect(await client.accountBalance('gift_card', 'GC-0001')).toEqual({
      type: 'gift_card',
      reference: 'GC-0001',
      balance: 2500,
      currency: 'EUR',
    });
    expect(await client.accountBalance('store_credit', 'C000001')).toMatchObject({ balance: 1500 });
    const reads = calls.filter((c) => c.url.includes('/accounts/'));
    expect(reads.map((c) => c.url)).toEqual([
      `${BASE}/accounts/gift_card/GC-0001`,
      `${BASE}/accounts/store_credit/C000001`,
    ]);
    expect(reads[0]?.headers).toMatchObject({ authorization: 'Bearer t1', 'x-pos-protocol': '1' });
    // One token for both.
    expect(server.hits.get('POST /auth/token')).toBe(1);
  });

  it('answers null for an account head office does not know', async () => {
    const server = new FakeSyncServer();
    server.setAccount('gift_card', 'GC-0001', 2500);
    const client = clientOf(server.fetch);
    expect(await client.accountBalance('gift_card', 'GC-9999')).toBeNull();
    // The type is part of the account's name.
    expect(await client.accountBalance('store_credit', 'GC-0001')).toBeNull();
  });

  it('keeps whatever the cashier typed inside one path segment', async () => {
    const server = new FakeSyncServer();
    server.setAccount('gift_card', 'A/B?x=1#y', 700);
    const { fetch, calls } = recorded(server);
    expect(await clientOf(fetch).accountBalance('gift_card', 'A/B?x=1#y')).toMatchObject({ balance: 700 });
    expect(calls.at(-1)?.url).toBe(`${BASE}/accounts/gift_card/A%2FB%3Fx%3D1%23y`);
  });

  it('refreshes a token the server no longer takes, once, and asks again', async () => {
    const server = new FakeSyncServer();
    server.setAccount('gift_card', 'GC-0001', 2500);
    const client = clientOf(server.fetch);
    await client.accessToken();
    server.unauthorizedNext = 1;
    expect(await client.accountBalance('gift_card', 'GC-0001')).toMatchObject({ balance: 2500 });
    expect(server.hits.get('POST /auth/token')).toBe(2);
    expect(server.hits.get('GET /accounts')).toBe(2);
    // Refused again after the refresh: the till's credentials are the problem, not the token's age.
    server.unauthorizedNext = 2;
    await expect(client.accountBalance('gift_card', 'GC-0001')).rejects.toMatchObject({
      kind: 'unauthorized',
    });
  });

  it('fails as every sync call does when the server cannot answer', async () => {
    const server = new FakeSyncServer();
    server.setAccount('gift_card', 'GC-0001', 2500);
    const client = clientOf(server.fetch);
    await client.accessToken();
    server.networkDown = 1;
    await expect(client.accountBalance('gift_card', 'GC-0001')).rejects.toBeInstanceOf(NetworkError);
    const failing: FetchLike = (url, init) =>
      url.includes('/accounts/')
        ? Promise.resolve(new Response('{"error":"unavailable","message":"retry later"}', { status: 503 }))
        : server.fetch(url, init);
    await expect(clientOf(failing).accountBalance('gift_card', 'GC-0001')).rejects.toBeInstanceOf(
      ServerError,
    );
  });

  it('does not take a server without the route for one without the account', async () => {
    const server = new FakeSyncServer();
    // Fastify's own 404 for a route it does not have.
    const old: FetchLike = (url, init) =>
      url.includes('/accounts/')
        ? Promise.resolve(
            new Response('{"statusCode":404,"error":"Not Found","message":"Route GET:/x not found"}', {
              status: 404,
            }),
          )
        : server.fetch(url, init);
    await expect(clientOf(old).accountBalance('gift_card', 'GC-0001')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses an answer that is not a balance in minor units of a currency, for the account asked', async () => {
    const server = new FakeSyncServer();
    const answers = [
      { type: 'gift_card', reference: 'GC-0001', balance: '2500', currency: 'EUR' },
      { type: 'gift_card', reference: 'GC-0001', balance: 25.5, currency: 'EUR' },
      { type: 'gift_card', reference: 'GC-0001', balance: 2500, currency: 'euro' },
      { type: 'gift_card', reference: 'GC-0002', balance: 2500, currency: 'EUR' },
      { type: 'store_credit', reference: 'GC-0001', balance: 2500, currency: 'EUR' },
      [2500],
    ];
    for (const answer of answers) {
      const odd: FetchLike = (url, init) =>
        url.includes('/accounts/')
          ? Promise.resolve(new Response(JSON.stringify(answer), { status: 200 }))
          : server.fetch(url, init);
      const error: unknown = await clientOf(odd)
        .accountBalance('gift_card', 'GC-0001')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SyncError);
      expect((error as SyncError).kind).toBe('bad-response');
    }
  });
});
