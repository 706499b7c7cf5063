import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE_NAME } from './pglite-adapter.ts';

describe('data folder lock', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'omnitill-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is exclusive while held and free again after release', () => {
    const d = dir();
    const release = acquireDataDirLock(d);
    expect(readFileSync(join(d, LOCK_FILE_NAME), 'utf8')).toBe(String(process.pid));
    expect(() => acquireDataDirLock(d)).toThrow(DataDirLockedError);
    release();
    acquireDataDirLock(d)();
  });

  it('refuses a lock held by another live process (pid 1)', () => {
    const d = dir();
    writeFileSync(join(d, LOCK_FILE_NAME), '1');
    expect(() => acquireDataDirLock(d)).toThrow(/in use by process 1/);
  });

  it('takes over a lock left by a dead process', () => {
    const d = dir();
    // Above the kernel's pid_max default (4,194,304), so it cannot be a live process.
    writeFileSync(join(d, LOCK_FILE_NAME), '9999999');
    const release = acquireDataDirLock(d);
    expect(readFileSync(join(d, LOCK_FILE_NAME), 'utf8')).toBe(String(process.pid));
    release();
  });
});
