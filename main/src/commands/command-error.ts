import type { PosErrorCode } from '../contract.ts';

/**
 * A refusal a handler wants the renderer to see as `{ ok: false, error: { code, message } }`.
 * `message` crosses the boundary verbatim, so it must be written for a cashier or store manager
 * and never carry secrets, paths or stack details. Anything else a handler throws becomes
 * `internal` with a generic message (and is logged in main).
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';

  constructor(
    readonly code: PosErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isCommandError(value: unknown): value is CommandError {
  return value instanceof CommandError;
}
