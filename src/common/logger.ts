import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerService } from '@nestjs/common';
import { destination, Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { httpLoggerOptions } from './http-logger';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

// The request's child logger (it carries the request id) while a request is being handled.
const requestLogger = new AsyncLocalStorage<Pino>();

/**
 * Nest's logger on pino: one JSON line per call, with Nest's context, and inside a request the
 * request's bindings (its id). Nest passes the context last (`log(message, context)`,
 * `error(message, stack, context)`).
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
    const logger = requestLogger.getStore() ?? this.root;
    if (!logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    if (rest.length > 0) fields.context = rest.pop();
    if (message instanceof Error) {
      fields.err = message;
      logger[level](fields, message.message);
    } else if (message !== null && typeof message === 'object') {
      logger[level]({ ...fields, ...message });
    } else {
      // Nest's own exception handlers pass the stack as a second argument.
      const stack = rest.find((p) => typeof p === 'string' && /\n\s*at /.test(p));
      if (stack) fields.stack = stack;
      logger[level](fields, String(message));
    }
  }
}

/**
 * The service's logging: pino writing asynchronously to stdout (a slow reader of stdout, a pipe to a log
 * collector, must not stall the event loop; past 16 MiB waiting, lines are dropped rather than memory
 * exhausted), pino-http's one line per request, and Nest's logger on the same pino.
 */
export function createLogging(level: string): {
  logger: PinoNestLogger;
  middleware: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
} {
  const http = pinoHttp(httpLoggerOptions(level), destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024 }));
  return {
    logger: new PinoNestLogger(http.logger),
    middleware: (req, res, next) => http(req, res, () => requestLogger.run((req as { log: Pino }).log, next)),
  };
}
