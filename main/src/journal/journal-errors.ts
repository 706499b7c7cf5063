/**
 * The journal's typed refusals. They are infrastructure failures, not business refusals, so they
 * are not DomainErrors; the IPC binding maps `code` onto its `{ ok: false, error: { code, message } }`
 * shape and the till shows `message` (written for a store manager or support, not a developer).
 */

export type JournalErrorCode =
  /** Another live process holds the journal folder's lock. */
  | 'locked'
  /** Recovery found tampering that nobody has acknowledged yet; appends are refused until then. */
  | 'tampered'
  /** A disk read, write or fsync failed; after a failed write the journal refuses further appends. */
  | 'io'
  /** The journal was closed. */
  | 'closed'
  /** The event cannot be journaled (missing id or type, payload not plain JSON, too large). */
  | 'invalid-event'
  /** An event id already in the journal was appended again with a different type or payload. */
  | 'event-id-conflict'
  /** The folder holds the journal of another device. */
  | 'wrong-device';

export class JournalError extends Error {
  override readonly name = 'JournalError';

  constructor(
    readonly code: JournalErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The `code` of a Node system error (ENOENT, EEXIST …), if `error` is one. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

export function ioError(what: string, cause: unknown): JournalError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new JournalError('io', `The sales journal could not ${what}: ${detail}`, { cause });
}
