/**
 * The till's RxDB database: Dexie (IndexedDB) storage, the eight collections of @pos/app, and local
 * documents for device state (sync bookmarks, counters). The dev-mode plugin is never added here: it
 * injects a remote tracking iframe in browser contexts. Tests that want schema validation pass a storage
 * wrapped with a validator instead.
 */
import { COLLECTIONS } from '@pos/app';
import type {
  CartDoc,
  ConfigDoc,
  CustomerDoc,
  EventDoc,
  PriceDoc,
  ProductDoc,
  StaffDoc,
  StockLevelDoc,
} from '@pos/app';
import { addRxPlugin, createRxDatabase } from 'rxdb';
import type { RxCollection, RxDatabase, RxStorage } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { customerConflictHandler } from './customer-merge.ts';

export interface TillCollections {
  readonly products: RxCollection<ProductDoc>;
  readonly prices: RxCollection<PriceDoc>;
  readonly config: RxCollection<ConfigDoc>;
  readonly stockLevels: RxCollection<StockLevelDoc>;
  readonly customers: RxCollection<CustomerDoc>;
  readonly staff: RxCollection<StaffDoc>;
  readonly events: RxCollection<EventDoc>;
  readonly carts: RxCollection<CartDoc>;
}

export type TillDatabase = RxDatabase<TillCollections>;

/** Where Dexie finds IndexedDB; in Node tests, fake-indexeddb's `indexedDB` and `IDBKeyRange`. */
export interface IndexedDbImplementation {
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
}

export interface CreateTillDatabaseOptions {
  /** The IndexedDB database name; one per enrolled device and server. */
  readonly name: string;
  /** Any RxStorage (e.g. a validator-wrapped Dexie in tests); default Dexie on the ambient IndexedDB. */
  readonly storage?: RxStorage<unknown, unknown>;
  /** Used for the default Dexie storage when the environment has no IndexedDB of its own. */
  readonly indexedDb?: IndexedDbImplementation;
  /** True when a second window (e.g. a customer display) opens the same database. */
  readonly multiInstance?: boolean;
}

let pluginsAdded = false;

function addPlugins(): void {
  if (pluginsAdded) return;
  addRxPlugin(RxDBLocalDocumentsPlugin);
  pluginsAdded = true;
}

/** Dexie storage, optionally on a given IndexedDB implementation. */
export function tillStorage(indexedDb?: IndexedDbImplementation): RxStorage<unknown, unknown> {
  return getRxStorageDexie(
    indexedDb === undefined ? {} : { indexedDB: indexedDb.indexedDB, IDBKeyRange: indexedDb.IDBKeyRange },
  );
}

export async function createTillDatabase(options: CreateTillDatabaseOptions): Promise<TillDatabase> {
  addPlugins();
  const db = await createRxDatabase<TillCollections>({
    name: options.name,
    storage: options.storage ?? tillStorage(options.indexedDb),
    multiInstance: options.multiInstance ?? false,
    localDocuments: true,
    // A second open of the same name in this realm (a hot reload) closes the first instead of failing.
    closeDuplicates: true,
  });
  try {
    await db.addCollections({
      ...COLLECTIONS,
      customers: { ...COLLECTIONS.customers, conflictHandler: customerConflictHandler },
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
