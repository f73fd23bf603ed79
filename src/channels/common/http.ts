import { errorText } from '../../common/errors';
import { Injectable, Optional } from '@nestjs/common';
import { fetch, Response } from 'undici';
import { defaultEgress, EgressDeniedError, EgressGuard } from './egress';
import { redactUrl } from './redact';
import { classifyHttpStatus, parseRetryAfter, SendResult } from './send-result';

/** How much of an answer is kept with the attempt (`response`). */
export const EXCERPT = 500;

/** One POST as a channel builds it; `url` may hold secrets and is never shown (see `redactUrl`). */
export interface HttpPost {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A classified answer, with the whole body for channels that read it (Pushover, JSON-RPC). */
export interface HttpAnswer extends SendResult {
  body?: string;
}

/**
 * One HTTP request with a time limit, classified: 2xx success, 408/425/429/5xx and network errors or
 * timeouts retry, other statuses are permanent. Redirects are not followed (a moved webhook is a
 * configuration problem to see, not to chase). The first of `retryAfterHeaders` that reads as a wait
 * is the service's hint.
 */
export async function httpPost(
  request: HttpPost,
  timeoutMs: number,
  retryAfterHeaders: readonly string[] = ['retry-after'],
  egress: EgressGuard = defaultEgress(),
): Promise<HttpAnswer> {
  let response: Response;
  try {
    egress.checkLiteral(new URL(request.url).hostname);
    response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      dispatcher: egress.dispatcher,
    });
  } catch (error) {
    const denied = egressDenial(error);
    // A denied destination is the config's problem: retrying cannot help (the delivery can be replayed).
    if (denied) return { outcome: 'permanent', statusCode: null, error: denied };
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

function egressDenial(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++, e = (e as { cause?: unknown }).cause) {
    if (e instanceof EgressDeniedError) return e.message;
  }
  return null;
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `network error: ${cause.code}`;
  return `network error: ${errorText(error)}`;
}

/** A JSON body with its content type. */
export function jsonRequest(body: unknown): Omit<HttpPost, 'url'> {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * The base of every channel that POSTs over HTTP: the URL it posts to is computed in one place (`url`,
 * secrets and all) and shown only through `target`, redacted; the answer is classified by `httpPost`
 * and then read by the channel (`read`) for what only it knows (Pushover's `status`, JSON-RPC errors).
 */
@Injectable()
export abstract class HttpChannel<C> {
  /** Headers that may carry the wait a service asks for, first match wins. */
  protected readonly retryAfterHeaders: readonly string[] = ['retry-after'];

  constructor(@Optional() protected readonly egress: EgressGuard = defaultEgress()) {}

  abstract url(config: C): string;

  target(config: C): string {
    return redactUrl(this.url(config));
  }

  protected async post(config: C, request: Omit<HttpPost, 'url'>, timeoutMs: number): Promise<SendResult> {
    const answer = await httpPost(
      { url: this.url(config), ...request },
      timeoutMs,
      this.retryAfterHeaders,
      this.egress,
    );
    const { body: _body, ...result } = this.read(answer);
    return result;
  }

  protected read(answer: HttpAnswer): HttpAnswer {
    return answer;
  }
}
