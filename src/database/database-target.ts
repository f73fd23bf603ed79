/** Where the service keeps its data, decided once at boot. */
export interface DatabaseTarget {
  url: string;
  kind: 'embedded' | 'postgres';
  /** For the startup log line; never contains a password. */
  description: string;
  poolSize: number;
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
