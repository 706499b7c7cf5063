/**
 * The one Content-Security-Policy of the renderer, sent as an HTTP header by both the `app://pos`
 * protocol handler and the web host (Electron checklist #7: a header, not a meta tag). Nothing is
 * inline and nothing is evaluated: `script-src 'self'` without 'unsafe-inline'/'unsafe-eval'.
 */

/** An origin we may add to connect-src; the strict shape keeps CSP syntax (`;`, `'`, spaces) out. */
const ORIGIN_RE = /^(?:https|wss|http|ws):\/\/[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::[0-9]{1,5})?$/;

export interface CspOptions {
  /** Extra origins the page may fetch from or open sockets to (sync server, web-host socket). */
  readonly connectSrc?: readonly string[];
}

export function buildCsp(options: CspOptions = {}): string {
  const connect = ["'self'"];
  for (const origin of options.connectSrc ?? []) {
    if (!ORIGIN_RE.test(origin))
      throw new RangeError(`not an origin for connect-src: ${JSON.stringify(origin)}`);
    connect.push(origin);
  }
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers sent with every renderer file, by both hosts. */
export function securityHeaders(contentType: string, csp: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}
