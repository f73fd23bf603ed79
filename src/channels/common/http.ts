import { classifyHttpStatus, parseRetryAfter } from '../../delivery/retry-policy';
import { SendResult } from './channel';
import { errorText } from '../../common/errors';

const EXCERPT = 500;

/**
 * One HTTP request with a time limit, classified: 2xx success, 408/425/429/5xx and network errors or
 * timeouts retry, other statuses are permanent. Redirects are not followed (a moved webhook is a
 * configuration problem to see, not to chase).
 */
export async function httpSend(
  url: string,
  init: { headers: Record<string, string>; body: string },
  timeoutMs: number,
  retryAfterHeaders: string[] = ['retry-after'],
): Promise<SendResult & { body?: string }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { outcome: 'retry', statusCode: null, error: describeFetchError(error, timeoutMs) };
  }
  let text = '';
  try {
    text = await response.text();
  } catch (error) {
    return { outcome: 'retry', statusCode: response.status, error: describeFetchError(error, timeoutMs) };
  }
  const outcome = classifyHttpStatus(response.status);
  let retryAfterMs: number | undefined;
  for (const header of retryAfterHeaders) {
    retryAfterMs ??= parseRetryAfter(response.headers.get(header));
  }
  return {
    outcome,
    statusCode: response.status,
    retryAfterMs: outcome === 'retry' ? retryAfterMs : undefined,
    error: outcome === 'success' ? undefined : `HTTP ${response.status}`,
    response: text.slice(0, EXCERPT),
    body: text,
  };
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `network error: ${cause.code}`;
  return `network error: ${errorText(error)}`;
}

/** The URL without credentials, query or the secret path of webhook URLs: scheme, host and a path hint. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/[redacted]`;
  } catch {
    return '[redacted]';
  }
}
