/**
 * The command dispatcher both bindings share (Electron ipcMain and the web host's WebSocket), so
 * the order of checks cannot drift between them:
 *
 *   1. sender check (the binding's `SenderCheck`): an untrusted sender gets `forbidden` before its
 *      input is even parsed;
 *   2. the command name must be in the contract (`not_found` otherwise; the web host receives
 *      names as data);
 *   3. the input is parsed with the contract's zod schema (`invalid_input`; the handler never
 *      sees unparsed data);
 *   4. the handler runs; a `CommandError` becomes its code and message, anything else `internal`
 *      with a generic message, logged here;
 *   5. the handler's value is parsed with the contract's output schema, so a handler bug can
 *      never leak an extra field (a secret, a path) to the renderer.
 *
 * `dispatch` never throws and never rejects: both bindings forward its Result as is.
 */
import type { z } from 'zod';
import {
  commands,
  isPosCommand,
  type CommandOutput,
  type ParsedInput,
  type PosCommand,
  type PosErrorCode,
  type PosResult,
} from '../contract.ts';
import { describeError, type Logger } from '../logging/logger.ts';
import { isCommandError } from './command-error.ts';

/** A handler gets parsed input and returns the command's output, or throws a CommandError. */
export type CommandHandler<C extends PosCommand> = (input: ParsedInput<C>) => Promise<CommandOutput<C>>;

/**
 * One handler per contract command. A mapped type, not a Record<string, …>: a command added to
 * the contract without a handler is a compile error wherever a table is built.
 */
export type CommandHandlers = { readonly [C in PosCommand]: CommandHandler<C> };

/** Decides whether the caller may issue commands at all; given by each binding. */
export type SenderCheck<S> = (sender: S) => boolean;

export interface Dispatcher<S> {
  dispatch(command: unknown, input: unknown, sender: S): Promise<PosResult<unknown>>;
}

export interface DispatcherOptions<S> {
  readonly handlers: CommandHandlers;
  readonly isTrustedSender: SenderCheck<S>;
  readonly logger: Logger;
}

/** Longest error message sent back; zod messages can echo attacker-chosen key names. */
const MAX_MESSAGE_CHARS = 500;

export function fail(code: PosErrorCode, message: string): PosResult<never> {
  return { ok: false, error: { code, message: truncate(message) } };
}

export function createDispatcher<S>(options: DispatcherOptions<S>): Dispatcher<S> {
  const { handlers, isTrustedSender, logger } = options;

  async function run(command: PosCommand, raw: unknown): Promise<PosResult<unknown>> {
    const spec: { readonly input: z.ZodType; readonly output: z.ZodType } = commands[command];
    const parsed = spec.input.safeParse(raw);
    if (!parsed.success) return fail('invalid_input', describeIssues(parsed.error.issues));

    // handlers[command] is a union of per-command handlers TypeScript cannot correlate with the
    // union of schemas; the input was just parsed by commands[command].input, the matching schema.
    const handler = handlers[command] as (input: unknown) => Promise<unknown>;
    let value: unknown;
    try {
      value = await handler(parsed.data);
    } catch (error) {
      if (isCommandError(error)) return fail(error.code, error.message);
      logger.error('command failed', { command, error: describeError(error) });
      return fail(
        'internal',
        'Something went wrong in the till. Try again; if it keeps happening, call support.',
      );
    }

    const checked = spec.output.safeParse(value);
    if (!checked.success) {
      logger.error('command returned a value outside the contract', {
        command,
        issues: describeIssues(checked.error.issues),
      });
      return fail('internal', 'The till produced an unexpected answer. Call support.');
    }
    return { ok: true, value: checked.data };
  }

  return {
    async dispatch(command, input, sender) {
      try {
        if (!isTrustedSender(sender)) {
          logger.warn('command refused: untrusted sender', {
            command: typeof command === 'string' ? truncate(command) : null,
          });
          return fail('forbidden', 'This caller may not use the till commands.');
        }
        if (!isPosCommand(command)) return fail('not_found', 'Unknown command.');
        return await run(command, input);
      } catch (error) {
        // Only reachable through a bug in a sender check or a schema refinement that throws
        // (e.g. stack overflow on absurdly deep input): still a Result, never a throw across.
        logger.error('dispatcher failure', { error: describeError(error) });
        return fail(
          'internal',
          'Something went wrong in the till. Try again; if it keeps happening, call support.',
        );
      }
    },
  };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, 5).map((issue) => {
    const path = issue.path.map((segment) => (typeof segment === 'symbol' ? '?' : String(segment))).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  return truncate(`Invalid input: ${parts.join('; ')}`);
}

function truncate(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}
