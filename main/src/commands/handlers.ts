/**
 * The handler table: every contract command mapped onto a main-side service. No business logic
 * here or in the bindings; each handler adapts a parsed input to one service call and maps the
 * service's refusals onto contract error codes.
 */
import type { JournalEntry, SalesJournal } from '../journal/journal.ts';
import { JournalError, type JournalErrorCode } from '../journal/journal-errors.ts';
import type { AppInfo, CommandOutput, PosErrorCode } from '../contract.ts';
import { CommandError } from './command-error.ts';
import type { CommandHandlers } from './dispatcher.ts';
import type { EventHub } from './events.ts';
import type { HardwareHost } from './hardware-host.ts';
import type { SecretStore } from './secret-store.ts';
import type { SettingsStore } from './settings-store.ts';
import type { StaffAuth } from './staff-auth.ts';

/** The part of the colleague's SalesJournal the commands use. */
export type JournalPort = Pick<
  SalesJournal,
  'append' | 'readAfter' | 'deviceId' | 'firstSequence' | 'lastSequence' | 'appendsBlocked' | 'findings'
>;

export interface CommandServices {
  readonly appInfo: AppInfo;
  readonly settings: SettingsStore;
  readonly staff: StaffAuth;
  /** null when the journal could not be opened (locked by another process, wrong device …). */
  readonly journal: () => JournalPort | null;
  readonly hardware: HardwareHost;
  readonly secrets: SecretStore;
  readonly events: EventHub;
}

const DONE = { done: true } as const;

export function createCommandHandlers(services: CommandServices): CommandHandlers {
  const { settings, staff, hardware, secrets, events } = services;

  function journal(): JournalPort {
    const open = services.journal();
    if (open === null)
      throw new CommandError('unavailable', 'The sales journal is not open on this till. Call support.');
    return open;
  }

  return {
    'app.getInfo': () => Promise.resolve(services.appInfo),

    'settings.get': () => Promise.resolve(settings.get()),
    'settings.set': async (patch) => {
      const next = await settings.update(patch);
      events.publish('settings.changed', next);
      return next;
    },

    'staff.signIn': (request) => staff.signIn(request),
    'staff.signOut': () => {
      staff.signOut();
      return Promise.resolve(DONE);
    },
    'staff.getSession': () => Promise.resolve(staff.getSession()),
    'staff.verifyPin': async (request) => {
      const at = await staff.verifyPin(request);
      return { staffId: request.staffId, verifiedAt: at.toISOString() };
    },

    'journal.append': async (event) => toEntry(await journalCall(() => journal().append(event))),
    'journal.readAfter': async ({ afterSequence, limit }) => {
      const entries = await journalCall(() => journal().readAfter(afterSequence, limit));
      return { entries: entries.map(toEntry) };
    },
    'journal.status': () => {
      const open = journal();
      return Promise.resolve({
        deviceId: open.deviceId,
        firstSequence: open.firstSequence,
        lastSequence: open.lastSequence,
        appendsBlocked: open.appendsBlocked,
        unacknowledgedFindings: open.findings.filter((finding) => !finding.acknowledged).length,
      });
    },

    'hardware.printReceipt': (job) => hardware.printReceipt(job),
    'hardware.openDrawer': async ({ drawerId }) => {
      await hardware.openDrawer(drawerId);
      return DONE;
    },
    'hardware.showOnDisplay': async ({ lines }) => {
      await hardware.showOnDisplay(lines);
      return DONE;
    },
    'hardware.readScale': () => hardware.readScale(),
    'hardware.startPayment': (request) => hardware.startPayment(request),
    'hardware.cancelPayment': ({ paymentId }) => hardware.cancelPayment(paymentId),
    'hardware.paymentStatus': ({ paymentId }) => hardware.paymentStatus(paymentId),
    'hardware.listDevices': async () => ({ devices: [...(await hardware.listDevices())] }),

    'sync.getRefreshToken': async () => ({ refreshToken: await secrets.get('sync.refreshToken') }),
    'sync.setRefreshToken': async ({ refreshToken }) => {
      await secrets.set('sync.refreshToken', refreshToken);
      return DONE;
    },
    'sync.clearRefreshToken': async () => {
      await secrets.delete('sync.refreshToken');
      return DONE;
    },
  };
}

const JOURNAL_CODES: Readonly<Record<JournalErrorCode, PosErrorCode>> = {
  tampered: 'journal_tampered',
  'event-id-conflict': 'journal_conflict',
  'invalid-event': 'invalid_input',
  locked: 'unavailable',
  io: 'unavailable',
  closed: 'unavailable',
  'wrong-device': 'unavailable',
};

/** JournalError messages are written for a store manager (journal-errors.ts), so they cross as is. */
async function journalCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof JournalError)
      throw new CommandError(JOURNAL_CODES[error.code], error.message, { cause: error });
    throw error;
  }
}

type EntryOutput = CommandOutput<'journal.append'>;

function toEntry(entry: JournalEntry): EntryOutput {
  return {
    sequence: entry.sequence,
    eventId: entry.eventId,
    type: entry.type,
    // The journal's JsonValue is readonly JSON, zod's output type the mutable twin; same values.
    payload: entry.payload as EntryOutput['payload'],
    deviceId: entry.deviceId,
    recordedAt: entry.recordedAt,
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
}
