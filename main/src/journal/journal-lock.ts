/**
 * The journal folder's exclusive lock: a file naming the holder (pid, host, random token).
 *
 * The file is written whole under a temporary name and hard-linked into place, because link()
 * fails when the target exists: there is never a half-written lock a crash could leave behind, so
 * an unreadable lock file is damage and is treated as stale. A lock whose pid is dead (a till that
 * crashed or was killed) is taken over under a second link-created file (`journal.lock.takeover`),
 * so two processes taking over at once cannot both win. Liveness is checked with
 * signal 0; a lock written on another host cannot be checked and is respected.
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { JournalError, ioError, systemErrorCode } from './journal-errors.ts';

export const LOCK_FILE = 'journal.lock';

export interface JournalLock {
  readonly path: string;
  /** The pid of a dead holder whose lock was taken over, or null. */
  readonly staleHolderPid: number | null;
  release(): Promise<void>;
}

interface Holder {
  readonly pid: number;
  readonly hostname: string;
  readonly token: string;
}

const ATTEMPTS = 50;

export async function acquireJournalLock(dir: string): Promise<JournalLock> {
  const path = join(dir, LOCK_FILE);
  const token = randomUUID();
  const mine: Holder = { pid: process.pid, hostname: hostname(), token };
  const temporary = join(dir, `${LOCK_FILE}.${process.pid}.${token}.tmp`);
  let staleHolderPid: number | null = null;
  try {
    await writeFile(temporary, JSON.stringify({ ...mine, acquiredAt: new Date().toISOString() }));
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await link(temporary, path);
        await removeLeftovers(dir);
        return {
          path,
          staleHolderPid,
          release: async () => {
            await releaseLock(path, token);
          },
        };
      } catch (error) {
        if (systemErrorCode(error) !== 'EEXIST') throw error;
      }
      const raw = await readOrNull(path);
      if (raw === null) continue; // released between our link and our read
      const holder = parseHolder(raw);
      if (holder !== null && isLive(holder)) {
        throw new JournalError(
          'locked',
          `The sales journal in ${dir} is in use by process ${holder.pid} on ${holder.hostname}. ` +
            'Close the other till window or process; if none is running, remove ' +
            `${path} and start again.`,
        );
      }
      // Taking over a stale lock is serialised by a second, link-created file: without it, a
      // racer that judged the old lock stale could move aside the fresh lock a faster racer had
      // just linked in its place, and two processes would both believe they hold the journal.
      if (!(await takeOverStale(dir, path, raw, mine))) continue;
      staleHolderPid = holder?.pid ?? null;
    }
    throw new JournalError('locked', `The sales journal lock in ${dir} keeps changing hands; try again.`);
  } catch (error) {
    if (error instanceof JournalError) throw error;
    throw ioError(`lock ${dir}`, error);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

const TAKEOVER_FILE = `${LOCK_FILE}.takeover`;

/**
 * Removes the lock at `path` if it still holds exactly `staleRaw`, while holding the takeover
 * file. Returns false when another process is taking over (the caller retries and will then
 * find either no lock or a live one). Under the takeover file the stale lock cannot change: its
 * holder is dead, and nobody else may remove it.
 */
async function takeOverStale(dir: string, path: string, staleRaw: string, mine: Holder): Promise<boolean> {
  const takeover = join(dir, TAKEOVER_FILE);
  const temporary = join(dir, `${TAKEOVER_FILE}.${process.pid}.${mine.token}.tmp`);
  await writeFile(temporary, JSON.stringify(mine));
  try {
    try {
      await link(temporary, takeover);
    } catch (error) {
      if (systemErrorCode(error) !== 'EEXIST') throw error;
      // A process that died inside its takeover leaves the file behind; clear it and retry.
      const other = parseHolder((await readOrNull(takeover)) ?? '');
      if (other === null || !isLive(other)) await unlink(takeover).catch(() => undefined);
      await delay(5);
      return false;
    }
    try {
      if ((await readOrNull(path)) === staleRaw) await unlink(path).catch(() => undefined);
      return true;
    } finally {
      await unlink(takeover).catch(() => undefined);
    }
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function releaseLock(path: string, token: string): Promise<void> {
  const raw = await readOrNull(path);
  // Only remove our own lock; if it was (wrongly) taken over, the new holder keeps it.
  if (raw !== null && parseHolder(raw)?.token === token) await unlink(path).catch(() => undefined);
}

/** Temporary and aside files of processes that died mid-acquisition. */
async function removeLeftovers(dir: string): Promise<void> {
  const pattern = new RegExp(
    `^${LOCK_FILE.replace('.', '\\.')}\\.(?:takeover\\.)?(\\d+)\\.[0-9a-f-]+\\.(tmp|stale)$`,
  );
  for (const name of await readdir(dir)) {
    const pid = Number(pattern.exec(name)?.[1] ?? Number.NaN);
    if (Number.isInteger(pid) && pid !== process.pid && !isPidAlive(pid)) {
      await unlink(join(dir, name)).catch(() => undefined);
    }
  }
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

function parseHolder(raw: string): Holder | null {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    if (!('pid' in value) || !('hostname' in value) || !('token' in value)) return null;
    const { pid, hostname: host, token } = value;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return null;
    if (typeof host !== 'string' || typeof token !== 'string') return null;
    return { pid, hostname: host, token };
  } catch {
    return null;
  }
}

function isLive(holder: Holder): boolean {
  if (holder.hostname !== hostname()) return true;
  return isPidAlive(holder.pid);
}

/** Signal 0 tests for existence; EPERM means the process exists but belongs to someone else. */
export function isPidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return systemErrorCode(error) === 'EPERM';
  }
}
