import { describe, expect, it } from 'vitest';
import { INITIAL_SYNC_STATUS, SyncStatusStore } from './sync-status.ts';
import type { SyncStatus } from './sync-status.ts';

describe('SyncStatusStore', () => {
  it('starts from the initial status and emits every change', () => {
    const store = new SyncStatusStore({ lastSyncedAt: 5, quarantined: 2 });
    const seen: SyncStatus[] = [];
    store.status$.subscribe((s) => seen.push(s));
    store.setOnline(false);
    store.synced(100, 'pull:prices');
    expect(seen.map((s) => [s.phase, s.online, s.lastSyncedAt, s.quarantined])).toEqual([
      ['starting', false, 5, 2],
      ['offline', false, 5, 2],
      ['online', true, 100, 2],
    ]);
    expect(INITIAL_SYNC_STATUS.phase).toBe('starting');
  });

  it('keeps one message per source and clears it only when that source succeeds', () => {
    const store = new SyncStatusStore();
    store.reportError('push:events', 'update needed');
    store.reportError('pull:prices', 'offline');
    store.reportError('pull:products', 'offline');
    expect(store.current.errors).toEqual(['update needed', 'offline']);
    store.synced(1, 'pull:prices');
    expect(store.current.errors).toEqual(['update needed', 'offline']);
    store.synced(2, 'pull:products');
    expect(store.current.errors).toEqual(['update needed']);
    store.reportError('push:events', 'server failure');
    expect(store.current.errors).toEqual(['server failure']);
    store.clearError('push:events');
    expect(store.current.errors).toEqual([]);
  });

  it('online and phase move together; a stopped status stays stopped', () => {
    const store = new SyncStatusStore();
    store.update({ phase: 'online', online: false });
    expect(store.current.phase).toBe('offline');
    store.update({ online: true });
    expect(store.current.phase).toBe('online');
    store.update({ phase: 'stopped', online: false });
    store.setOnline(true);
    store.synced(9, 'x');
    expect(store.current).toMatchObject({ phase: 'stopped', online: false });
  });
});
