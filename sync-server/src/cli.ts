/**
 * Server entry: `tsx sync-server/src/cli.ts --port 8787 --data-dir ./data [--database-url postgres://…]
 * [--new-epoch]` (the last after restoring a backup or moving the data to another database).
 * The HQ token comes from OMNITILL_HQ_TOKEN, or is generated at first start, stored in the data folder
 * (mode 600) and printed once.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomToken } from './auth/secrets.ts';
import { readCliConfig } from './cli-args.ts';
import { rotateEpoch } from './db/epoch.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/open-database.ts';
import { buildServer } from './server.ts';

const HQ_TOKEN_FILE = 'hq-token';

function hqToken(dataDir: string, env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env.OMNITILL_HQ_TOKEN;
  if (fromEnv !== undefined && fromEnv.length >= 16) return fromEnv;
  const file = join(dataDir, HQ_TOKEN_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomToken(32);
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  console.log(`HQ token (shown once, stored in ${file}): ${token}`);
  return token;
}

async function main(): Promise<void> {
  const config = readCliConfig(process.argv.slice(2), process.env);
  mkdirSync(config.dataDir, { recursive: true });
  const token = hqToken(config.dataDir, process.env);
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  if (config.newEpoch) {
    await migrate(db);
    console.log(
      `new epoch ${await rotateEpoch(db)}: every row re-stamped, tills will pull from the beginning`,
    );
  }
  const app = await buildServer({
    db,
    hqToken: token,
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
    closeDatabase: true,
  });
  const stop = (): void => {
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
