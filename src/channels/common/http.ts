import { errorText } from '../../common/errors';
import { Injectable, Optional } from '@nestjs/common';
import { request as undiciRequest } from 'undici';
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
 * One HTTP request with a time limit (connecting, the answer and its body together), classified: 2xx
 * success, 408/425/429/5xx and network errors or timeouts retry, other statuses are permanent. Redirects
 * are not followed (a moved webhook is a configuration problem to see, not to chase). The first of
 * `retryAfterHeaders` that reads as a wait is the service's hint.
 *
 * undici's `request`, not its `fetch`: the WHATWG layer (Request and Response objects, web streams, a
 * followed AbortSignal per request) cost the delivery workers more CPU than the rest of a delivery
 * (docs/design-notes.md, "Phase 4"); and the time limit is a timer cleared as soon as the answer is read.
 */
export async function httpPost(
  request: HttpPost,
  timeoutMs: number,
  retryAfterHeaders: readonly string[] = ['retry-after'],
  egress: EgressGuard = defaultEgress(),
): Promise<HttpAnswer> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let statusCode: number;
  let headers: Record<string, string | string[] | undefined>;
  let text: string;
  try {
    egress.checkLiteral(new URL(request.url).hostname);
    const response = await undiciRequest(request.url, {
      method: 'POST',
      headers: { 'user-agent': 'alert-relay', accept: '*/*', ...lowerCaseNames(request.headers) },
      body: request.body,
      signal: abort.signal,
      dispatcher: egress.dispatcher,
    });
    statusCode = response.statusCode;
    headers = response.headers;
    try {
      text = await response.body.text();
    } catch (error) {
      return { outcome: 'retry', statusCode, error: describeRequestError(error, timeoutMs) };
    }
  } catch (error) {
    const denied = egressDenial(error);
    // A denied destination is the config's problem: retrying cannot help (the delivery can be replayed).
    if (denied) return { outcome: 'permanent', statusCode: null, error: denied };
    return { outcome: 'retry', statusCode: null, error: describeRequestError(error, timeoutMs) };
  } finally {
    clearTimeout(timer);
  }
  const outcome = classifyHttpStatus(statusCode);
  let retryAfterMs: number | undefined;
  for (const header of retryAfterHeaders) {
    const value = headers[header.toLowerCase()];
    retryAfterMs ??= parseRetryAfter((Array.isArray(value) ? value[0] : value) ?? null);
  }
  return {
    outcome,
    statusCode,
    retryAfterMs: outcome === 'retry' ? retryAfterMs : undefined,
    error: outcome === 'success' ? undefined : `HTTP ${statusCode}`,
    response: text.slice(0, EXCERPT),
    body: text,
  };
}

/** Header names in lower case (undici's own form), so that a channel's `User-Agent` replaces the default. */
function lowerCaseNames(headers: Record<string, string>): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return lower;
}

function egressDenial(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++, e = (e as { cause?: unknown }).cause) {
    if (e instanceof EgressDeniedError) return e.message;
  }
  return null;
}

function describeRequestError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`;
  }
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  // A socket error's own code (ECONNREFUSED), or undici's wrapper's cause's; undici's own codes
  // (UND_ERR_SOCKET: the peer closed the connection) say less than its message.
  const systemCode = [code, cause?.code].find((c) => c && !c.startsWith('UND_ERR'));
  if (systemCode) return `network error: ${systemCode}`;
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
