import { createHash } from 'node:crypto';
import pg, { DatabaseError, PoolClient } from 'pg';
import type { DatabaseTarget } from './database-target';

/** One statement's answer: its rows, parsed as pg's own queries parse them (pg's type parsers). */
export interface StatementResult {
  rows: Record<string, unknown>[];
}

/**
 * Statements with bound parameters that go to PostgreSQL in ONE round trip: each statement is a Parse
 * (once per connection for a named statement), Bind, Describe and Execute of the extended query protocol,
 * and the batch ends with a single Sync. Values travel as parameters, never inside the SQL text, so no
 * string is ever escaped by us. On the hot ingest path round trips, not statements, are the cost: BEGIN,
 * the lock and the reads go as one batch, the writes and the COMMIT as a second.
 *
 * PostgreSQL runs the statements in order and, at the first error, skips everything up to the Sync: the
 * batch rejects with that error, and when it had opened or was inside a transaction, the caller rolls
 * back. `named` statements are prepared once per server session and then only bound (PostgreSQL parses
 * and plans them once). A session is a connection, except where every connection is the same session
 * (the embedded database: `sharedSession` names it, one object per database): there a statement one
 * connection prepared is there for all of them, and one that another connection's batch is preparing
 * right now is parsed unnamed meanwhile (its name is not known to exist until that batch is answered).
 */
export class StatementBatch {
  private readonly statements: { text: string; values: readonly unknown[] }[] = [];

  constructor(
    private readonly client: PoolClient,
    private readonly named: boolean,
    private readonly sharedSession?: object,
  ) {}

  add(text: string, values: readonly unknown[] = []): void {
    // A NUL cannot be stored in text; refusing it here fails only the message that carries it, not the
    // batch (PostgreSQL would refuse it with the same SQLSTATE, 22021, and abort the whole batch).
    for (const value of values) if (typeof value === 'string' && value.includes('\u0000')) throw nulCharacterError();
    this.statements.push({ text, values });
  }

  /** How many statements are queued: a mark that `truncate` goes back to. */
  get size(): number {
    return this.statements.length;
  }

  /** Drops the statements added after `size` was `mark`, e.g. those of a step that failed half-way. */
  truncate(mark: number): void {
    this.statements.length = Math.min(mark, this.statements.length);
  }

  /** Sends every statement and one Sync; resolves with each statement's result, in order. */
  run(): Promise<StatementResult[]> {
    const submittable = new Pipelined(this.statements.splice(0), this.named, this.sharedSession);
    return new Promise((resolve, reject) => {
      // pg's query() takes any object with submit(); the callback also carries its query_timeout.
      (this.client.query as unknown as (q: Pipelined, cb: (e: Error | null, r?: StatementResult[]) => void) => void)(
        submittable,
        (error, results) => (error ? reject(error) : resolve(results ?? [])),
      );
    });
  }
}

/**
 * The shared session of `target`'s connections for `StatementBatch`: the embedded database serves every
 * connection from one session (its target object stands for it); on PostgreSQL each connection is its own.
 */
export function sharedSessionOf(target: DatabaseTarget): object | undefined {
  return target.kind === 'embedded' ? target : undefined;
}

/** The error for a NUL in a value, as PostgreSQL itself reports one (SQLSTATE 22021): the client's to fix. */
export function nulCharacterError(): Error {
  return Object.assign(new Error('a string value contains a NUL character'), { code: '22021' });
}

/** A column of a RowDescription, as pg-protocol parses it. */
interface FieldDescription {
  name: string;
  dataTypeID: number;
  format: string;
}

/** How a statement's rows are read: column names and pg's parser for each column's type. */
interface RowReader {
  fields: FieldDescription[];
  names: string[];
  parsers: ((text: string) => unknown)[];
}

// The row reader of each statement text, made at its first RowDescription and used again while the
// columns are the same (the same names and types). Building one per answer (pg's Result does) was, with
// its dictionary-mode row template, the largest single cost of reading a group's rows.
const readers = new Map<string, RowReader>();

