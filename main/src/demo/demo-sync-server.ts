/**
 * The demo's sync server: the real server CLI as a child process on embedded PGlite, seeded with the
 * demo catalog on first run, with an HQ token the launcher keeps in the demo folder. A child process
 * (not in-process) because that is how a store runs it, and so tests can stop and restart it to play
 * "the server is down".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_CLI = join(ROOT, 'sync-server', 'src', 'cli.ts');
const SEED_CLI = join(ROOT, 'sync-server', 'src', 'seed', 'seed-cli.ts');
const SEEDED_MARKER = 'demo-seeded';

export interface DemoSyncServerOptions {
  readonly dataDir: string;
  readonly port: number;
  /** Catalog size of the first-run seed. */
  readonly products: number;
  readonly log?: (line: string) => void;
}

export interface DemoSyncServer {
  readonly origin: string;
  readonly hqToken: string;
  /** Stops the server process (the data stays); `start` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  readonly running: boolean;
}

export async function startDemoSyncServer(options: DemoSyncServerOptions): Promise<DemoSyncServer> {
  const log = options.log ?? (() => undefined);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const hqToken = await loadOrCreateToken(join(options.dataDir, '..', 'hq-token'));
  const env = { ...process.env, OMNITILL_HQ_TOKEN: hqToken, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };

  if (!existsSync(join(options.dataDir, SEEDED_MARKER))) {
    log(`Seeding the demo catalog (${options.products} products)…`);
    await run(
      [SEED_CLI, '--data-dir', options.dataDir, '--products', String(options.products)],
      env,
      'the demo seed',
    );
    await writeFile(join(options.dataDir, SEEDED_MARKER), new Date().toISOString());
  }

  let child: ChildProcess | null = null;
  const origin = `http://127.0.0.1:${options.port}`;

  const start = async (): Promise<void> => {
    if (child !== null) return;
    const started = spawn(
      process.execPath,
      ['--import', 'tsx', SERVER_CLI, '--port', String(options.port), '--data-dir', options.dataDir],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    started.stdout.on('data', collect);
    started.stderr.on('data', collect);
    started.once('exit', () => {
      if (child === started) child = null;
    });
    await waitForHealth(origin, started, () => output);
  };

  const stop = async (): Promise<void> => {
    const running = child;
    if (running === null) return;
    child = null;
    await new Promise<void>((resolve) => {
      running.once('exit', () => {
        resolve();
      });
      running.kill('SIGTERM');
      setTimeout(() => running.kill('SIGKILL'), 10_000).unref();
    });
  };

  await start();
  return {
    origin,
    hqToken,
    start,
    stop,
    get running() {
      return child !== null;
    },
  };
}

async function loadOrCreateToken(file: string): Promise<string> {
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(token)) return token;
  } catch {
    // First run.
  }
  const token = randomBytes(32).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}

function run(args: readonly string[], env: NodeJS.ProcessEnv, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000)));
    child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (exit ${String(code)}):\n${output}`));
    });
  });
}

async function waitForHealth(origin: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the sync server exited (code ${String(child.exitCode)}):\n${output()}`);
    }
    try {
      const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the sync server did not answer on ${origin} within 60 s:\n${output()}`);
}
