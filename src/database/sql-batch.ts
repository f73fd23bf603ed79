import { PoolClient, QueryResult } from 'pg';

/**
 * Statements that go to PostgreSQL together with their COMMIT, in one round trip: on the hot ingest path
 * round trips, not SQL, are the cost. The simple query protocol has no parameters, so each `$n` of a
 * statement is replaced by its value as an escaped literal (the driver's own escaping); every `$n` whose
 * type PostgreSQL cannot infer from the column it meets needs an explicit cast in the SQL (`$3::jsonb`).
 * A failing statement aborts the rest and the transaction: the caller rolls back.
 */
export class SqlBatch {
  private readonly statements: string[] = [];

  constructor(private readonly client: PoolClient) {}

  add(sql: string, params: readonly unknown[] = []): void {
    this.statements.push(
      sql.replace(/\$(\d+)/g, (_match, n: string) => {
        const index = Number(n) - 1;
        if (index >= params.length) throw new Error(`SqlBatch: no value for $${n}`);
        return this.literal(params[index]);
      }),
    );
  }

  /** How many statements are queued: a mark that `truncate` goes back to. */
  get size(): number {
    return this.statements.length;
  }

  /** Drops the statements added after `size` was `mark`, e.g. those of a step that failed half-way. */
  truncate(mark: number): void {
    this.statements.length = Math.min(mark, this.statements.length);
  }

  /** Sends every statement and COMMIT; resolves with each statement's result, in order. */
  async commit(): Promise<QueryResult[]> {
    const text = [...this.statements, 'COMMIT'].join(';\n');
    const results = (await this.client.query(text)) as unknown as QueryResult | QueryResult[];
    const list = Array.isArray(results) ? results : [results];
    return list.slice(0, this.statements.length);
  }

  private literal(value: unknown): string {
    if (value === null || value === undefined) return 'NULL';
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new Error('SqlBatch: invalid date');
      return this.client.escapeLiteral(value.toISOString());
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error('SqlBatch: non-finite number');
      return String(value);
    }
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'string') {
      // A NUL would end the query text early; PostgreSQL cannot store it in text anyway. Fail the way
      // PostgreSQL itself does for such a value (SQLSTATE 22021), which is the client's to fix.
      if (value.includes('\u0000')) {
        throw Object.assign(new Error('a string value contains a NUL character'), { code: '22021' });
      }
      return this.client.escapeLiteral(value);
    }
    throw new Error(`SqlBatch: serialise ${typeof value} values before adding them`);
  }
}
