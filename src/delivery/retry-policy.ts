/** What one attempt came to, as the channel saw it. */
export type SendOutcome = 'success' | 'retry' | 'permanent';

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

/** 2xx succeed; 408/425/429/5xx retry; anything else (other 4xx, 3xx: we never follow redirects) is permanent. */
export function classifyHttpStatus(status: number): SendOutcome {
  if (status >= 200 && status < 300) return 'success';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retry';
  return 'permanent';
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
