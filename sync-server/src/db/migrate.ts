/**
 * Applies db/migrations/*.sql in name order, each in its own transaction, recording what ran in
 * `schema_migrations`. An advisory transaction lock serialises instances that start together on one
 * PostgreSQL server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { DbAdapter } from './adapter.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
/** Arbitrary constant naming "the migration lock" for pg_advisory_xact_lock. */
const MIGRATION_LOCK_KEY = 7_214_503_311;

export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export function loadMigrations(): readonly Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(new URL(name, MIGRATIONS_DIR), 'utf8') }));
}

/** Returns the names of the migrations applied by this call. */
export async function migrate(db: DbAdapter, migrations = loadMigrations()): Promise<readonly string[]> {
  await db.exec(
    'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
  );
  const applied: string[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const done = await tx.query('select 1 from schema_migrations where name = $1', [migration.name]);
      if (done.length > 0) return false;
      // Parameterless multi-statement SQL: both drivers run it as a simple query inside this transaction.
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migrations (name) values ($1)', [migration.name]);
      return true;
    });
    if (ran) applied.push(migration.name);
  }
  return applied;
}
