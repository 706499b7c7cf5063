/**
 * A PostgreSQL server through a pg Pool. Each server instance keeps one dedicated LISTEN connection
 * (never through a transaction pooler, which breaks LISTEN). When it drops, it reconnects with backoff
 * and then calls every listener's `onReconnect`: NOTIFY has no replay, so whatever was sent meanwhile
 * is lost and the tills must resync everything.
 */
import pg from 'pg';
import type { DbAdapter, Queryable, SqlParam } from './adapter.ts';

export interface PgAdapterOptions {
  readonly connectionString: string;
  readonly poolSize?: number;
  /** First reconnect delay of the LISTEN connection; doubles up to 5 s. */
  readonly reconnectDelayMs?: number;
  readonly onListenError?: (error: unknown) => void;
}

interface Listener {
  readonly channel: string;
  readonly onNotify: (payload: string) => void;
  readonly onReconnect: (() => void) | undefined;
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`bad channel name ${name}`);
  return `"${name}"`;
}

export async function createPgAdapter(options: PgAdapterOptions): Promise<DbAdapter> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
  // An idle client that dies must not crash the process; the pool replaces it.
  pool.on('error', (error) => options.onListenError?.(error));
  // Fail at start, not at the first request, when the server is unreachable.
  await pool.query('select 1');
  const listeners = new Set<Listener>();
  let listenClient: pg.Client | undefined;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const baseDelay = options.reconnectDelayMs ?? 100;

  const query = async <T extends object>(
    runner: pg.Pool | pg.PoolClient,
    sql: string,
    params: readonly SqlParam[] = [],
  ): Promise<T[]> => {
    const result = await runner.query<T>(sql, [...params]);
    return result.rows;
  };

  async function connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: options.connectionString });
    client.on('notification', (message) => {
      for (const listener of listeners) {
        if (listener.channel === message.channel) listener.onNotify(message.payload ?? '');
      }
    });
    const onLost = (error?: unknown): void => {
      if (listenClient !== client) return;
      listenClient = undefined;
      if (error !== undefined) options.onListenError?.(error);
      client.end().catch(() => undefined);
      if (!closed) scheduleReconnect(baseDelay);
    };
    client.on('error', onLost);
    client.on('end', () => {
      onLost();
    });
    await client.connect();
    for (const channel of new Set([...listeners].map((l) => l.channel))) {
      await client.query(`listen ${quoteIdent(channel)}`);
    }
    listenClient = client;
  }

  function scheduleReconnect(delay: number): void {
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (closed) return;
      connectListener().then(
        () => {
          for (const listener of listeners) listener.onReconnect?.();
        },
        (error: unknown) => {
          options.onListenError?.(error);
          scheduleReconnect(Math.min(delay * 2, 5000));
        },
      );
    }, delay);
    reconnectTimer.unref();
  }

  return {
    kind: 'postgres',
    query: (sql, params) => query(pool, sql, params),
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({
          query: (sql, params) => query(client, sql, params),
          exec: async (sql) => {
            await client.query(sql);
          },
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel, onNotify, onReconnect) {
      const listener: Listener = { channel, onNotify, onReconnect };
      listeners.add(listener);
      if (listenClient === undefined) {
        if (reconnectTimer === undefined) await connectListener();
      } else {
        await listenClient.query(`listen ${quoteIdent(channel)}`);
      }
      return async () => {
        listeners.delete(listener);
        await Promise.resolve();
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      const client = listenClient;
      listenClient = undefined;
      await client?.end().catch(() => undefined);
      await pool.end();
    },
  };
}
