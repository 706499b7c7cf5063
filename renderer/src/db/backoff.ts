/**
 * Exponential backoff with a cap. RxDB retries a failed pull or push forever at a fixed `retryTime`, and
 * the SSE stream has to reconnect on its own; both use this schedule so that a till that lost the server
 * does not hammer it when it comes back (many tills reconnect at once: jitter spreads them).
 */

export interface BackoffPolicy {
  /** Delay after the first failure. */
  readonly baseMs: number;
  /** No delay is ever longer than this. */
  readonly maxMs: number;
  readonly factor: number;
  /** Fraction (0..1) of the delay that is randomised away: 0 = exact schedule. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 300_000, factor: 2, jitter: 0.2 };

/**
 * The delay before retry number `attempt` (0 = the first retry). With jitter j the delay is drawn from
 * [d·(1−j), d], never above the cap, so the cap still bounds the wait.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be a natural number`);
  // Math.pow overflows to Infinity for large attempts; the cap absorbs it.
  const raw = Math.min(policy.maxMs, policy.baseMs * Math.pow(policy.factor, attempt));
  const jitter = Math.min(Math.max(policy.jitter, 0), 1);
  return Math.round(raw * (1 - jitter * random()));
}

/** Counts consecutive failures; a success starts the schedule again. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** Registers a failure and returns how long to wait before the next attempt. */
  fail(): number {
    const delay = backoffDelay(this.failures, this.policy, this.random);
    this.failures++;
    return delay;
  }

  succeed(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** The wait a retry would use now without registering a failure (RxDB's retryTime between failures). */
  get nextDelay(): number {
    return backoffDelay(this.failures, this.policy, this.random);
  }
}
