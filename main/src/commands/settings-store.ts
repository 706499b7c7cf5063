import { readFile, rename } from 'node:fs/promises';
import { SettingsSchema, type Settings, type SettingsPatch } from '../contract.ts';
import { writeFileAtomic } from '../fs/atomic-file.ts';
import type { Logger } from '../logging/logger.ts';

export const DEFAULT_SETTINGS: Settings = {
  tillName: 'Till',
  storeId: null,
  locale: 'en-GB',
  syncServerOrigin: null,
  syncDeviceId: null,
  receiptCopies: 1,
  customerDisplayEnabled: true,
  idleLockSeconds: 300,
};

/**
 * The till's settings in one JSON file in the data folder, replaced atomically on every change.
 * Reading is forgiving field by field: a file hand-edited into something invalid, or written by a
 * newer version, keeps every field that still parses and falls back to the default for the rest
 * (logged), so a bad edit can never stop the till from starting.
 */
export class SettingsStore {
  #current: Settings;
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    current: Settings,
  ) {
    this.#current = current;
  }

  static async open(
    file: string,
    logger: Logger,
    defaults: Settings = DEFAULT_SETTINGS,
  ): Promise<SettingsStore> {
    return new SettingsStore(file, await load(file, logger, defaults));
  }

  get(): Settings {
    return this.#current;
  }

  /** Applies a parsed patch and resolves once the new file is durable; updates are serialized. */
  update(patch: SettingsPatch): Promise<Settings> {
    const next = this.#writes.then(async () => {
      // Spread of a parsed partial: `exactOptionalPropertyTypes` and `.strict()` guarantee only
      // known keys with defined values are present.
      const candidate = SettingsSchema.parse({ ...this.#current, ...patch });
      await writeFileAtomic(this.file, `${JSON.stringify(candidate, null, 2)}\n`, 0o600);
      this.#current = candidate;
      return candidate;
    });
    this.#writes = next.catch(() => undefined);
    return next;
  }
}

async function load(file: string, logger: Logger, defaults: Settings): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return defaults;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    logger.warn('settings file is not JSON; using defaults', { file });
    await rename(file, `${file}.corrupt`).catch(() => undefined);
    return defaults;
  }
  const whole = SettingsSchema.safeParse(raw);
  if (whole.success) return whole.data;
  if (typeof raw !== 'object' || raw === null) return defaults;

  const fields: Record<string, unknown> = { ...defaults };
  for (const key of Object.keys(SettingsSchema.shape) as (keyof Settings)[]) {
    if (!Object.hasOwn(raw, key)) continue;
    const value: unknown = (raw as Record<string, unknown>)[key];
    if (SettingsSchema.shape[key].safeParse(value).success) fields[key] = value;
    else logger.warn('invalid setting replaced by its default', { key });
  }
  return SettingsSchema.parse(fields);
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
