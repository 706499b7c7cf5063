import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createDispatcher, type CommandHandlers } from '../src/commands/dispatcher.ts';
import { silentLogger } from '../src/logging/logger.ts';
import {
  TOKEN_PROTOCOL_PREFIX,
  WS_PROTOCOL,
  injectBridge,
  parseEnvelope,
  webSenderCheck,
} from '../src/web-host/web-host.ts';
import { startHostFixture, type HostFixture } from './web-host-fixture.ts';

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket; resolves with it once open, or with the HTTP status of the refused upgrade. */
function connect(
  fixture: HostFixture,
  opts: { origin?: string; token?: string | null; path?: string; host?: string; protocols?: string[] } = {},
): Promise<WebSocket | number> {
  const { host } = fixture;
  const protocols = opts.protocols ?? [
    WS_PROTOCOL,
    ...(opts.token === null ? [] : [`${TOKEN_PROTOCOL_PREFIX}${opts.token ?? host.token}`]),
  ];
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${opts.path ?? '/pos'}`, protocols, {
    origin: opts.origin ?? host.origin,
    headers: opts.host === undefined ? {} : { host: opts.host },
  });
  return new Promise((resolve) => {
    ws.once('open', () => {
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', () => {
      resolve(-1);
    });
  });
}

/** ws hands text frames over as one Buffer (no binaryType change, no fragments kept apart). */
function frameText(data: WebSocket.RawData): string {
  return (data as Buffer).toString('utf8');
}

let nextId = 1;
function call(
  ws: WebSocket,
  command: string,
  input?: unknown,
): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(frameText(data)) as { id?: number; result?: never };
      if (message.id !== id) return;
      ws.off('message', onMessage);
      resolve(message.result as never);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, command, input }));
  });
}

describe('web host: HTTP', () => {
  let fixture: HostFixture;
  beforeAll(async () => {
    fixture = await startHostFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('serves index.html with the CSP header, the token and the bridge script injected', async () => {
    const answer = await get(fixture.host.port, '/');
    expect(answer.status).toBe(200);
    const csp = String(answer.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.body).toContain(`<meta name="pos-bridge-token" content="${fixture.host.token}">`);
    expect(answer.body.indexOf('<script src="/pos-bridge.js">')).toBeLessThan(answer.body.indexOf('<title>'));
    expect(fixture.host.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['/../secret.txt'],
    ['/%2e%2e/secret.txt'],
    ['/%2e%2e%2fsecret.txt'],
    ['/..%5csecret.txt'],
    ['/index.html%00.png'],
    ['/.env'],
    ['//etc/passwd'],
    ['/%c0%ae%c0%ae/secret.txt'],
  ])('refuses traversal %s with 404', async (path) => {
    const answer = await get(fixture.host.port, path);
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('outside the static folder');
  });

  it('refuses a foreign Host header (DNS rebinding) without serving the token', async () => {
    const answer = await get(fixture.host.port, '/', { host: `attacker.example:${fixture.host.port}` });
    expect(answer.status).toBe(421);
    expect(answer.body).not.toContain(fixture.host.token);
  });
});

describe('web host: WebSocket upgrade', () => {
  let fixture: HostFixture;
  beforeAll(async () => {
    fixture = await startHostFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('accepts the right token and Origin, and selects only the pos.v1 protocol', async () => {
    const ws = await connect(fixture);
    expect(ws).toBeInstanceOf(WebSocket);
    const socket = ws as WebSocket;
    expect(socket.protocol).toBe('pos.v1');
    const info = await call(socket, 'app.getInfo');
    expect(info).toEqual({
      ok: true,
      value: {
        appName: 'Omnitill',
        appVersion: '0.1.0',
        host: 'web',
        platform: 'linux',
        startedAt: '2026-11-23T10:00:00.000Z',
      },
    });
    socket.close();
  });

  it.each([
    ['wrong token', { token: 'f'.repeat(64) }],
    ['token one character short', { token: 'a'.repeat(63) }],
    ['no token', { token: null }],
    ['two tokens', { protocols: [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}x`, `${TOKEN_PROTOCOL_PREFIX}y`] }],
    ['foreign Origin', { origin: 'https://evil.example' }],
    ['look-alike Origin', { origin: 'http://127.0.0.1.evil.example' }],
    ['null Origin', { origin: 'null' }],
    ['wrong path', { path: '/other' }],
    ['query on the path', { path: '/pos?x=1' }],
    ['authority-looking path', { path: '//evil.example/pos' }],
  ])('refuses the upgrade: %s', async (_name, opts) => {
    const result = await connect(fixture, opts);
    expect(result).toBe(403);
  });

  it('refuses the right token with a foreign Host header', async () => {
    const result = await connect(fixture, { host: `attacker.example:${fixture.host.port}` });
    expect(result).toBe(403);
  });

  it('closes the connection on a malformed envelope', async () => {
    const socket = (await connect(fixture)) as WebSocket;
    const closed = new Promise<number>((resolve) => {
      socket.once('close', (code) => {
        resolve(code);
      });
    });
    socket.send('{"id":1,"command":"app.getInfo","extra":true}');
    expect(await closed).toBe(1008);
  });
});

