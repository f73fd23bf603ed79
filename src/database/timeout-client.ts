import { Client } from 'pg';

/** pg's error when no answer came within `query_timeout`. */
export const QUERY_READ_TIMEOUT = 'Query read timeout';

function isReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === QUERY_READ_TIMEOUT;
}

/**
 * pg's Client, except that a query that ran out of `query_timeout` closes its connection. pg answers
 * the caller with an error but keeps the connection with the unanswered query on it, so the pool
 * would hand out a connection whose every later query (the ROLLBACK first) waits as long again. Closed,
 * the pool drops it and opens a fresh one once the database answers again.
 */
export class TimeoutClosingClient extends Client {
  override query(...args: unknown[]): never {
    const last = args.length > 0 ? args[args.length - 1] : undefined;
    if (typeof last === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) => {
        if (isReadTimeout(error)) this.dropConnection();
        (last as (e: unknown, r: unknown) => void)(error, result);
      };
    }
    const result: unknown = (super.query as (...a: unknown[]) => unknown)(...args);
    if (typeof last !== 'function' && result instanceof Promise) {
      return result.catch((error: unknown) => {
        if (isReadTimeout(error)) this.dropConnection();
        throw error;
      }) as never;
    }
    return result as never;
  }

  private dropConnection(): void {
    (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }
}
