/**
 * `GET /stream`: server-sent events. `hello {serverEpoch}` on connect (the till resyncs everything on
 * every (re)connect), `poke {collections, scope}` when rows of its scope commit, a keep-alive comment
 * so proxies keep the connection open. Read with fetch streaming: EventSource cannot send a token.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';
import { authenticateDevice, checkStoreScope } from '../context.ts';

/** The open streams of this instance, by device. */
export class StreamRegistry {
  private readonly open = new Map<() => void, string>();

  add(deviceId: string, close: () => void): void {
    this.open.set(close, deviceId);
  }

  delete(close: () => void): void {
    this.open.delete(close);
  }

  /** Ends every open stream (server shutdown). */
  closeAll(): void {
    for (const close of [...this.open.keys()]) close();
  }

  /** Ends a revoked device's streams on this instance (others end at the device's next request). */
  closeDevice(deviceId: string): void {
    for (const [close, owner] of [...this.open]) if (owner === deviceId) close();
  }
}

export function registerStreamRoutes(app: FastifyInstance, ctx: ServerContext, open: StreamRegistry): void {
  app.get('/stream', async (request, reply) => {
    const claims = await authenticateDevice(ctx, request, reply);
    if (claims === undefined) return reply;
    if (!(await checkStoreScope(request, reply, claims))) return reply;
    reply.hijack();
    const res = reply.raw;
    // Hijacked: Fastify's hooks (the CORS plugin's) no longer add headers, so the stream states its own.
    res.writeHead(200, {
      'access-control-allow-origin': '*',
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const write = (text: string): void => {
      if (!res.destroyed) res.write(text);
    };
    write('retry: 3000\n\n');
    write(
      `event: hello\ndata: ${JSON.stringify({ serverEpoch: ctx.epoch, serverTime: ctx.now().toISOString() })}\n\n`,
    );
    const unsubscribe = ctx.fanout.subscribe({
      storeId: claims.storeId,
      send: (poke) => {
        write(`event: poke\ndata: ${JSON.stringify(poke)}\n\n`);
      },
    });
    const keepAlive = setInterval(() => {
      write(': keepalive\n\n');
    }, ctx.keepAliveMs);
    const close = (): void => {
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(close);
      if (!res.writableEnded) res.end();
    };
    open.add(claims.deviceId, close);
    request.raw.on('close', close);
    res.on('close', close);
    return reply;
  });
}
