import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A request slower than this logs its line at info even when it succeeded. */
export const SLOW_REQUEST_MS = 1000;

/** The URL as safe to log: the Monasca key travels in the path. */
export function redactRequestUrl(url: string | undefined): string {
  return (url ?? '').replace(/^(\/webhooks\/monasca\/)[^/?#]+/, '$1[redacted]');
}

/** The request's id: its `X-Request-Id` when sane, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The request a log line is about (Node's or Express's): what `requestFields` reads of it. */
export type RequestRef = Pick<IncomingMessage, 'id' | 'method' | 'url'> & { originalUrl?: string };

/** What a log line says about its request: its id, method and (redacted) URL; no headers. */
export interface LoggedRequest {
  id: string;
  method: string;
  url: string;
}

export function requestFields(req: RequestRef): LoggedRequest {
  return { id: req.id ?? '', method: req.method ?? '', url: redactRequestUrl(req.originalUrl ?? req.url) };
}

/**
 * A log message that names the request it is about, when there is one (`req` on the line). The fields
 * are read when the line is written: a line below the log level (a duplicate's) costs no URL redaction.
 */
export function logLine(msg: string, request: RequestRef | undefined): string | { msg: string; req: LoggedRequest } {
  return request
    ? {
        msg,
        get req() {
          return requestFields(request);
        },
      }
    : msg;
}

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * The level of a request's own line: error from 500, warn from 400, info when slow, else debug (the
 * lifecycle logs what a successful request did at info). `aborted`: the response never finished.
 */
export function requestLogLevel(statusCode: number, durationMs: number, aborted: boolean): Level {
  if (statusCode >= 500) return 'error';
  if (statusCode >= 400 || aborted) return 'warn';
  if (durationMs >= SLOW_REQUEST_MS) return 'info';
  return 'debug';
}

declare module 'http' {
  interface IncomingMessage {
    /** Set by the request logging middleware (common/logger.ts), first of all. */
    id?: string;
  }
}