describe('web host: hostile inputs never reach a handler', () => {
  let fixture: HostFixture;
  let socket: WebSocket;
  const spies = new Map<string, ReturnType<typeof vi.fn>>();

  beforeAll(async () => {
    fixture = await startHostFixture({
      wrapHandlers: (handlers) => {
        const wrapped: Record<string, unknown> = {};
        for (const [name, handler] of Object.entries(handlers)) {
          const spy = vi.fn(handler as (input: unknown) => Promise<unknown>);
          spies.set(name, spy);
          wrapped[name] = spy;
        }
        return wrapped as CommandHandlers;
      },
    });
    socket = (await connect(fixture)) as WebSocket;
  });
  afterAll(async () => {
    socket.close();
    await fixture.close();
  });

  const event = { eventId: 'sale-1', type: 'sale.completed', payload: { total: 1299 } };
  it.each([
    ['journal.append', 'wrong type', { ...event, eventId: 42 }],
    ['journal.append', 'unknown field', { ...event, sequence: 7 }],
    ['journal.append', 'path traversal id', { ...event, eventId: '..' }],
    ['journal.append', 'dotted traversal id', { ...event, eventId: 'a..b' }],
    ['journal.append', 'slash id', { ...event, eventId: 'a/b' }],
    ['journal.append', 'oversize id', { ...event, eventId: 'a'.repeat(129) }],
    ['journal.append', 'oversize payload', { ...event, payload: 'x'.repeat(512 * 1024 + 1) }],
    ['journal.append', 'missing input', undefined],
    ['journal.readAfter', 'float sequence', { afterSequence: 1.5, limit: 10 }],
    ['journal.readAfter', 'limit too large', { afterSequence: 0, limit: 1001 }],
    ['settings.set', 'empty patch', {}],
    ['settings.set', 'http sync origin', { syncServerOrigin: 'http://sync.example.com' }],
    ['settings.set', 'origin with a path', { syncServerOrigin: 'https://sync.example.com/x' }],
    ['settings.set', 'CSP injection', { syncServerOrigin: "https://a.example; script-src 'unsafe-inline'" }],
    [
      'settings.set',
      '__proto__ key',
      JSON.parse('{"__proto__":{"tillName":"x"},"receiptCopies":1}') as unknown,
    ],
    [
      'hardware.startPayment',
      'float money',
      { paymentId: 'p1', kind: 'sale', amount: 12.5, currency: 'EUR' },
    ],
    [
      'hardware.startPayment',
      'string money',
      { paymentId: 'p1', kind: 'sale', amount: '1250', currency: 'EUR' },
    ],
    ['hardware.startPayment', 'zero amount', { paymentId: 'p1', kind: 'sale', amount: 0, currency: 'EUR' }],
    ['hardware.printReceipt', 'NUL in job id', { jobId: 'a\u0000b', receipt: { kind: 'sale' }, copy: false }],
    ['hardware.showOnDisplay', 'control characters', { lines: ['\u001b[2J'] }],
    ['staff.signIn', 'letters as PIN', { staffId: 's1', role: 'cashier', pin: 'abcd', pinHash: {} }],
    ['sync.setRefreshToken', 'oversize token', { refreshToken: 'a'.repeat(4097) }],
    ['app.getInfo', 'input where none is taken', { x: 1 }],
  ])('%s, %s → invalid_input', async (command, _name, input) => {
    const result = await call(socket, command, input);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('invalid_input');
    expect(spies.get(command)).not.toHaveBeenCalled();
  });

  it('answers not_found for a command outside the contract', async () => {
    const result = await call(socket, 'constructor', {});
    expect(result.error?.code).toBe('not_found');
  });

  it('journals a valid event through the real SalesJournal, once', async () => {
    const result = await call(socket, 'journal.append', event);
    expect(result.ok).toBe(true);
    expect(result.value).toMatchObject({
      sequence: 1,
      eventId: 'sale-1',
      type: 'sale.completed',
      payload: { total: 1299 },
    });
    expect(spies.get('journal.append')).toHaveBeenCalledTimes(1);
  });

  it('answers hardware commands with unavailable until the worker exists', async () => {
    const result = await call(socket, 'hardware.openDrawer', {});
    expect(result).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'The hardware service is not running on this till.' },
    });
  });

  it('pushes events to connected clients', async () => {
    const pushed = new Promise<unknown>((resolve) => {
      const onMessage = (data: WebSocket.RawData): void => {
        const message = JSON.parse(frameText(data)) as { event?: string };
        if (message.event === undefined) return;
        socket.off('message', onMessage);
        resolve(message);
      };
      socket.on('message', onMessage);
    });
    const result = await call(socket, 'settings.set', { tillName: 'Till 2' });
    expect(result.ok).toBe(true);
    const message = (await pushed) as { event: string; payload: { tillName: string } };
    expect(message.event).toBe('settings.changed');
    expect(message.payload.tillName).toBe('Till 2');
  });
});

