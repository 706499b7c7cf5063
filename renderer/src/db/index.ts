/** The till's database and its replication with the sync server. */
export * from './backoff.ts';
export * from './customer-merge.ts';
export * from './database.ts';
export * from './replication.ts';
export * from './sse-reader.ts';
export * from './sync-client.ts';
export * from './sync-status.ts';
