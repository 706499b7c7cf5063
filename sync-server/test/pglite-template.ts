/**
 * PGlite's initdb costs tens of seconds on a loaded machine; reopening a copied cluster costs about
 * one. The first test file to need it builds a bare template cluster in the temp folder (an mkdir lock
 * keeps parallel workers from building it twice); every test then gets its own copy.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { PGLITE_SUBDIR } from '../src/db/pglite-adapter.ts';

const TEMPLATE = join(tmpdir(), 'omnitill-pglite-template-0.5.16');
const BUILD_LOCK = `${TEMPLATE}.building`;

async function ensureTemplate(): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (!existsSync(TEMPLATE)) {
    try {
      mkdirSync(BUILD_LOCK);
    } catch {
      // A builder that was killed leaves its lock behind; a live one finishes well within two minutes.
      if (Date.now() - (statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000) {
        rmSync(BUILD_LOCK, { recursive: true, force: true });
      }
      if (Date.now() > deadline) throw new Error('PGlite template was not built in time');
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      const staging = mkdtempSync(join(tmpdir(), 'omnitill-pglite-staging-'));
      const db = await PGlite.create(join(staging, PGLITE_SUBDIR), { extensions: { btree_gist } });
      await db.query('select 1');
      await db.close();
      renameSync(staging, TEMPLATE);
    } finally {
      rmSync(BUILD_LOCK, { recursive: true, force: true });
    }
  }
}

/** A fresh data folder holding an initialised (empty) PGlite cluster; the caller deletes it. */
export async function pgliteDataDir(): Promise<string> {
  await ensureTemplate();
  const dir = mkdtempSync(join(tmpdir(), 'omnitill-pglite-'));
  cpSync(join(TEMPLATE, PGLITE_SUBDIR), join(dir, PGLITE_SUBDIR), { recursive: true });
  return dir;
}
