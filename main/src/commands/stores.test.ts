import { mkdtemp, readFile, rm, stat, writeFile, chmod, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import { FileSecretStore } from './secret-store.ts';
import { DEFAULT_SETTINGS, SettingsStore } from './settings-store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omnitill-stores-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SettingsStore', () => {
  it('starts from the defaults and persists a patch atomically, mode 0600, no temp file left', async () => {
    const file = join(dir, 'settings.json');
    const store = await SettingsStore.open(file, silentLogger);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    const next = await store.update({ tillName: 'Till 3', receiptCopies: 2 });
    expect(next).toEqual({ ...DEFAULT_SETTINGS, tillName: 'Till 3', receiptCopies: 2 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(next);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['settings.json']);
    const reopened = await SettingsStore.open(file, silentLogger);
    expect(reopened.get()).toEqual(next);
  });

  it('keeps valid fields of a damaged file and defaults the rest', async () => {
    const file = join(dir, 'settings.json');
    await writeFile(
      file,
      JSON.stringify({ tillName: 'Till 9', receiptCopies: 99, locale: 'fr-FR', future: true }),
    );
    const store = await SettingsStore.open(file, silentLogger);
    expect(store.get()).toEqual({ ...DEFAULT_SETTINGS, tillName: 'Till 9', locale: 'fr-FR' });
  });

  it('sets a non-JSON file aside and starts from the defaults', async () => {
    const file = join(dir, 'settings.json');
    await writeFile(file, '{ not json');
    const store = await SettingsStore.open(file, silentLogger);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(await readFile(`${file}.corrupt`, 'utf8')).toBe('{ not json');
  });

  it('serializes concurrent updates (both land)', async () => {
    const store = await SettingsStore.open(join(dir, 'settings.json'), silentLogger);
    await Promise.all([store.update({ tillName: 'A' }), store.update({ receiptCopies: 3 })]);
    expect(store.get()).toMatchObject({ tillName: 'A', receiptCopies: 3 });
  });
});

describe('FileSecretStore', () => {
  it('stores, reads and deletes a secret in a 0600 file', async () => {
    const file = join(dir, 'secrets.json');
    const store = new FileSecretStore(file);
    expect(await store.get('sync.refreshToken')).toBeNull();
    await store.set('sync.refreshToken', 'rt_abcdefghijklmnop');
    expect(await store.get('sync.refreshToken')).toBe('rt_abcdefghijklmnop');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await store.delete('sync.refreshToken');
    expect(await store.get('sync.refreshToken')).toBeNull();
  });

  it('narrows widened permissions back to 0600 on read', async () => {
    const file = join(dir, 'secrets.json');
    await writeFile(file, JSON.stringify({ 'sync.refreshToken': 'rt_abcdefghijklmnop' }));
    await chmod(file, 0o644);
    expect(await new FileSecretStore(file).get('sync.refreshToken')).toBe('rt_abcdefghijklmnop');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('applies the codec at rest', async () => {
    const file = join(dir, 'secrets.json');
    const codec = { encode: (v: string) => `enc:${v}`, decode: (s: string) => s.slice(4) };
    const store = new FileSecretStore(file, codec);
    await store.set('sync.refreshToken', 'rt_abcdefghijklmnop');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      'sync.refreshToken': 'enc:rt_abcdefghijklmnop',
    });
    expect(await store.get('sync.refreshToken')).toBe('rt_abcdefghijklmnop');
  });
});
