/**
 * The till's RxDB collections and the outbox event registry. Schemas are plain data: the renderer hands
 * them to RxDB, the sync server to ajv (register `RXDB_SCHEMA_KEYWORDS`, add formats, and validate
 * replicated documents with `replicationSchema(...)`).
 */
import { cartsMigrationStrategies, cartsRxSchema } from './carts.schema.ts';
import { configMigrationStrategies, configRxSchema } from './config.schema.ts';
import { customersMigrationStrategies, customersRxSchema } from './customers.schema.ts';
import { eventsMigrationStrategies, eventsRxSchema } from './events.schema.ts';
import { pricesMigrationStrategies, pricesRxSchema } from './prices.schema.ts';
import { productsMigrationStrategies, productsRxSchema } from './products.schema.ts';
import { staffMigrationStrategies, staffRxSchema } from './staff.schema.ts';
import { stockLevelsMigrationStrategies, stockLevelsRxSchema } from './stock-levels.schema.ts';

export * from './carts.schema.ts';
export * from './common.ts';
export * from './config.schema.ts';
export * from './customers.schema.ts';
export * from './event-payloads.ts';
export * from './events.schema.ts';
export * from './prices.schema.ts';
export * from './products.schema.ts';
export * from './record-schemas.ts';
export * from './search-keys.ts';
export * from './staff.schema.ts';
export * from './stock-levels.schema.ts';
export type * from './type-checks.ts';
export * from './wire.ts';

/**
 * Every collection of the till's database, ready for `db.addCollections(COLLECTIONS)`. Eight: the free
 * RxDB edition opens at most 13 collections per JavaScript realm, across all databases.
 */
export const COLLECTIONS = {
  products: { schema: productsRxSchema, migrationStrategies: productsMigrationStrategies },
  prices: { schema: pricesRxSchema, migrationStrategies: pricesMigrationStrategies },
  config: { schema: configRxSchema, migrationStrategies: configMigrationStrategies },
  stockLevels: { schema: stockLevelsRxSchema, migrationStrategies: stockLevelsMigrationStrategies },
  customers: { schema: customersRxSchema, migrationStrategies: customersMigrationStrategies },
  staff: { schema: staffRxSchema, migrationStrategies: staffMigrationStrategies },
  events: { schema: eventsRxSchema, migrationStrategies: eventsMigrationStrategies },
  carts: { schema: cartsRxSchema, migrationStrategies: cartsMigrationStrategies },
} as const;

export type CollectionName = keyof typeof COLLECTIONS;

/**
 * How each collection replicates: server-authoritative data is pulled only, till-authored facts are
 * pushed only, customers go both ways, carts never leave the till. The server serves pulls and accepts
 * pushes for exactly these (anything else is a 404).
 */
export const REPLICATION_MODES = {
  products: 'pull',
  prices: 'pull',
  config: 'pull',
  stockLevels: 'pull',
  customers: 'pull-push',
  staff: 'pull',
  events: 'push',
  carts: 'local',
} as const satisfies Record<CollectionName, 'pull' | 'push' | 'pull-push' | 'local'>;
