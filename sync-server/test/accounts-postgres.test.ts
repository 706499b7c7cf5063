/** The gift-card and store-credit suite against a real PostgreSQL 15 server. */
import { afterAll, beforeAll } from 'vitest';
import { startPostgres } from './postgres-server.ts';
import type { PostgresServer } from './postgres-server.ts';
import { defineAccountsSuite } from './accounts-suite.ts';

let server: PostgresServer | undefined;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
}, 30_000);

defineAccountsSuite('PostgreSQL 15', () => {
  if (server === undefined) throw new Error('PostgreSQL did not start');
  return { kind: 'postgres', server };
});
