import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Pool, PoolClient } from 'pg';
import { StatementBatch, statementName } from '../src/database/statement-batch';
import { createServedDatabase, TEST_DB, TestDatabase } from './support/test-database';

// StatementBatch on a real server (PostgreSQL, or PGlite behind its socket): values travel as bound
// parameters, verbatim; a failing statement fails the batch and the connection goes on; named
// statements are prepared once per session (a connection, or PGlite's one session that every
// connection shares) and still right after a failed batch.

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
  const named = TEST_DB === 'postgres';
  // The embedded database's connections are one session (sharedSessionOf).
  const session = TEST_DB === 'embedded' ? {} : undefined;

  before(async () => {
    database = await createServedDatabase();
    pool = new Pool({ connectionString: database.url, max: 2 });
    await pool.query('CREATE TABLE batch_t (id int PRIMARY KEY, s text, j jsonb, at timestamptz)');
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
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

  it("reads each statement's rows with its own columns and types, one text answering with other columns too", async () => {
    await withClient(async (client) => {
      const batch = new StatementBatch(client, named);
      batch.add('SELECT $1::int AS n, $2::text AS "__proto__", NULL::timestamptz AS at', [7, 'p']);
      batch.add("SELECT 'x'::text AS n, 1::int AS n, now() AS at");
      batch.add('SELECT $1::int AS n, $2::text AS "__proto__", NULL::timestamptz AS at', [8, 'q']);
      const [first, duplicates, again] = await batch.run();
      const row = first.rows[0];
      assert.equal(Object.getPrototypeOf(row), Object.prototype);
      assert.deepEqual(Object.entries(row), [
        ['n', 7],
        ['__proto__', 'p'],
        ['at', null],
      ]);
      assert.equal(duplicates.rows[0].n, 1, 'the last of two columns with one name wins, as in pg');
      assert.ok(duplicates.rows[0].at instanceof Date);
      assert.deepEqual(Object.entries(again.rows[0]), [
        ['n', 8],
        ['__proto__', 'q'],
        ['at', null],
      ]);
    });
    // The same text once more, now answering other types: read with them, not the remembered ones.
    await pool.query('CREATE TABLE batch_shape (v int)');
    await pool.query('INSERT INTO batch_shape VALUES (5)');
    const read = async () =>
      withClient(async (client) => {
        const batch = new StatementBatch(client, false);
        batch.add('SELECT v FROM batch_shape');
        return (await batch.run())[0].rows[0].v;
      });
    assert.equal(await read(), 5);
    await pool.query('ALTER TABLE batch_shape ALTER COLUMN v TYPE text');
    assert.equal(await read(), '5');
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

  it('prepares a statement once per session, with batches on two connections wanting it at the same moment', async () => {
    const [a, b] = [await pool.connect(), await pool.connect()];
    try {
      for (let round = 0; round < 3; round++) {
        // A new text each round, sent on both connections before either is answered: each finds it
        // unknown, or being prepared by the other; then known.
        const text = `SELECT $1::int + ${round} AS v, count(*) AS n FROM batch_t`;
        for (let i = 0; i < 3; i++) {
          const batches = [a, b].map((client, c) => {
            const batch = new StatementBatch(client, true, session);
            batch.add(text, [c * 100 + i]);
            batch.add(text, [c * 100 + i + 10]);
            return batch.run();
          });
          const answers = (await Promise.all(batches)).map((results) => results.map((r) => r.rows[0].v));
          assert.deepEqual(answers, [
            [i + round, i + 10 + round],
            [100 + i + round, 110 + i + round],
          ]);
        }
        // Each connection (PostgreSQL) or the one session both share (PGlite) has it prepared, once.
        for (const client of [a, b]) {
          const prepared = await client.query('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = $1', [
            statementName(text),
          ]);
          assert.equal(prepared.rows[0].n, 1);
        }
      }
    } finally {
      a.release();
      b.release();
    }
  });

  it('after a failed batch, prepares again what it did not run, on its own connection and on the other', async () => {
    const [a, b] = [await pool.connect(), await pool.connect()];
    try {
      // New texts: the first runs, the second fails (a duplicate key) after its Parse, the third is skipped.
      const ran = 'INSERT INTO batch_t (id, s) VALUES ($1, $2) ON CONFLICT DO NOTHING';
      const failed = 'INSERT INTO batch_t (id, s) VALUES ($1, $2) RETURNING id';
      const skipped = 'SELECT s FROM batch_t WHERE id = $1 AND s IS NOT NULL';
      await b.query('INSERT INTO batch_t (id, s) VALUES (3000, $1)', ['taken']);
      const failing = new StatementBatch(a, true, session);
      failing.add('BEGIN');
      failing.add(ran, [3001, 'one']);
      failing.add(failed, [3000, 'duplicate key']);
      failing.add(skipped, [3001]);
      failing.add('COMMIT');
      await assert.rejects(failing.run(), { code: '23505' });
      await a.query('ROLLBACK');
      for (const client of [a, b, a]) {
        const batch = new StatementBatch(client, true, session);
        const id = 3002 + (client === a ? 0 : 1);
        batch.add(ran, [id, 'again']);
        batch.add(failed, [id + 10, 'fine']);
        batch.add(skipped, [id]);
        const results = await batch.run();
        assert.deepEqual(results[2].rows, [{ s: 'again' }]);
        await client.query('DELETE FROM batch_t WHERE id >= 3002');
      }
    } finally {
      a.release();
      b.release();
    }
  });

  it('fails a batch with a value that has no text before sending anything, and the connection goes on', async () => {
    await withClient(async (client) => {
      const batch = new StatementBatch(client, true, session);
      batch.add('SELECT $1::text AS a', ['fine']);
      batch.add('SELECT $1::jsonb AS b', [{ n: 1n }]);
      await assert.rejects(batch.run(), TypeError);
      const next = new StatementBatch(client, true, session);
      next.add('SELECT $1::text AS a', ['after']);
      assert.deepEqual((await next.run())[0].rows, [{ a: 'after' }]);
    });
  });
});