describe('envelope and injection helpers', () => {
  it.each([
    ['not JSON', '{'],
    ['array', '[]'],
    ['negative id', '{"id":-1,"command":"app.getInfo"}'],
    ['float id', '{"id":1.5,"command":"app.getInfo"}'],
    ['missing command', '{"id":1}'],
    ['extra key', '{"id":1,"command":"app.getInfo","x":1}'],
    ['long command', `{"id":1,"command":"${'a'.repeat(101)}"}`],
  ])('parseEnvelope refuses %s', (_name, text) => {
    expect(parseEnvelope(text)).toBeNull();
  });

  it('injects right after <head> with attributes', () => {
    expect(injectBridge('<html><HEAD lang="en"><title>x</title>', 'ab')).toBe(
      '<html><HEAD lang="en"><meta name="pos-bridge-token" content="ab"><script src="/pos-bridge.js"></script><title>x</title>',
    );
  });
});

describe('webSenderCheck', () => {
  const check = webSenderCheck(new Set(['http://127.0.0.1:4000']));
  it.each([
    [{ isAuthenticated: true, origin: 'http://127.0.0.1:4000' }, true],
    [{ isAuthenticated: false, origin: 'http://127.0.0.1:4000' }, false],
    [{ isAuthenticated: true, origin: 'http://evil.example' }, false],
    [{ isAuthenticated: true, origin: '' }, false],
  ])('%j → %s', (sender, expected) => {
    expect(check(sender)).toBe(expected);
  });

  it('makes the dispatcher answer forbidden before parsing or calling a handler', async () => {
    const handler = vi.fn();
    const handlers = new Proxy({}, { get: () => handler }) as CommandHandlers;
    const dispatcher = createDispatcher({ handlers, isTrustedSender: check, logger: silentLogger });
    const result = await dispatcher.dispatch('app.getInfo', undefined, {
      isAuthenticated: false,
      origin: 'http://127.0.0.1:4000',
    });
    expect(result).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'This caller may not use the till commands.' },
    });
    expect(handler).not.toHaveBeenCalled();
  });
});
