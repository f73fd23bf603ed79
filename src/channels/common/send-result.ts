// What a channel's answer comes to. The delivery module decides what happens next (backoff, dead
// letters); the channels only say which of the three it was and what the service asked for.

/** What one attempt came to, as the channel saw it. */
export type SendOutcome = 'success' | 'retry' | 'permanent';

export interface SendResult {
  outcome: SendOutcome;
  /** HTTP status, SMTP reply code, signal-cli exit code; null when nothing answered. */
  statusCode: number | null;
  /** What the service asked for (Retry-After and the like). */
  retryAfterMs?: number;
  error?: string;
  /** The start of what the service answered. */
  response?: string;
  /** The service says this endpoint is gone for good (a webhook's 410): disable the channel, why. */
  disable?: string;
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
