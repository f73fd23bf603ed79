import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

export type TestDatabaseKind = 'embedded' | 'postgres';

/** Which database the e2e run targets: `TEST_DB=embedded` (PGlite) or `TEST_DB=postgres` (the real server). */
export const TEST_DB: TestDatabaseKind = process.env.TEST_DB === 'postgres' ? 'postgres' : 'embedded';

/** Admin connection to the real PostgreSQL the tests create their databases on. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** DATABASE_URL for the app, or undefined for the embedded database. */
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh, empty database on the real PostgreSQL, dropped afterwards. */
export async function createPostgresDatabase(): Promise<TestDatabase & { url: string }> {
  const name = `alert_relay_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** A fresh database of the kind this run targets. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DB === 'postgres') return createPostgresDatabase();
  return { url: undefined, drop: () => Promise.resolve() };
}

/**
 * A fresh database of the kind this run targets that a client can connect to itself: a new database on
 * PostgreSQL, or a PGlite server in a directory of its own; `drop` removes either.
 */
export async function createServedDatabase(): Promise<TestDatabase & { url: string }> {
  if (TEST_DB === 'postgres') return createPostgresDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-db-'));
  const embedded = await startEmbeddedPostgres(dir);
  return {
    url: embedded.url,
    drop: async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
