/** The gift-card and store-credit hold suite against a real PostgreSQL 15 server. */
import { afterAll, beforeAll } from 'vitest';
import { startPostgres } from './postgres-server.ts';
import type { PostgresServer } from './postgres-server.ts';
import { defineAccountHoldsSuite } from './account-holds-suite.ts';

let server: PostgresServer | undefined;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
}, 30_000);

defineAccountHoldsSuite('PostgreSQL 15', () => {
  if (server === undefined) throw new Error('PostgreSQL did not start');
  return { kind: 'postgres', server };
});
