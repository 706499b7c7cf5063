/**
 * The composition root both hosts share: opens the main-side services in the data folder and
 * builds the handler table. Electron main and the web host differ only in their binding and in
 * how secrets are encoded at rest (`secretCodec`).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SalesJournal } from '../journal/journal.ts';
import type { AppInfo } from '../contract.ts';
import { EventHub } from '../commands/events.ts';
import { createCommandHandlers, type JournalPort } from '../commands/handlers.ts';
import type { CommandHandlers } from '../commands/dispatcher.ts';
import { createUnavailableHardwareHost, type HardwareHost } from '../commands/hardware-host.ts';
import { FileSecretStore, type SecretCodec } from '../commands/secret-store.ts';
import { SettingsStore } from '../commands/settings-store.ts';
import { StaffAuth } from '../commands/staff-auth.ts';
import { writeFileAtomic } from '../fs/atomic-file.ts';
import { describeError, type Logger } from '../logging/logger.ts';

export interface MainServicesOptions {
  readonly dataDir: string;
  readonly appInfo: AppInfo;
  readonly logger: Logger;
  readonly clock?: () => Date;
  readonly secretCodec?: SecretCodec;
  readonly hardware?: HardwareHost;
  /** The event hub, when the caller made it first (the hardware supervisor publishes into it). */
  readonly events?: EventHub;
}

export interface MainServices {
  readonly handlers: CommandHandlers;
  readonly events: EventHub;
  readonly settings: SettingsStore;
  /** Encrypted at rest where the host has a codec (Electron's safeStorage). */
  readonly secrets: FileSecretStore;
  close(): Promise<void>;
}

export async function openMainServices(options: MainServicesOptions): Promise<MainServices> {
  const { dataDir, logger } = options;
  const clock = options.clock ?? (() => new Date());
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const settings = await SettingsStore.open(join(dataDir, 'settings.json'), logger);
  const events = options.events ?? new EventHub(logger);
  const deviceId = await loadOrCreateDeviceId(dataDir);

  let journal: JournalPort | null = null;
  let closeJournal: () => Promise<void> = () => Promise.resolve();
  try {
    const opened = await SalesJournal.open(join(dataDir, 'journal'), { deviceId, clock });
    journal = opened.journal;
    closeJournal = () => opened.journal.close();
    if (opened.recovery.appendsBlocked) logger.error('journal tampering found; appends blocked', {});
  } catch (error) {
    // The till still starts (reads of settings, sign-in work); journal commands answer
    // `unavailable` with a message, and the reason is in the log for support.
    logger.error('journal could not be opened', { error: describeError(error) });
  }

  const secrets = new FileSecretStore(join(dataDir, 'secrets.json'), options.secretCodec);
  const handlers = createCommandHandlers({
    appInfo: options.appInfo,
    settings,
    staff: new StaffAuth({ clock }),
    journal: () => journal,
    hardware: options.hardware ?? createUnavailableHardwareHost(),
    secrets,
    events,
  });
  return { handlers, events, settings, secrets, close: () => closeJournal() };
}

/**
 * The journal belongs to one device; until enrolment assigns one, the till mints its own id once
 * and keeps it in the data folder.
 */
async function loadOrCreateDeviceId(dataDir: string): Promise<string> {
  const file = join(dataDir, 'device-id');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (/^[A-Za-z0-9-]{8,64}$/.test(existing)) return existing;
  } catch {
    // Not created yet.
  }
  const id = randomUUID();
  await writeFileAtomic(file, `${id}\n`, 0o600);
  return id;
}
