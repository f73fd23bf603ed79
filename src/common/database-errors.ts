// Errors that mean "the database cannot be reached right now" (answer 503, the producer retries), as
// opposed to a bug in a query (answer 500). SQLSTATE classes 08 (connection exception), 53 (insufficient
// resources) and 57P (operator intervention: shutdown, crash recovery), statement and lock timeouts,
// plus socket-level errors and the client's own timeouts.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
  'Client was closed',
  'Cannot use a pool after calling end',
  'Handler disconnected',
  // pg's query_timeout: no answer at all (a hung server or network).
  'Query read timeout',
];

// statement_timeout (57014 query_canceled), lock_timeout (55P03): the database did not get to it in time.
const TIMEOUT_CODES = new Set(['57014', '55P03']);

/** No database transaction could be had in time (every slot busy, the database slow or hanging). */
export class DatabaseBusyError extends Error {
  constructor(waitedMs: number) {
    super(`waited ${Math.round(waitedMs)} ms for a database transaction; the database is too slow or unreachable`);
  }
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseBusyError) return true;
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const err = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    const code = typeof err.code === 'string' ? err.code : '';
    if (NETWORK_CODES.has(code) || TIMEOUT_CODES.has(code) || /^(08|53|57P)/.test(code)) return true;
    if (typeof err.message === 'string' && MESSAGES.some((m) => (err.message as string).includes(m))) return true;
    e = err.driverError ?? err.cause;
  }
  return false;
}

// SQLSTATEs raised by values a client sent that PostgreSQL cannot store: a NUL character in text (22021),
// JSON it rejects, such as an unpaired surrogate (22P02) or \u0000 (22P05), a value longer than its
// column (22001), a datetime out of range or unreadable (22008, 22007, 22009), a value past an index
// row or a tsvector (54000). Every other input is validated before it reaches the database, so these
// are the client's to fix: 400, not 500.
const UNSTORABLE_CODES = new Set(['22021', '22P02', '22P05', '22001', '22008', '22007', '22009', '54000']);

/** What such a value is, for the client's error message. */
export const UNSTORABLE_VALUE =
  'a value that cannot be stored (a NUL character, an unpaired surrogate, or a value too long or out of range)';

export function isUnstorableValue(error: unknown): boolean {
  const err = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const code = err?.code ?? err?.driverError?.code;
  return typeof code === 'string' && UNSTORABLE_CODES.has(code);
}

/**
 * `work`, or a DatabaseBusyError once `ms` have passed without it settling (the work goes on; what it
 * does later is the same as if the caller had retried).
 */
export function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DatabaseBusyError(Date.now() - started)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