function rowReader(text: string, fields: FieldDescription[]): RowReader {
  const known = readers.get(text);
  if (known && sameColumns(known.fields, fields)) return known;
  const reader: RowReader = {
    fields,
    names: fields.map((f) => f.name),
    parsers: fields.map((f) => pg.types.getTypeParser(f.dataTypeID, 'text') as (text: string) => unknown),
  };
  // Statement texts are constants; should one ever be built at run time, the map must not grow forever.
  if (readers.size < 1000 || known) readers.set(text, reader);
  return reader;
}

function sameColumns(a: FieldDescription[], b: FieldDescription[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || a[i].dataTypeID !== b[i].dataTypeID || a[i].format !== b[i].format) return false;
  }
  return true;
}

/** A row as an object whose properties are added in one order (one hidden class per statement). */
function readRow(reader: RowReader, values: (string | null)[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const { names, parsers } = reader;
  for (let i = 0; i < names.length; i++) {
    const value = values[i];
    const parsed = value === null ? null : parsers[i](value);
    // A column named __proto__ is a property like any other (an assignment would set the prototype).
    if (names[i] === '__proto__')
      Object.defineProperty(row, '__proto__', { value: parsed, enumerable: true, writable: true, configurable: true });
    else row[names[i]] = parsed;
  }
  return row;
}

interface PgConnection {
  stream: { cork?: () => void; uncork?: () => void };
  parse(query: { text: string; name: string }): void;
  bind(config: { statement: string; values: readonly unknown[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(config: { portal: string; rows: number }): void;
  close(message: { type: 'S'; name: string }): void;
  sync(): void;
}

/** What one server session has prepared. */
interface Session {
  /** Named statements it has. */
  known: Set<string>;
  /** Those that may exist after a failed batch: closed before they are parsed again (closing a statement that does not exist is no error). */
  uncertain: Set<string>;
  /** Those a batch is preparing now (by that batch), until it is answered: another batch parses its own unnamed copy. */
  preparing: Map<string, object>;
}

// By the connection object (it lives as long as its server session does), or by the shared session's
// object when every connection is that one session.
const sessions = new WeakMap<object, Session>();
const names = new Map<string, string>();

/** The name a statement text is prepared under (the same in every session). */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `ar_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    // Statement texts are constants; should one ever be built at run time, the map must not grow forever.
    if (names.size < 1000) names.set(text, name);
  }
  return name;
}

// pg's conversion of a parameter (dates, arrays, objects) to the text it binds, as its own queries do;
// also for values inside a JSON parameter that PostgreSQL casts (a date of the year 0 or before is
// written "… BC", which PostgreSQL reads and JSON's ISO form is not).
const { utils } = pg as unknown as { utils: { prepareValue: (value: unknown) => unknown } };
// Dates bound in UTC, whatever the process's TZ: in local time a date before the zone's history
// (a Local Mean Time offset of seconds) would reach PostgreSQL seconds off. For every pg query.
(pg.defaults as { parseInputDatesAsUTC?: boolean }).parseInputDatesAsUTC = true;
export const prepareValue = (value: unknown): unknown => {
  if (typeof value === 'string' || value === null) return value;
  // ISO 8601 in UTC for the years 1 to 9999, which PostgreSQL reads exactly; pg's own text (its "… BC"
  // for the year 0 and before) otherwise.
  if (value instanceof Date) {
    const year = value.getUTCFullYear();
    if (year >= 1 && year <= 9999) return value.toISOString();
  }
  return utils.prepareValue(value);
};

/** The batch as pg's Client sees it: a "submittable" (the interface pg-cursor uses) answered by events. */
class Pipelined {
  callback: ((error: Error | null, results?: StatementResult[]) => void) | undefined;
  /**
   * The statements' texts once they are sent (each answer's rows are read by its text). Their values
   * are let go then: they are bytes in the socket's buffer by now, and held until the answers came they
   * outlived a young collection or two and were copied into the old generation (a group's events and
   * jsonb texts: a tenth of the bytes the ingest promoted).
   */
  private texts: string[] = [];
  private readonly results: StatementResult[] = [];
  private reader: RowReader | undefined;
  private current = 0;
  private failed: Error | undefined;
  /** The name each statement parses in this batch (null: bound to one prepared before, or unnamed). */
  private readonly parsing: (string | null)[] = [];
  /** The name each statement is bound to ('' unnamed). */
  private readonly bound: string[] = [];
  private session: Session | undefined;
  /** The answer (an error or ReadyForQuery) has been taken in: pg may report an error twice, or one and then ReadyForQuery. */
  private settled = false;

  constructor(
    private statements: { text: string; values: readonly unknown[] }[],
    private readonly named: boolean,
    private readonly sharedSession: object | undefined,
  ) {}

  submit(connection: PgConnection): Error | null {
    // Every value as the text it binds, before anything is written: a value that has none (a BigInt
    // inside an object) fails the batch here with nothing half-sent (pg reports the returned error).
    let bindings: unknown[][];
    try {
      bindings = this.statements.map((statement) => statement.values.map(prepareValue));
    } catch (error) {
      this.statements = [];
      return error instanceof Error ? error : new Error(String(error));
    }
    const key = this.sharedSession ?? connection;
    let session = sessions.get(key);
    if (!session) sessions.set(key, (session = { known: new Set(), uncertain: new Set(), preparing: new Map() }));
    this.session = session;
    connection.stream.cork?.();
    try {
      for (const [i, { text }] of this.statements.entries()) {
        let name = this.named ? statementName(text) : '';
        const bound = name !== '' && (session.known.has(name) || this.parsing.includes(name));
        // Another batch is preparing it and may not have been answered: an unnamed copy meanwhile.
        if (!bound && session.preparing.has(name)) name = '';
        if (!bound && session.uncertain.delete(name)) connection.close({ type: 'S', name });
        if (!bound) connection.parse({ text, name });
        if (!bound && name) session.preparing.set(name, this);
        this.parsing.push(!bound && name ? name : null);
        this.bound.push(name);
        connection.bind({ statement: name, values: bindings[i] });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
        this.results.push({ rows: [] });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
      this.texts = this.statements.map((statement) => statement.text);
      this.statements = [];
    }
    return null;
  }

  handleRowDescription(message: { fields: FieldDescription[] }): void {
    const text = this.texts[this.current];
    if (text !== undefined) this.reader = rowReader(text, message.fields);
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    const result = this.results[this.current];
    if (!result || !this.reader || this.failed) return;
    try {
      result.rows.push(readRow(this.reader, message.fields));
    } catch (error) {
      this.failed = error as Error;
    }
  }

  handleCommandComplete(): void {
    this.reader = undefined;
    this.current++;
  }

  handleEmptyQuery(): void {
    this.reader = undefined;
    this.current++;
  }

  handleError(error: Error): void {
    const session = this.session;
    if (!this.settled && session) {
      this.settled = true;
      // An error PostgreSQL sent: it ran the statements before the failed one (their Parse included) and
      // skipped the rest; the failed one's Parse may or may not have happened. Any other error (a
      // timeout, a lost connection): it may have run any of them (PGlite's one session goes on running
      // what it was sent), so each is closed before it is parsed again.
      const fromServer = error instanceof DatabaseError;
      this.parsing.forEach((name, i) => {
        if (!name) return;
        this.release(session, name);
        if (i < this.current) session.known.add(name);
        else if (i === this.current || !fromServer) session.uncertain.add(name);
      });
      // A statement bound as prepared that the session does not have: parsed (after a Close) next time.
      const missing = this.bound[this.current];
      if (fromServer && error.code === '26000' && missing) {
        session.known.delete(missing);
        session.uncertain.add(missing);
      }
    }
    const callback = this.callback;
    this.callback = undefined;
    callback?.(error);
  }

  handleReadyForQuery(): void {
    const session = this.session;
    // After an error, ReadyForQuery ends the batch: what ran is already taken in (handleError).
    if (!this.settled && session) {
      this.settled = true;
      for (const name of this.parsing) {
        if (!name) continue;
        this.release(session, name);
        session.known.add(name);
      }
    }
    const callback = this.callback;
    this.callback = undefined;
    if (this.failed) callback?.(this.failed);
    else callback?.(null, this.results);
  }

  /** This batch no longer prepares `name` (another batch may since have started to). */
  private release(session: Session, name: string): void {
    if (session.preparing.get(name) === this) session.preparing.delete(name);
  }

  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}
}
