// The main-side services behind the typed command contract (architecture.md, "Processes").
export {
  DEFAULT_MAX_SEGMENT_BYTES,
  DEFAULT_READ_LIMIT,
  DEFAULT_RETENTION_DAYS,
  SalesJournal,
  type JournalEntry,
  type JournalEvent,
  type PruneReport,
  type RecoveryReport,
  type SalesJournalOptions,
  type TornTail,
} from './journal/journal.ts';
export { JournalError, type JournalErrorCode } from './journal/journal-errors.ts';
export type { JsonValue } from './journal/journal-format.ts';
export { TAMPER_ACK_TYPE, type TamperFinding, type TamperKind } from './journal/journal-verify.ts';
