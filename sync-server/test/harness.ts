/**
 * Starts a real sync server on 127.0.0.1 (port 0) over PGlite (a copied template cluster in a temp
 * folder) or over a database of a test PostgreSQL server, and talks to it over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { DbAdapter } from '../src/db/adapter.ts';
import { createPgAdapter } from '../src/db/pg-adapter.ts';
import { createPgliteAdapter } from '../src/db/pglite-adapter.ts';
import { API_PREFIX, buildServer } from '../src/server.ts';
import type { ServerOptions } from '../src/server.ts';
import { pgliteDataDir } from './pglite-template.ts';
import type { PostgresServer } from './postgres-server.ts';
import { testEventSchemas } from './test-event-schemas.ts';

export type Backend =
  | { readonly kind: 'pglite' }
  | { readonly kind: 'postgres'; readonly server: PostgresServer; readonly url?: string };

export const HQ_TOKEN = 'test-hq-token-0123456789';
export const TILL_HEADERS = { 'x-pos-protocol': '1', 'x-pos-client-version': '1.0.0' } as const;

export interface Harness {
  readonly app: FastifyInstance;
  readonly db: DbAdapter;
  readonly base: string;
  /** Connection string of the PostgreSQL database (postgres backend only). */
  readonly databaseUrl: string | undefined;
  request(path: string, init?: RequestOptions): Promise<Response>;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the response shape
  json<T>(path: string, init?: RequestOptions): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export interface RequestOptions {
  readonly method?: string;
  readonly token?: string;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly tillHeaders?: boolean;
}

export async function startHarness(
  backend: Backend,
  options: Partial<Omit<ServerOptions, 'db'>> = {},
): Promise<Harness> {
  let db: DbAdapter;
  let dataDir: string | undefined;
  let databaseUrl: string | undefined;
  if (backend.kind === 'pglite') {
    dataDir = await pgliteDataDir();
    db = await createPgliteAdapter({ dataDir });
  } else {
    databaseUrl = backend.url ?? (await backend.server.createDatabase(`t_${randomUUID().replace(/-/g, '')}`));
    db = await createPgAdapter({ connectionString: databaseUrl, poolSize: 12, reconnectDelayMs: 50 });
  }
  const app = await buildServer({
    db,
    hqToken: HQ_TOKEN,
    eventSchemas: testEventSchemas,
    logger: false,
    pokeMergeMs: 20,
    ...options,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const base = `http://127.0.0.1:${port}${API_PREFIX}`;

  const request = (path: string, init: RequestOptions = {}): Promise<Response> => {
    const headers: Record<string, string> = {
      ...(init.tillHeaders === false ? {} : TILL_HEADERS),
      ...init.headers,
    };
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.rawBody !== undefined) {
      body = init.rawBody;
      headers['content-type'] = init.contentType ?? 'application/json';
    } else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    return fetch(`${base}${path}`, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
    });
  };

  return {
    app,
    db,
    base,
    databaseUrl,
    request,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- see Harness.json
    async json<T>(path: string, init?: RequestOptions) {
      const response = await request(path, init);
      const text = await response.text();
      return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
    },
    async close() {
      await app.close();
      await db.close();
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TillSession {
  readonly deviceId: string;
  readonly storeId: string;
  readonly refreshToken: string;
  readonly accessToken: string;
}

/** HQ creates a code; the till enrols and gets an access token. */
export async function enrollTill(h: Harness, storeId: string, deviceName = 'Till 1'): Promise<TillSession> {
  const code = await h.json<{ code: string }>('/admin/enrollment-codes', {
    token: HQ_TOKEN,
    body: { storeId },
    tillHeaders: false,
  });
  if (code.status !== 201) throw new Error(`enrollment code: ${code.status}`);
  const enrolled = await h.json<{ deviceId: string; storeId: string; refreshToken: string }>('/auth/enroll', {
    body: { enrollmentCode: code.body.code, deviceName, appVersion: '1.0.0' },
  });
  if (enrolled.status !== 201) throw new Error(`enroll: ${enrolled.status}`);
  const token = await h.json<{ accessToken: string }>('/auth/token', {
    method: 'POST',
    token: enrolled.body.refreshToken,
  });
  if (token.status !== 200) throw new Error(`token: ${token.status}`);
  return { ...enrolled.body, accessToken: token.body.accessToken };
}

/** A UUIDv7-shaped id whose order follows `n` (the server sorts rows by event id). */
export function eventId(n: number, salt = 0): string {
  const hex = (n + salt * 1_000_000).toString(16).padStart(12, '0');
  return `01900000-0000-7000-8000-${hex}`;
}

export interface SaleLine {
  readonly productId: string;
  readonly quantity: number;
}

export function saleEvent(
  till: Pick<TillSession, 'deviceId' | 'storeId'>,
  seq: number,
  lines: readonly SaleLine[],
  options: { id?: string; occurredAt?: string } = {},
): Record<string, unknown> {
  const id = options.id ?? eventId(seq);
  return {
    eventId: id,
    type: 'sale.completed',
    schemaVersion: 1,
    storeId: till.storeId,
    deviceId: till.deviceId,
    deviceSeq: seq,
    occurredAt: options.occurredAt ?? '2026-11-23T10:00:00.000Z',
    payload: {
      saleId: `sale-${id}`,
      storeId: till.storeId,
      total: lines.length * 100,
      lines: lines.map((l, i) => ({
        lineId: `L${i + 1}`,
        productId: l.productId,
        quantity: l.quantity,
        total: 100,
      })),
    },
  };
}

export function rows(docs: readonly Record<string, unknown>[]): {
  rows: { newDocumentState: Record<string, unknown> }[];
} {
  return { rows: docs.map((newDocumentState) => ({ newDocumentState })) };
}
