/** Where the service keeps its data, decided once at boot. */
export interface DatabaseTarget {
  url: string;
  kind: 'embedded' | 'postgres';
  /** For the startup log line; never contains a password. */
  description: string;
  poolSize: number;
  /**
   * The server's `statement_timeout` for every query; the client gives up 2 s later (`query_timeout`)
   * when no answer came at all. Undefined: none (migrations, tools).
   */
  statementTimeoutMs?: number;
}

export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return `PostgreSQL at ${parsed.host}${parsed.pathname} as ${decodeURIComponent(parsed.username) || '(default user)'}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL is not a URL; handing it to the driver as is)';
  }
}

/** Injection token of the DatabaseTarget the app was started with. */
export const DATABASE_TARGET = Symbol('DATABASE_TARGET');

// Past the client's own query timeout (statement_timeout + 2 s), or 12 s without one.
const QUERY_TIMEOUT_MARGIN_MS = 2000;

/**
 * How long an alert may wait for its change to commit before the producer gets a 503 (SMTP 451): as
 * long as one query may take (statement_timeout + 2 s, docs/production.md).
 */
export function ingestDeadlineMs(target: Pick<DatabaseTarget, 'statementTimeoutMs'>): number {
  return (target.statementTimeoutMs ?? 10_000) + QUERY_TIMEOUT_MARGIN_MS;
}
