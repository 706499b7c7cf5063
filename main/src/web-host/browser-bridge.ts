/**
 * `window.pos` in a plain browser, talking to the web host over its WebSocket. Built by the same
 * createBridgeObject as the Electron preload, so both expose exactly the same shape. Bundled by
 * esbuild into /pos-bridge.js (an IIFE, loaded by a classic script tag the host injects at the top
 * of <head>, so it runs before any module script of the page).
 *
 * main/ compiles without the DOM library, so the few browser APIs used are declared here.
 */
import { isPosEvent, type PosEvent, type PosResult } from '../contract.ts';
import { createBridgeObject } from '../commands/bridge-object.ts';

interface BrowserSocket {
  readonly readyState: number;
  send(data: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
}

interface BrowserGlobals {
  readonly WebSocket: (new (url: string, protocols: string[]) => BrowserSocket) & { readonly OPEN: number };
  readonly location: { readonly host: string };
  readonly document: {
    querySelector(selector: string): { getAttribute(name: string): string | null; remove(): void } | null;
  };
  setTimeout(callback: () => void, ms: number): unknown;
}

// These names are duplicated from web-host.ts (which imports node:*) so this bundle stays small.
const WS_PATH = '/pos';
const WS_PROTOCOL = 'pos.v1';
const TOKEN_PROTOCOL_PREFIX = 'pos.token.';
const TOKEN_META_NAME = 'pos-bridge-token';

const browser = globalThis as unknown as BrowserGlobals; // see BrowserGlobals: no DOM lib here

const meta = browser.document.querySelector(`meta[name="${TOKEN_META_NAME}"]`);
const token = meta?.getAttribute('content') ?? '';
// Out of the DOM: nothing later in the page needs it, and it should not be copied into reports.
meta?.remove();

const pending = new Map<number, (result: PosResult<unknown>) => void>();
const listeners = new Map<PosEvent, Set<(payload: unknown) => void>>();
const queue: string[] = [];
let nextId = 1;
let socket: BrowserSocket | null = null;
let retryMs = 250;

function connect(): void {
  const ws = new browser.WebSocket(`ws://${browser.location.host}${WS_PATH}`, [
    WS_PROTOCOL,
    `${TOKEN_PROTOCOL_PREFIX}${token}`,
  ]);
  socket = ws;
  ws.addEventListener('open', () => {
    retryMs = 250;
    for (const message of queue.splice(0)) ws.send(message);
  });
  ws.addEventListener('message', (event) => {
    onMessage(event.data);
  });
  ws.addEventListener('close', () => {
    socket = null;
    // Requests sent on this connection will get no answer: settle them now, as a Result. Queued,
    // unsent ones are settled too and dropped, so a request reported as failed never runs later
    // (a drawer must not open minutes after the cashier saw the error).
    queue.length = 0;
    for (const [id, settle] of pending) {
      pending.delete(id);
      settle({
        ok: false,
        error: { code: 'unavailable', message: 'Lost the connection to the till service.' },
      });
    }
    browser.setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  });
}

function onMessage(data: unknown): void {
  if (typeof data !== 'string') return;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return;
  }
  if (typeof message !== 'object' || message === null) return;
  if ('id' in message && 'result' in message && typeof message.id === 'number') {
    const settle = pending.get(message.id);
    pending.delete(message.id);
    // The host builds results with the dispatcher; the shape is the contract's PosResult.
    settle?.(message.result as PosResult<unknown>);
    return;
  }
  if ('event' in message && 'payload' in message && isPosEvent(message.event)) {
    for (const callback of listeners.get(message.event) ?? []) {
      try {
        callback(message.payload);
      } catch (error) {
        // One failing subscriber must not starve the others; the error still reaches the console.
        browser.setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }
}

const bridge = createBridgeObject(
  (command, input) =>
    new Promise((resolve) => {
      const id = nextId;
      nextId += 1;
      pending.set(id, resolve);
      const message = JSON.stringify({ id, command, input });
      if (socket !== null && socket.readyState === browser.WebSocket.OPEN) socket.send(message);
      else queue.push(message);
    }),
  (event, callback) => {
    let set = listeners.get(event);
    if (set === undefined) {
      set = new Set();
      listeners.set(event, set);
    }
    // A fresh wrapper per subscription, so subscribing the same callback twice unsubscribes once.
    const wrapper = (payload: unknown): void => {
      callback(payload);
    };
    set.add(wrapper);
    return () => {
      set.delete(wrapper);
    };
  },
);

// Not writable, not configurable: page scripts cannot swap the bridge for a look-alike.
Object.defineProperty(globalThis, 'pos', {
  value: bridge,
  enumerable: true,
  writable: false,
  configurable: false,
});
connect();
