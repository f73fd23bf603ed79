import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Pool, PoolClient } from 'pg';
import { EmbeddedPostgres, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { StatementBatch } from '../src/database/statement-batch';
import { createPostgresDatabase, TEST_DB, TestDatabase } from './support/test-database';

// StatementBatch on a real server (PostgreSQL, or PGlite behind its socket): values travel as bound
// parameters, verbatim; a failing statement fails the batch and the connection goes on; named
// statements are prepared once per connection and still right after a failed batch.

const HOSTILE = [
  `it's`,
  `back\\slash \\\\ E'\\x41'`,
  `'); DROP TABLE t; --`,
  `$1 $$ $tag$ ?`,
  `emoji 👍🏽 and \u2028`,
  'x'.repeat(100_000),
];

describe(`StatementBatch (${TEST_DB})`, () => {
  let pool: Pool;
  let database: TestDatabase | undefined;
  let embedded: EmbeddedPostgres | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-batch-'));
  const named = TEST_DB === 'postgres';

  before(async () => {
    let url: string;
    if (TEST_DB === 'postgres') url = (database = await createPostgresDatabase()).url;
    else url = (embedded = await startEmbeddedPostgres(dir)).url;
    pool = new Pool({ connectionString: url, max: 2 });
    await pool.query('CREATE TABLE batch_t (id int PRIMARY KEY, s text, j jsonb, at timestamptz)');
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
    await embedded?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const withClient = async <T>(use: (client: PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      return await use(client);
    } finally {
      client.release();
    }
  };

  it('writes and reads hostile strings verbatim, as text and inside jsonb, in one round trip', async () => {
    await withClient(async (client) => {
      const batch = new StatementBatch(client, named);
      batch.add('BEGIN');
      HOSTILE.forEach((s, i) =>
        batch.add('INSERT INTO batch_t (id, s, j, at) VALUES ($1, $2, $3::jsonb, $4)', [
          i,
          s,
          JSON.stringify({ [s]: s }),
          new Date('2026-01-02T03:04:05.678Z'),
        ]),
      );
      batch.add('SELECT id, s, j, at FROM batch_t WHERE s = ANY($1::text[]) ORDER BY id', [HOSTILE]);
      batch.add('COMMIT');
      const results = await batch.run();
      assert.equal(results.length, HOSTILE.length + 3);
      const rows = results[HOSTILE.length + 1].rows as { id: number; s: string; j: unknown; at: Date }[];
      assert.deepEqual(
        rows.map((r) => r.s),
        HOSTILE,
      );
      rows.forEach((r) => assert.deepEqual(r.j, { [r.s]: r.s }));
      assert.equal(rows[0].at.toISOString(), '2026-01-02T03:04:05.678Z');
    });
  });

  it('refuses a NUL before sending, and fails the batch at the first statement PostgreSQL refuses', async () => {
    await withClient(async (client) => {
      const batch = new StatementBatch(client, named);
      assert.throws(() => batch.add('SELECT $1::text', ['a\u0000b']), { code: '22021' });
      batch.add('BEGIN');
      batch.add('INSERT INTO batch_t (id, s) VALUES ($1, $2)', [1000, 'kept?']);
      batch.add('INSERT INTO batch_t (id, s) VALUES ($1, $2)', [0, 'duplicate key']);
      batch.add('COMMIT');
      await assert.rejects(batch.run(), { code: '23505' });
      await client.query('ROLLBACK');
      // The same connection and the same statements work again, parsed or not.
      const again = new StatementBatch(client, named);
      again.add('INSERT INTO batch_t (id, s) VALUES ($1, $2)', [1001, 'after']);
      again.add('SELECT s FROM batch_t WHERE id = ANY($1::int[]) ORDER BY id', [[1000, 1001]]);
      const results = await again.run();
      assert.deepEqual(results[1].rows, [{ s: 'after' }], 'the failed transaction left nothing');
    });
  });
});
