import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The URL as safe to log: the Monasca key travels in the path. */
export function redactRequestUrl(url: string | undefined): string {
  return (url ?? '').replace(/^(\/webhooks\/monasca\/)[^/?#]+/, '$1[redacted]');
}

/**
 * pino-http options: one JSON line per request with its id (taken from `X-Request-Id` when sane,
 * echoed on the response), no headers (tokens and keys live there) and the URL redacted. Successful
 * requests log at debug: the lifecycle logs what they did at info.
 */
export function httpLoggerOptions(level: string): Options {
  return {
    level,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: redactRequestUrl(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'debug';
    },
  };
}
