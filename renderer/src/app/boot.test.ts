import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { createTillDatabase } from '../db/index.ts';
import type { TillDatabase } from '../db/index.ts';
import { bootTill, databaseName } from './boot.ts';
import {
  configDocs,
  createFakeMain,
  DEVICE,
  idSource,
  refused,
  STORE,
  T0,
} from './till-fixture.test-helper.ts';

const opened: TillDatabase[] = [];

afterEach(async () => {
  for (const db of opened.splice(0)) await db.remove();
});

let n = 0;
async function openDatabase(): Promise<TillDatabase> {
  const db = await createTillDatabase({
    name: `boot-test-${Date.now()}-${++n}`,
    indexedDb: { indexedDB, IDBKeyRange },
  });
  opened.push(db);
  return db;
}

const options = (main: ReturnType<typeof createFakeMain>, open = openDatabase) => ({
  desktop: main.desktop,
  now: () => new Date(T0),
  newId: idSource(),
  openDatabase: open,
});

describe('booting the till', () => {
  it('is ready with the store configuration, the device and a shift, without waiting for a server', async () => {
    const main = createFakeMain();
    let db: TillDatabase | undefined;
    const outcome = await bootTill(
      options(main, async () => {
        db = await openDatabase();
        await db.config.bulkInsert(configDocs());
        return db;
      }),
    );
    expect(outcome.kind).toBe('ready');
    if (outcome.kind !== 'ready') return;
    expect(outcome.till.storeConfig?.currency).toBe('EUR');
    expect(outcome.till.deviceId).toBe(DEVICE);
    expect(outcome.till.sync).toBeNull();
    expect(await outcome.till.outboxRestored).toBe(0);
    // The shift id is kept across restarts.
    const again = await bootTill(options(main, () => Promise.resolve(db!)));
    expect(again.kind === 'ready' ? again.till.shiftId : '').toBe(outcome.till.shiftId);
  });

  it('waits for the store settings on a till enrolled a moment ago', async () => {
    const outcome = await bootTill(options(createFakeMain()));
    expect(outcome.kind === 'ready' ? outcome.till.storeConfig : 'not ready').toBeNull();
  });

  it('says when the till has no store yet', async () => {
    const outcome = await bootTill(options(createFakeMain({ storeId: null })));
    expect(outcome.kind).toBe('notEnrolled');
  });

  it('says why it could not start when main does not answer', async () => {
    const main = createFakeMain();
    main.handle('settings.get', () => refused('internal', 'The settings file is damaged.'));
    const outcome = await bootTill(options(main));
    expect(outcome).toEqual({ kind: 'failed', message: 'The settings file is damaged.' });
  });

  it('uses the journal device id before the till is enrolled with a sync server', async () => {
    const outcome = await bootTill(options(createFakeMain({ syncDeviceId: null })));
    expect(outcome.kind === 'ready' ? outcome.till.deviceId : '').toBe(DEVICE);
  });

  it('names the database after the store and the device', () => {
    expect(
      databaseName(
        {
          tillName: 'Till 1',
          storeId: STORE,
          locale: 'en-IE',
          syncServerOrigin: null,
          syncDeviceId: 'Till_S01.01',
          receiptCopies: 1,
          customerDisplayEnabled: true,
          idleLockSeconds: 300,
        },
        STORE,
      ),
    ).toBe('omnitill-s01-till-s01-01');
  });
});
