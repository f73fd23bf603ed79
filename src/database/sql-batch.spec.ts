import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, PoolClient, QueryResult } from 'pg';
import { escapeLiteral, SqlBatch } from './sql-batch';

// A real pg Client (its own escaping), never connected: query() records the text it would send.
function recordingClient(): { client: PoolClient; sent: string[] } {
  const sent: string[] = [];
  const client = new Client() as unknown as PoolClient;
  client.query = ((text: string) => {
    sent.push(text);
    return Promise.resolve([{ rows: [] }, { rows: [] }] as unknown as QueryResult);
  }) as PoolClient['query'];
  return { client, sent };
}

describe('SqlBatch', () => {
  it('inlines every $n as an escaped literal and sends the statements with COMMIT in one query', async () => {
    const { client, sent } = recordingClient();
    const batch = new SqlBatch(client);
    batch.add('UPDATE t SET a = $1, b = $2, c = $3, d = $4::jsonb WHERE id = $5 AND e = $1', [
      "it's",
      null,
      new Date('2026-01-02T03:04:05.678Z'),
      JSON.stringify({ back: 'sla\\sh' }),
      7,
    ]);
    batch.add('DELETE FROM t WHERE f = $1', [true]);
    await batch.commit();
    assert.deepEqual(sent, [
      `UPDATE t SET a = 'it''s', b = NULL, c = '2026-01-02T03:04:05.678Z', d =  E'{"back":"sla\\\\\\\\sh"}'::jsonb WHERE id = 7 AND e = 'it''s';\n` +
        'DELETE FROM t WHERE f = TRUE;\nCOMMIT',
    ]);
  });

  it('refuses what it cannot send safely', () => {
    const batch = new SqlBatch(recordingClient().client);
    assert.throws(() => batch.add('SELECT $2', [1]), /no value for \$2/);
    assert.throws(() => batch.add('SELECT $1', [{ a: 1 }]), /serialise object/);
    assert.throws(() => batch.add('SELECT $1', [Number.NaN]), /non-finite/);
    assert.throws(
      () => batch.add('SELECT $1', ['a\u0000b']),
      (error: Error & { code?: string }) => error.code === '22021',
    );
  });

  it('escapes exactly as the driver does', () => {
    const driver = new Client();
    for (const value of ['', 'plain', "it's", "''", 'back\\slash', "both ' and \\", '\\', 'ü 雪 😀', '{"a":"b\\"c"}']) {
      assert.equal(escapeLiteral(value), driver.escapeLiteral(value), value);
    }
  });

  it('reuses a statement with the same placeholder twice, and one with none', async () => {
    const { client, sent } = recordingClient();
    const batch = new SqlBatch(client);
    batch.add('SELECT $2, $1, $2', ['a', 'b']);
    batch.add('SELECT 1');
    batch.add('SELECT $2, $1, $2', ['c', 'd']);
    assert.equal(batch.size, 3);
    batch.truncate(2);
    await batch.commit();
    assert.deepEqual(sent, ["SELECT 'b', 'a', 'b';\nSELECT 1;\nCOMMIT"]);
  });
});
