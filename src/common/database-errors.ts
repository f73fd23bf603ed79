// Errors that mean "the database cannot be reached right now" (answer 503, the producer retries), as
// opposed to a bug in a query (answer 500). SQLSTATE classes 08 (connection exception), 53 (insufficient
// resources) and 57P (operator intervention: shutdown, crash recovery) plus socket-level errors.
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
];

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
    if (NETWORK_CODES.has(code) || code.startsWith('08') || code.startsWith('53') || code.startsWith('57P'))
      return true;
    if (typeof err.message === 'string' && MESSAGES.some((m) => (err.message as string).includes(m))) return true;
    e = err.driverError ?? err.cause;
  }
  return false;
}

// SQLSTATEs raised by values a client sent that PostgreSQL cannot store: a NUL character in text (22021),
// JSON it rejects, such as an unpaired surrogate (22P02) or \u0000 (22P05), a value longer than its
// column (22001), a datetime out of range (22008). Every other input is validated before it reaches
// the database, so these are the client's to fix: 400, not 500.
const UNSTORABLE_CODES = new Set(['22021', '22P02', '22P05', '22001', '22008']);

/** What such a value is, for the client's error message. */
export const UNSTORABLE_VALUE =
  'a value that cannot be stored (a NUL character, an unpaired surrogate, or a value too long or out of range)';

export function isUnstorableValue(error: unknown): boolean {
  const err = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const code = err?.code ?? err?.driverError?.code;
  return typeof code === 'string' && UNSTORABLE_CODES.has(code);
}
