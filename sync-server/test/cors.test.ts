/**
 * Tills call the sync server from another origin (app://pos in Electron, the web host's loopback
 * origin in a browser), so the browser's CORS checks must pass for the till's real requests: the
 * preflight of an authorised JSON push, and the answer to a plain token refresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

describe('CORS for tills on other origins', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ kind: 'pglite' });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('answers the preflight of an authorised push with the till headers allowed', async () => {
    const response = await fetch(`${harness.base}/push/events`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:5170',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-pos-protocol,x-pos-client-version',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-pos-protocol', 'x-pos-client-version']),
    );
    // No cookies, ever: credentials stay off.
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
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
