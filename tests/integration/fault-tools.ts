/**
 * Tools for the fault tests: a sync server that can be stopped and started again on the same data
 * (a PGlite data folder or a PostgreSQL database) and port, a lossy loopback proxy between a till and
 * it, and a seeded random generator so a failing run can be replayed.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { DbAdapter } from '../../sync-server/src/db/adapter.ts';
import { createPgAdapter } from '../../sync-server/src/db/pg-adapter.ts';
import { createPgliteAdapter } from '../../sync-server/src/db/pglite-adapter.ts';
import { API_PREFIX, buildServer } from '../../sync-server/src/server.ts';
import { HQ_TOKEN } from '../../sync-server/test/harness.ts';
import { pgliteDataDir } from '../../sync-server/test/pglite-template.ts';
import type { PostgresServer } from '../../sync-server/test/postgres-server.ts';
import { testEventSchemas } from '../../sync-server/test/test-event-schemas.ts';

/** Mulberry32: small, seeded, good enough to pick faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type StorageSpec =
  { readonly kind: 'pglite'; readonly dataDir: string } | { readonly kind: 'postgres'; readonly url: string };

export async function newStorage(
  kind: 'pglite' | 'postgres',
  postgres?: PostgresServer,
): Promise<StorageSpec> {
  if (kind === 'pglite') return { kind, dataDir: await pgliteDataDir() };
  if (postgres === undefined) throw new Error('a PostgreSQL server is needed');
  return { kind, url: await postgres.createDatabase(`f_${randomUUID().replace(/-/g, '')}`) };
}

/** A sync server on 127.0.0.1 that can be stopped and started again on the same storage and port. */
export class RestartableServer {
  private app: FastifyInstance | undefined;
  private database: DbAdapter | undefined;
  private portNumber = 0;
  restarts = 0;

  constructor(private readonly storage: StorageSpec) {}

  get port(): number {
    return this.portNumber;
  }

  get db(): DbAdapter {
    if (this.database === undefined) throw new Error('the server is stopped');
    return this.database;
  }

  get running(): boolean {
    return this.app !== undefined;
  }

  async start(): Promise<void> {
    const db =
      this.storage.kind === 'pglite'
        ? await createPgliteAdapter({ dataDir: this.storage.dataDir, checkpointIntervalMs: 0 })
        : await createPgAdapter({ connectionString: this.storage.url, poolSize: 8, reconnectDelayMs: 50 });
    const app = await buildServer({
      db,
      hqToken: HQ_TOKEN,
      eventSchemas: testEventSchemas,
      logger: false,
      pokeMergeMs: 20,
      minClientVersion: '0.1.0',
    });
    await app.listen({ port: this.portNumber, host: '127.0.0.1' });
    this.portNumber = (app.server.address() as AddressInfo).port;
    this.app = app;
    this.database = db;
  }

  /** Closes the server (open requests are cut off, as a crash would) and its database. */
  async stop(): Promise<void> {
    const app = this.app;
    const db = this.database;
    this.app = undefined;
    this.database = undefined;
    await app?.close();
    await db?.close();
  }

  async restart(): Promise<void> {
    await this.stop();
    this.restarts++;
    await this.start();
  }

  /** HQ's side, straight to the server. */
  async hq(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`http://127.0.0.1:${this.portNumber}${API_PREFIX}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${HQ_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  /** An enrolment code of `storeId`. */
  async enrollmentCode(storeId: string): Promise<string> {
    const code = await this.hq('/admin/enrollment-codes', { storeId });
    if (code.status !== 201) throw new Error(`enrollment code: ${code.status}`);
    return (code.body as { code: string }).code;
  }
}

/** What the proxy does with one push of events. */
export type PushFault =
  /** Forwarded, answered. */
  | 'pass'
  /** Forwarded; once the server has committed and answered, the till's connection is cut. */
  | 'drop-after-commit'
  /** Delivered to the server twice at once (a middlebox retrying): two overlapping pushes of one batch. */
  | 'duplicate'
  /** The till's connection is cut at once; the request still reaches the server a little later, while
   *  the till's own retry may already be there (overlapping retries). */
  | 'late-delivery';

export interface ProxyStats {
  readonly faults: Record<PushFault, number>;
  /** Requests that found the server down. */
  unreachable: number;
}

/**
 * A loopback HTTP proxy in front of the server, faulty only for `POST …/push/events` (what `decide`
 * says); everything else, the event stream included, passes through.
 */
export class LossyProxy {
  readonly stats: ProxyStats = {
    faults: { pass: 0, 'drop-after-commit': 0, duplicate: 0, 'late-delivery': 0 },
    unreachable: 0,
  };
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly late = new Set<Promise<unknown>>();

  private constructor(
    private readonly targetPort: () => number,
    private readonly decide: () => PushFault,
    private readonly random: () => number,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        res.socket?.destroy();
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** `decide` picks each push's fault; `random` (seeded) picks the delay of a late delivery. */
  static async start(
    targetPort: () => number,
    decide: () => PushFault,
    random: () => number,
  ): Promise<LossyProxy> {
    const proxy = new LossyProxy(targetPort, decide, random);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${API_PREFIX}`;
  }

  /** Waits for deliveries still under way (late ones), then closes. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.late]);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  /** Late deliveries still under way. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.late]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url?.endsWith('/stream') === true || req.url?.includes('/stream?') === true) {
      this.pipeStream(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const forward = () => this.forward(req, body);
    const fault: PushFault =
      req.method === 'POST' && req.url?.endsWith('/push/events') === true ? this.decide() : 'pass';
    this.stats.faults[fault]++;
    try {
      switch (fault) {
        case 'pass': {
          this.answer(res, await forward());
          return;
        }
        case 'drop-after-commit': {
          await forward();
          res.socket?.destroy();
          return;
        }
        case 'duplicate': {
          const [first] = await Promise.all([forward(), forward().catch(() => undefined)]);
          this.answer(res, first);
          return;
        }
        case 'late-delivery': {
          res.socket?.destroy();
          const delay = 20 + Math.floor(this.random() * 150);
          const delivery = new Promise((r) => setTimeout(r, delay)).then(forward);
          this.late.add(delivery);
          delivery.catch(() => undefined).finally(() => this.late.delete(delivery));
          return;
        }
      }
    } catch {
      this.stats.unreachable++;
      res.socket?.destroy();
    }
  }

  private answer(res: ServerResponse, r: { status: number; headers: Record<string, string>; body: Buffer }) {
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const up = httpRequest(
        {
          host: '127.0.0.1',
          port: this.targetPort(),
          method: req.method,
          path: req.url,
          headers: { ...req.headers, connection: 'close' },
          agent: false,
        },
        (upRes) => {
          const parts: Buffer[] = [];
          upRes.on('data', (c: Buffer) => parts.push(c));
          upRes.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(upRes.headers)) {
              if (typeof v === 'string' && k !== 'connection' && k !== 'transfer-encoding') headers[k] = v;
            }
            resolve({ status: upRes.statusCode ?? 502, headers, body: Buffer.concat(parts) });
          });
          upRes.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
    });
  }

  private pipeStream(req: IncomingMessage, res: ServerResponse): void {
    const up = httpRequest(
      {
        host: '127.0.0.1',
        port: this.targetPort(),
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        upRes.on('close', () => res.destroy());
      },
    );
    up.on('error', () => {
      this.stats.unreachable++;
      res.socket?.destroy();
    });
    req.on('close', () => up.destroy());
    req.pipe(up);
  }
}
