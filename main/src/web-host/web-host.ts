/**
 * The web host: the till in any Chromium browser. One Node process serves the built renderer over
 * HTTP and the command contract over a WebSocket at /pos, through the same dispatcher, zod parsing
 * and Result shape as Electron's ipcMain binding.
 *
 * Who may issue commands, and why each check exists:
 *  - Loopback bind by default: nothing off the machine can connect.
 *  - Host header allow-list on every HTTP request and upgrade: a DNS-rebinding page (attacker.com
 *    resolving to 127.0.0.1) is same-origin from the browser's view and could otherwise read the
 *    page, and with it the token.
 *  - Origin allow-list on the upgrade: WebSockets are not covered by the same-origin policy, so
 *    without it any web page the till's browser visits could drive the till (CSWSH).
 *  - A per-start secret token (32 random bytes), injected into the served HTML and presented as a
 *    WebSocket subprotocol: a client that did not load our page cannot connect. It does not stop
 *    another process of the same OS account from fetching the page; that account is the trust
 *    boundary of the web host, as the browser profile it serves already is.
 *  - The dispatcher's sender check refuses (forbidden) any connection not marked authenticated,
 *    so a future code path that skips the upgrade checks still cannot run commands.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  createDispatcher,
  fail,
  type CommandHandlers,
  type Dispatcher,
  type SenderCheck,
} from '../commands/dispatcher.ts';
import type { EventHub } from '../commands/events.ts';
import type { Logger } from '../logging/logger.ts';
import { buildCsp, securityHeaders } from '../security/csp.ts';
import { readStaticFile } from '../security/static-files.ts';

export const WS_PATH = '/pos';
export const BRIDGE_PATH = '/pos-bridge.js';
/** The subprotocol the server selects; the token travels as a second, never-echoed one. */
export const WS_PROTOCOL = 'pos.v1';
export const TOKEN_PROTOCOL_PREFIX = 'pos.token.';
export const TOKEN_META_NAME = 'pos-bridge-token';

/** Bounds per connection: one journal payload fits; a flood does not. */
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
const MAX_IN_FLIGHT = 32;
const MAX_CONNECTIONS = 16;

export interface WebSender {
  /** Set only after the upgrade checks (Host, Origin, token) passed. */
  readonly isAuthenticated: boolean;
  readonly origin: string;
}

export interface WebHostOptions {
  readonly staticDir: string;
  readonly handlers: CommandHandlers;
  readonly events: EventHub;
  readonly logger: Logger;
  /** The compiled browser shim served at /pos-bridge.js (see bridge-bundle.ts). */
  readonly bridgeScript: string;
  /** Default 127.0.0.1. Anything else exposes the till to the network: a deliberate choice. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Extra connect-src origins for the page (the sync server). */
  readonly connectSrc?: readonly string[];
}

export interface WebHost {
  /** e.g. http://127.0.0.1:43210 */
  readonly origin: string;
  readonly port: number;
  /** The per-start token, for tests and for a launcher that embeds the page. */
  readonly token: string;
  close(): Promise<void>;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1';
  const token = randomBytes(32).toString('hex');
  const tokenBytes = Buffer.from(token, 'utf8');
  const { logger } = options;

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo; // a TCP listen always yields an AddressInfo
  const hostNames = host === '127.0.0.1' || host === 'localhost' ? ['127.0.0.1', 'localhost'] : [host];
  const allowedHosts = new Set(hostNames.map((name) => `${name}:${port}`));
  const allowedOrigins = new Set(hostNames.map((name) => `http://${name}:${port}`));
  const origin = `http://${hostNames[0] ?? host}:${port}`;
  const csp = buildCsp({
    connectSrc: [...hostNames.map((name) => `ws://${name}:${port}`), ...(options.connectSrc ?? [])],
  });

