import { chmod, readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/atomic-file.ts';

/** The secrets main keeps for the till; a closed list so nothing else ends up in the store. */
export type SecretName = 'sync.refreshToken';

/** Where secrets live. Electron encrypts with safeStorage; the web host relies on file permissions. */
export interface SecretStore {
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
}

/** Encodes values at rest: identity for the plain store, safeStorage for Electron. */
export interface SecretCodec {
  encode(value: string): string;
  decode(stored: string): string;
}

const identity: SecretCodec = { encode: (value) => value, decode: (stored) => stored };

/**
 * A JSON file `{ name: encoded }`, mode 0600, replaced atomically. With the identity codec this is
 * the web host's store: the secret is as safe as the OS account that runs the host (the same
 * trust boundary as the browser profile it serves), which is why Electron tills use safeStorage.
 */
export class FileSecretStore implements SecretStore {
  #writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly codec: SecretCodec = identity,
  ) {}

  async get(name: SecretName): Promise<string | null> {
    const all = await this.#readAll();
    const stored = all[name];
    return stored === undefined ? null : this.codec.decode(stored);
  }

  set(name: SecretName, value: string): Promise<void> {
    return this.#mutate((all) => ({ ...all, [name]: this.codec.encode(value) }));
  }

  delete(name: SecretName): Promise<void> {
    return this.#mutate((all) => Object.fromEntries(Object.entries(all).filter(([key]) => key !== name)));
  }

  #mutate(change: (all: Record<string, string>) => Record<string, string>): Promise<void> {
    const next = this.#writes.then(async () => {
      const all = await this.#readAll();
      await writeFileAtomic(this.file, JSON.stringify(change(all)), 0o600);
    });
    this.#writes = next.catch(() => undefined);
    return next;
  }

  async #readAll(): Promise<Record<string, string>> {
    let text: string;
    try {
      // Someone widened the permissions (a restore, a copy): narrow them back before reading.
      const info = await stat(this.file);
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) await chmod(this.file, 0o600);
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')
        return {};
      throw error;
    }
    const raw: unknown = JSON.parse(text);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new TypeError('secret file is not an object');
    const result: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) if (typeof value === 'string') result[key] = value;
    return result;
  }
}
