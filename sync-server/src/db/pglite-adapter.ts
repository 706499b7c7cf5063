/**
 * Embedded PGlite on a data folder. PGlite does not lock its folder and two processes on one folder
 * corrupt it (sync-anchors §3.5), so this adapter takes an exclusive lock file first: it refuses to start
 * while another live process holds it and takes over a lock left by a dead one.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import type { DbAdapter, Queryable, SqlParam } from './adapter.ts';

export const LOCK_FILE_NAME = 'omnitill-server.lock';
export const PGLITE_SUBDIR = 'pgdata';

export class DataDirLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly ownerPid: number,
  ) {
    super(`data folder is in use by process ${ownerPid} (lock file ${lockPath})`);
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it is still alive.
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}

/** Takes the lock or throws DataDirLockedError; returns the release function. */
export function acquireDataDirLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST'))
        throw error;
      const owner = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new DataDirLockedError(lockPath, owner);
      }
      if (owner === process.pid) throw new DataDirLockedError(lockPath, owner);
      // Stale: its owner died without releasing it.
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not take the lock file in ${dataDir}`);
}

export interface PgliteAdapterOptions {
  /** A folder owned by this server; the cluster lives in `<dataDir>/pgdata`. Absent = in memory. */
  readonly dataDir?: string;
  /**
   * PGlite disabled its checkpointer (0.4.4), so the WAL only shrinks when someone runs CHECKPOINT; the
   * adapter does it on this interval (default 5 min; 0 = never).
   */
  readonly checkpointIntervalMs?: number;
}

function wrap(q: Pick<PGlite, 'query' | 'exec'>): Queryable {
  return {
    async query<T extends object>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
      const result = await q.query<T>(sql, [...params]);
      return result.rows;
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
  };
}

export async function createPgliteAdapter(options: PgliteAdapterOptions = {}): Promise<DbAdapter> {
  const release = options.dataDir === undefined ? undefined : acquireDataDirLock(options.dataDir);
  let db: PGlite;
  try {
    db =
      options.dataDir === undefined
        ? await PGlite.create({ extensions: { btree_gist } })
        : await PGlite.create(join(options.dataDir, PGLITE_SUBDIR), { extensions: { btree_gist } });
  } catch (error) {
    release?.();
    throw error;
  }
  const base = wrap(db);
  let closed = false;
  const interval = options.checkpointIntervalMs ?? 5 * 60 * 1000;
  const checkpointTimer =
    interval > 0 && options.dataDir !== undefined
      ? setInterval(() => {
          if (!closed) db.exec('checkpoint').catch(() => undefined);
        }, interval)
      : undefined;
  checkpointTimer?.unref();
  return {
    kind: 'pglite',
    query: (sql, params) => base.query(sql, params),
    exec: (sql) => base.exec(sql),
    transaction(fn) {
      return db.transaction((tx) => fn(wrap(tx)));
    },
    async listen(channel, onNotify) {
      // One process, one connection: notifications cannot be lost to a dropped connection here.
      const unlisten = await db.listen(channel, onNotify);
      return async () => {
        if (!closed) await unlisten();
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (checkpointTimer !== undefined) clearInterval(checkpointTimer);
      try {
        await db.close();
      } finally {
        release?.();
      }
    },
  };
}