  const dispatcher = createDispatcher<WebSender>({
    handlers: options.handlers,
    isTrustedSender: webSenderCheck(allowedOrigins),
    logger,
  });

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void serveHttp(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });

  async function serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!allowedHosts.has(request.headers.host ?? '')) {
      response.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    // The raw request target, not `new URL(target, base)`: that would read `//host/x` as
    // another authority. resolveStaticPath refuses anything but a clean absolute path.
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    let body: Buffer;
    let contentType: string;
    if (pathname === BRIDGE_PATH) {
      body = Buffer.from(options.bridgeScript, 'utf8');
      contentType = 'text/javascript; charset=utf-8';
    } else {
      const file = await readStaticFile(options.staticDir, pathname);
      if (file === null) {
        response.writeHead(404, securityHeaders('text/plain; charset=utf-8', csp)).end('Not found');
        return;
      }
      contentType = file.contentType;
      body = contentType.startsWith('text/html')
        ? Buffer.from(injectBridge(file.body.toString('utf8'), token))
        : file.body;
    }
    response.writeHead(200, { ...securityHeaders(contentType, csp), 'Content-Length': String(body.length) });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // Never echo the token subprotocol back.
    handleProtocols: () => WS_PROTOCOL,
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = checkUpgrade(request);
    if (refusal !== null) {
      logger.warn('websocket upgrade refused', { reason: refusal });
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    const sender: WebSender = { isAuthenticated: true, origin: request.headers.origin ?? '' };
    wss.handleUpgrade(request, socket, head, (ws) => {
      serveSocket(ws, sender, dispatcher);
    });
  });

  /** Null when the upgrade may proceed, else the reason (for the log only). */
  function checkUpgrade(request: IncomingMessage): string | null {
    if (request.url !== WS_PATH) return 'path';
    if (!allowedHosts.has(request.headers.host ?? '')) return 'host';
    if (!allowedOrigins.has(request.headers.origin ?? '')) return 'origin';
    if (wss.clients.size >= MAX_CONNECTIONS) return 'too many connections';
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((part) => part.trim());
    if (!offered.includes(WS_PROTOCOL)) return 'protocol';
    const tokens = offered.filter((part) => part.startsWith(TOKEN_PROTOCOL_PREFIX));
    if (tokens.length !== 1) return 'token';
    const presented = Buffer.from((tokens[0] ?? '').slice(TOKEN_PROTOCOL_PREFIX.length), 'utf8');
    // Constant-time compare; the length check first leaks only the (public) token length.
    if (presented.length !== tokenBytes.length || !timingSafeEqual(presented, tokenBytes)) return 'token';
    return null;
  }

  function serveSocket(ws: WebSocket, sender: WebSender, commands: Dispatcher<WebSender>): void {
    let inFlight = 0;
    const unsubscribe = options.events.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
    });
    ws.on('close', unsubscribe);
    ws.on('error', () => {
      ws.terminate();
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const request = isBinary ? null : parseEnvelope(rawToString(data));
      if (request === null) {
        // Not our shim talking: drop the connection rather than guess.
        ws.close(1008, 'malformed message');
        return;
      }
      if (inFlight >= MAX_IN_FLIGHT) {
        ws.send(
          JSON.stringify({ id: request.id, result: fail('unavailable', 'Too many requests at once.') }),
        );
        return;
      }
      inFlight += 1;
      void commands.dispatch(request.command, request.input, sender).then((result) => {
        inFlight -= 1;
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: request.id, result }));
      });
    });
  }

  return {
    origin,
    port,
    token,
    close: () => closeAll(server, wss),
  };
}

/** The web binding's SenderCheck: authenticated at the upgrade, from an allowed Origin. */
export function webSenderCheck(allowedOrigins: ReadonlySet<string>): SenderCheck<WebSender> {
  return (sender) => sender.isAuthenticated && allowedOrigins.has(sender.origin);
}

interface Envelope {
  readonly id: number;
  readonly command: string;
  readonly input: unknown;
}

/** `{ id, command, input? }` and nothing else; `input` is left to the contract's parser. */
export function parseEnvelope(text: string): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  if (keys.some((key) => key !== 'id' && key !== 'command' && key !== 'input')) return null;
  const { id, command, input } = value as { id?: unknown; command?: unknown; input?: unknown };
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null;
  if (typeof command !== 'string' || command.length > 100) return null;
  return { id, command, input };
}

/** Adds the token and the bridge script to the page's head, before any of the page's own scripts. */
export function injectBridge(html: string, token: string): string {
  // The token is hex, so it needs no escaping inside the attribute.
  const tags = `<meta name="${TOKEN_META_NAME}" content="${token}"><script src="${BRIDGE_PATH}"></script>`;
  const head = /<head(?:\s[^>]*)?>/i.exec(html);
  if (head === null) return tags + html;
  const at = head.index + head[0].length;
  return html.slice(0, at) + tags + html.slice(at);
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(new Uint8Array(data)).toString('utf8');
}

function closeAll(server: Server, wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate();
  return new Promise((resolve) => {
    wss.close(() => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  });
}
