/** The database of a server process: a PostgreSQL server when a URL is given, else PGlite in the data folder. */
import { join } from 'node:path';
import type { DbAdapter } from './adapter.ts';
import { createPgAdapter } from './pg-adapter.ts';
import { createPgliteAdapter } from './pglite-adapter.ts';

export async function openDatabase(input: {
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
  readonly onListenError?: (error: unknown) => void;
}): Promise<DbAdapter> {
  if (input.databaseUrl !== undefined && input.databaseUrl !== '') {
    return createPgAdapter({
      connectionString: input.databaseUrl,
      ...(input.onListenError === undefined ? {} : { onListenError: input.onListenError }),
    });
  }
  return createPgliteAdapter({ dataDir: join(input.dataDir) });
}
