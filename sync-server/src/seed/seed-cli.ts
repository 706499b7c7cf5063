/** `tsx sync-server/src/seed/seed-cli.ts --data-dir DIR [--database-url URL] [--products N]` */
import { readCliConfig } from '../cli-args.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open-database.ts';
import { seedDemo } from './demo-seed.ts';

async function main(): Promise<void> {
  const config = readCliConfig(process.argv.slice(2), process.env);
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    await migrate(db);
    const started = Date.now();
    let lastReport = 0;
    const summary = await seedDemo(db, {
      products: config.products,
      onProgress: (done, total) => {
        if (Date.now() - lastReport > 2000 || done === total) {
          lastReport = Date.now();
          console.log(`products ${done}/${total}`);
        }
      },
    });
    console.log(JSON.stringify({ ...summary, ms: Date.now() - started }));
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
