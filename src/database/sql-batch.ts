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
    const { texts, indexes } = compile(sql);
    let text = texts[0];
    for (let i = 0; i < indexes.length; i++) {
      const index = indexes[i];
      if (index >= params.length) throw new Error(`SqlBatch: no value for $${index + 1}`);
      text += this.literal(params[index]) + texts[i + 1];
    }
    this.statements.push(text);
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
      return `'${value.toISOString()}'`;
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
        throw nulCharacterError();
      }
      return escapeLiteral(value);
    }
    throw new Error(`SqlBatch: serialise ${typeof value} values before adding them`);
  }
}

/** A statement split at its `$n` placeholders, kept per statement text (the hot ones are constants). */
interface Template {
  texts: string[];
  /** Zero-based parameter index of each placeholder, between texts[i] and texts[i + 1]. */
  indexes: number[];
}

const templates = new Map<string, Template>();
// Statements built at run time (a varying number of rows) could be many: past this many, new statement
// texts are compiled each time instead of cached.
const MAX_TEMPLATES = 256;

function compile(sql: string): Template {
  const cached = templates.get(sql);
  if (cached) return cached;
  const parts = sql.split(/\$(\d+)/);
  const template = {
    texts: parts.filter((_part, i) => i % 2 === 0),
    indexes: parts.filter((_part, i) => i % 2 === 1).map((n) => Number(n) - 1),
  };
  if (templates.size < MAX_TEMPLATES) templates.set(sql, template);
  return template;
}

/**
 * The same literal as the driver's `escapeLiteral` (quotes doubled; with a backslash, an E'' string with
 * backslashes doubled), without building it a character at a time: payloads are kilobytes of JSON.
 */
export function escapeLiteral(value: string): string {
  const quoted = value.includes("'") ? value.replaceAll("'", "''") : value;
  return value.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/** The error for a NUL in a value, as PostgreSQL itself reports one (SQLSTATE 22021): the client's to fix. */
export function nulCharacterError(): Error {
  return Object.assign(new Error('a string value contains a NUL character'), { code: '22021' });
}
