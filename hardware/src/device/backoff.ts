/** Exponential reconnect backoff; no jitter, so tests and logs are predictable. */
export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 250, maxDelayMs: 5000, factor: 2 };

/** Delay before reconnect attempt `attempt` (0 for the first). */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  if (!Number.isInteger(attempt) || attempt < 0)
    throw new RangeError(`attempt must be a non-negative integer: ${attempt}`);
  const delay = policy.initialDelayMs * policy.factor ** attempt;
  return Math.min(policy.maxDelayMs, Math.round(delay));
}
