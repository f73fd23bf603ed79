export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** ± fraction, e.g. 0.2. */
  jitter: number;
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): base × 2^(attempt-1), capped, ±jitter.
 * A `Retry-After` the service sent wins when it asks for longer.
 */
export function retryDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  const jittered = exponential * (1 + policy.jitter * (2 * random() - 1));
  const delay = Math.max(0, Math.round(jittered));
  return retryAfterMs !== undefined && retryAfterMs > delay ? retryAfterMs : delay;
}
