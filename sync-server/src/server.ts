/**
 * buildServer: one sync-server instance over a database adapter (PGlite or PostgreSQL). Migrates the
 * schema, loads the epoch and the token key, starts the fan-out listener and returns the Fastify
 * instance (not listening yet: `await app.listen({ port: 0, host: '127.0.0.1' })` in tests).
 */
import cors from '@fastify/cors';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';
import { loadTokenSecret } from './auth/access-token.ts';
import type { ServerContext } from './context.ts';
import { refuse } from './context.ts';
import type { DbAdapter } from './db/adapter.ts';
import { migrate } from './db/migrate.ts';
import { appEventSchemas, createEventValidator } from './events/event-validator.ts';
import type { PayloadSchemaLookup } from './events/event-validator.ts';
import { DeviceRevokedError } from './events/push-events.ts';
import { Fanout } from './fanout.ts';
import { clientTooOld, DEFAULT_MIN_CLIENT_VERSION } from './protocol-version.ts';
import { registerAdminRoutes } from './routes/admin-routes.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerStreamRoutes, StreamRegistry } from './routes/stream-routes.ts';
import { registerTillRoutes } from './routes/till-routes.ts';

export const API_PREFIX = '/api/sync/v1';
/** 1 MB: the push limit of the protocol (a larger body gets 413). */
export const BODY_LIMIT = 1024 * 1024;

export interface ServerOptions {
  readonly db: DbAdapter;
  /** The HQ credential for /admin routes. */
  readonly hqToken: string;
  /** Payload schema per `type@schemaVersion`; default the app's `eventPayloadSchema`. Unknown → quarantine. */
  readonly eventSchemas?: PayloadSchemaLookup;
  readonly minClientVersion?: string;
  readonly logger?: FastifyServerOptions['logger'];
  readonly now?: () => Date;
  readonly keepAliveMs?: number;
  /** Merge window of pokes to one client. */
  readonly pokeMergeMs?: number;
  /** Close the database when the server closes (the CLI owns it through the server). */
  readonly closeDatabase?: boolean;
  /** How long a gift-card / store-credit hold lasts uncaptured; default DEFAULT_HOLD_TTL_MS (account-holds.ts). */
  readonly accountHoldTtlMs?: number;
}

async function readEpoch(db: DbAdapter): Promise<string> {
  const rows = await db.query<{ v: string }>(`select v from server_meta where k = 'epoch'`);
  const epoch = rows[0]?.v;
  if (epoch === undefined) throw new Error('server epoch missing: the database was not initialised');
  return epoch;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { db } = options;
  await migrate(db);
  const fanout = new Fanout(options.pokeMergeMs ?? 50);
  await fanout.attach(db);
  const ctx: ServerContext = {
    db,
    epoch: await readEpoch(db),
    tokenKey: await loadTokenSecret(db),
    validator: createEventValidator(options.eventSchemas ?? appEventSchemas),
    fanout,
    now: options.now ?? (() => new Date()),
    minClientVersion: options.minClientVersion ?? DEFAULT_MIN_CLIENT_VERSION,
    hqToken: options.hqToken,
    keepAliveMs: options.keepAliveMs ?? 20_000,
    ...(options.accountHoldTtlMs === undefined ? {} : { accountHoldTtlMs: options.accountHoldTtlMs }),
  };

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: true,
  });
  // Tills call from another origin: app://pos in Electron, the web host's loopback origin in a
  // browser. Credentials are bearer tokens, never cookies, so any origin may ask; what a caller may
  // do is decided by its token alone.
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: [
      'authorization',
      'content-type',
      'x-pos-protocol',
      'x-pos-client-version',
      'x-pos-outbox-pending',
      'last-event-id',
    ],
    exposedHeaders: ['retry-after'],
    maxAge: 600,
  });
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DeviceRevokedError)
      return refuse(reply, 401, 'unauthorized', 'device is revoked or unknown');
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return refuse(reply, status, error.code, error.message);
    }
    request.log.error({ err: error }, 'request failed');
    // The till retries on 5xx; a database hiccup is exactly that case.
    return refuse(reply, 503, 'unavailable', 'temporary server failure, retry later');
  });

  const streams = new StreamRegistry();
  await app.register(
    (till, _opts, done) => {
      till.addHook('onRequest', async (request, reply) => {
        const protocol = request.headers['x-pos-protocol'];
        const version = request.headers['x-pos-client-version'];
        const why = clientTooOld(
          typeof protocol === 'string' ? protocol : undefined,
          typeof version === 'string' ? version : undefined,
          ctx.minClientVersion,
        );
        if (why !== undefined) {
          await refuse(reply, 426, 'upgrade_required', why);
        }
      });
      registerAuthRoutes(till, ctx);
      registerTillRoutes(till, ctx);
      registerStreamRoutes(till, ctx, streams);
      done();
    },
    { prefix: API_PREFIX },
  );
  await app.register(
    (admin, _opts, done) => {
      registerAdminRoutes(admin, ctx, streams);
      done();
    },
    { prefix: API_PREFIX },
  );
  app.get('/healthz', (_request, reply) => reply.send({ ok: true, epoch: ctx.epoch }));

  app.addHook('preClose', async () => {
    streams.closeAll();
    await fanout.close();
  });
  app.addHook('onClose', async () => {
    if (options.closeDatabase === true) await db.close();
  });
  return app;
}
