/**
 * `npm run bench` runs every suite; `npm run bench -- <suite> [<suite> …]` runs the named ones.
 * Suites live beside the code they measure (`<workspace>/bench/<suite>.bench.ts`) and are listed
 * here so a typo in a suite name is an error, not a silent no-op.
 */
import { report, type BenchSuite } from './harness.ts';

/** suite name → the workspace that owns it (its file is `<workspace>/bench/<suite>.bench.ts`). */
const suites: Record<string, string> = {
  domain: 'app',
  journal: 'main',
  sync: 'sync-server',
  'sync-till': 'tests/integration',
  till: 'tests/e2e',
};

async function load(name: string, workspace: string): Promise<BenchSuite> {
  // A computed path keeps each workspace's bench code in its own TypeScript project.
  const mod: unknown = await import(`../${workspace}/bench/${name}.bench.ts`);
  const suite = typeof mod === 'object' && mod !== null && 'suite' in mod ? mod.suite : undefined;
  if (!isSuite(suite)) throw new Error(`${workspace}/bench/${name}.bench.ts does not export a bench suite`);
  return suite;
}

function isSuite(value: unknown): value is BenchSuite {
  return (
    typeof value === 'object' &&
    value !== null &&
    'name' in value &&
    'run' in value &&
    typeof value.run === 'function'
  );
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const names = requested.length > 0 ? requested : Object.keys(suites);
  const unknown = names.filter((name) => !(name in suites));
  if (unknown.length > 0) {
    console.error(`unknown bench suite(s): ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  for (const name of names) {
    const workspace = suites[name];
    if (workspace === undefined) continue;
    const suite = await load(name, workspace);
    console.log(`\n${suite.description}`);
    const results = await suite.run();
    console.log(report(suite.name, results));
  }
}

await main();
