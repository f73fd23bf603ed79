import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerService } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { destination, Logger as Pino, pino } from 'pino';
import { requestFields, requestIdFor, requestLogLevel } from './http-logger';

/** The longest a logged line below warn waits in the output buffer before it is written. */
export const LOG_FLUSH_MS = 200;
const WARN = 40; // pino's level number

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's logger on pino: one JSON line per call, with Nest's context. Nest passes the context last
 * (`log(message, context)`, `error(message, stack, context)`). A line about a request's work names the
 * request (`req`: its id, method and redacted URL) when its caller passes one (`logLine`): handed down
 * explicitly, not kept in an AsyncLocalStorage, whose promise hooks cost the ingest 8% of its CPU
 * (bench:ab, docs/design-notes.md "Phase 5").
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Pino) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const logger = this.root;
    if (!logger.isLevelEnabled(level)) return; // before building anything
    const last = params.length - 1;
    const context = last >= 0 ? params[last] : undefined;
    if (message instanceof Error) {
      logger[level]({ context, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      logger[level]({ context, ...message });
    } else {
      // Nest's own exception handlers pass the stack as an argument before the context.
      const stack = params.find((p, i) => i < last && typeof p === 'string' && /\n\s*at /.test(p));
      logger[level](stack === undefined ? { context } : { context, stack }, String(message));
    }
  }
}

/**
 * The service's logging: pino writing asynchronously to stdout (a slow reader of stdout, a pipe to a log
 * collector, must not stall the event loop; past 16 MiB waiting, lines are dropped rather than memory
 * exhausted), Nest's logger on it, and the request middleware: it gives every request an id (its
 * `X-Request-Id` when sane, else a UUID; echoed on the response) and logs one line for each request
 * answered with 4xx/5xx, aborted, or slow (`requestLogLevel`); a successful request logs at debug only.
 */
export function createLogging(level: string): {
  logger: PinoNestLogger;
  middleware: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
} {
  const output = destination({
    dest: 1,
    sync: false,
    // Lines go out in writes of at least 4 KiB, and at the latest every LOG_FLUSH_MS: under load one
    // write carries tens of lines instead of one each (a write per line was 2-3% of the ingest's CPU).
    // On exit, an uncaught error included, the rest is written synchronously (pino's exit hook). A
    // warning or an error goes to the write at once, as every line did before: a kill -9 shortly after
    // loses the info lines of the last LOG_FLUSH_MS at most.
    minLength: 4096,
    periodicFlush: LOG_FLUSH_MS,
    maxLength: 16 * 1024 * 1024,
  });
  const root = pino(
    {
      level,
      hooks: {
        logMethod(args, method, lineLevel) {
          method.apply(this, args);
          if (lineLevel >= WARN) output.flush();
        },
      },
    },
    output,
  );
  return {
    logger: new PinoNestLogger(root),
    middleware: (req, res, next) => {
      const id = requestIdFor(req);
      req.id = id;
      res.setHeader('X-Request-Id', id);
      const started = performance.now();
      res.once('close', () => {
        const responseTime = Math.round(performance.now() - started);
        const lineLevel = requestLogLevel(res.statusCode, responseTime, !res.writableFinished);
        if (!root.isLevelEnabled(lineLevel)) return;
        const msg = res.writableFinished ? 'request completed' : 'request aborted';
        root[lineLevel]({ req: requestFields(req), res: { statusCode: res.statusCode }, responseTime }, msg);
      });
      next();
    },
  };
}
