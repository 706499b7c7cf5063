/**
 * Tills call the sync server from another origin (app://pos in Electron, the web host's loopback
 * origin in a browser), so the browser's CORS checks must pass for the till's real requests: the
 * preflight of an authorised JSON push, and the answer to a plain token refresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HQ_TOKEN, TILL_HEADERS, startHarness, type Harness } from './harness.ts';

describe('CORS for tills on other origins', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ kind: 'pglite' });
  }, 60_000);

  afterAll(async () => {
    await harness.close();
  });

  it('answers the preflight of an authorised push with the till headers allowed', async () => {
    const response = await fetch(`${harness.base}/push/events`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:5170',
        'access-control-request-method': 'POST',
        'access-control-request-headers':
          'authorization,content-type,x-pos-protocol,x-pos-client-version,x-pos-outbox-pending',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining([
        'authorization',
        'content-type',
        'x-pos-protocol',
        'x-pos-client-version',
        'x-pos-outbox-pending',
      ]),
    );
    // No cookies, ever: credentials stay off.
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets the page read the live stream (a hijacked reply adds its own CORS header)', async () => {
    const { body } = await harness.json<{ code: string }>('/admin/enrollment-codes', {
      method: 'POST',
      token: HQ_TOKEN,
      body: { storeId: 'S01' },
    });
    const enrolled = await harness.json<{ refreshToken: string }>('/auth/enroll', {
      method: 'POST',
      body: { enrollmentCode: body.code, deviceName: 'Till', appVersion: '1.0.0' },
      tillHeaders: true,
    });
    const token = await harness.json<{ accessToken: string }>('/auth/token', {
      method: 'POST',
      token: enrolled.body.refreshToken,
      tillHeaders: true,
    });
    const controller = new AbortController();
    const response = await fetch(`${harness.base}/stream`, {
      headers: { ...TILL_HEADERS, authorization: `Bearer ${token.body.accessToken}`, origin: 'app://pos' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    controller.abort();
  });

  it('lets an app://pos page read a refusal', async () => {
    const response = await fetch(`${harness.base}/auth/token`, {
      method: 'POST',
      headers: { origin: 'app://pos', 'x-pos-protocol': '1', 'x-pos-client-version': '1.0.0' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});
