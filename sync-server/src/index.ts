/** Public entry of the sync server workspace. */
export { buildServer, API_PREFIX } from './server.ts';
export type { ServerOptions } from './server.ts';
export { createPgliteAdapter } from './db/pglite-adapter.ts';
export { createPgAdapter } from './db/pg-adapter.ts';
export type { DbAdapter } from './db/adapter.ts';
export { seedDemo } from './seed/demo-seed.ts';
