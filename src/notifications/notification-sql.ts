import { prepareValue } from '../database/statement-batch';
import type { ChangeStep } from './change-plan';
import { LifecycleRow } from './notification-state';

// The SQL of a lifecycle step's writes, in one place for the repositories that write notifications.

// Every column a lifecycle step writes: name, LifecycleRow field, cast for its parameter, and whether a
// new revision rewrites it. duplicate_count and version also move with duplicates and API changes, so a
// revision increments version instead of overwriting it.
const COLUMNS: readonly (readonly [string, keyof LifecycleRow, string, boolean])[] = [
  ['id', 'id', '::uuid', false],
  ['source', 'source', '', false],
  ['source_instance', 'sourceInstance', '', false],
  ['external_id', 'externalId', '', false],
  ['status', 'status', '', true],
  ['severity', 'severity', '', true],
  ['source_state', 'sourceState', '', true],
  ['title', 'title', '', true],
  ['message', 'message', '', true],
  ['component', 'component', '::jsonb', true],
  ['host', 'host', '', true],
  ['tags', 'tags', '::jsonb', true],
  ['metadata', 'metadata', '::jsonb', true],
  ['links', 'links', '::jsonb', true],
  ['revision', 'revision', '', true],
  ['opened_at', 'openedAt', '::timestamptz', false],
  ['updated_at', 'updatedAt', '::timestamptz', true],
  ['closed_at', 'closedAt', '::timestamptz', true],
  ['close_reason', 'closeReason', '', true],
  ['last_seen_at', 'lastSeenAt', '::timestamptz', true],
  ['duplicate_count', 'duplicateCount', '', false],
  ['source_time', 'sourceTime', '::timestamptz', true],
  ['version', 'version', '', false],
];
const REVISED = COLUMNS.filter(([, , , revised]) => revised);

/** The select list that reads a notification as a LifecycleRow. */
export const LIFECYCLE_COLUMNS = COLUMNS.map(([column, field]) =>
  column === field ? column : `${column} AS "${field}"`,
).join(', ');

/** Every id's advisory lock ($1: their lockKeys), taken in hash order so two transactions never deadlock. */
export const LOCK_IDS = `SELECT pg_advisory_xact_lock(h) FROM (
    SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY h
  ) AS ordered`;

/**
 * The newest notification of each (source, externalId) in one statement ($1: sources, $2: external ids,
 * in pairs): one row per pair, in the arrays' order, all columns null (`id` too) for a pair with none.
 * By position, not by comparing ids: a string PostgreSQL stores differently than JS holds it (an
 * unpaired surrogate becomes U+FFFD) still finds its row.
 *
 * One plan only: the index on (external_id, opened_at, id) finds the id's rows already in the order
 * wanted, and `source` is compared as an expression (`source || ''`) so that no index led by source can
 * serve instead. Without statistics (before autovacuum's first ANALYZE, or never where it is off)
 * PostgreSQL weighs both columns alike, and a prepared statement planned while the table was nearly
 * empty kept a backward scan of (source, opened_at, id) that read every notification of the source for
 * each id: PostgreSQL's CPU per message grew with the table, 2.6-3.7x within a minute (docs/design-notes.md,
 * "Phase 10"). The read goes through every notification of the external id, newest first, until one is
 * the source's: cheap while ids are rarely shared between sources (UUIDs, fingerprints, dedup keys).
 */
export const READ_LATEST_MANY = `SELECT n.*
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(k_source, k_external_id, i)
  LEFT JOIN LATERAL (
    SELECT ${LIFECYCLE_COLUMNS} FROM notifications
     WHERE external_id = k.k_external_id AND (source || '') = k.k_source
     ORDER BY opened_at DESC, id DESC LIMIT 1
  ) AS n ON true
  ORDER BY k.i`;

export const READ_BY_ID = `SELECT ${LIFECYCLE_COLUMNS} FROM notifications WHERE id = $1::uuid`;

export const INSERT_NOTIFICATION = `INSERT INTO notifications (${COLUMNS.map(([column]) => column).join(', ')})
  VALUES (${COLUMNS.map(([, , cast], i) => `$${i + 1}${cast}`).join(', ')})`;

export const UPDATE_NOTIFICATION = `UPDATE notifications
  SET ${REVISED.map(([column, , cast], i) => `${column} = $${i + 2}${cast}`).join(', ')}, version = version + 1
  WHERE id = $1::uuid`;

export const NOTIFICATION_SEEN = `UPDATE notifications
  SET last_seen_at = $2::timestamptz, duplicate_count = duplicate_count + 1, version = version + 1
  WHERE id = $1::uuid`;

/**
 * Events in one statement: $1 is a JSON array of `eventJson` objects, inserted in array order (their
 * `sequence`, the order of one notification's events, follows it). Fields read with `->`, so a payload
 * that is JSON `null` stays jsonb `null` (jsonb_to_recordset would make it SQL NULL).
 */
export const INSERT_EVENTS = `INSERT INTO notification_events
  (notification_id, type, revision, received_at, source_time, payload, details)
  SELECT (e.x->>'notification_id')::uuid, e.x->>'type', (e.x->>'revision')::int,
         (e.x->>'received_at')::timestamptz, (e.x->>'source_time')::timestamptz, e.x->'payload', e.x->'details'
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, i)
   ORDER BY e.i`;

/**
 * INSERT_EVENTS' parameters for `events` (eventJson texts, in order): one array of up to `maxChars`
 * characters each (an event longer than that goes alone), so that no statement nears jsonb's 256 MB or
 * V8's string limit, whatever one request holds (each of Alertmanager's alerts carries most of its body).
 */
export function eventArrays(events: readonly string[], maxChars = 4 * 1024 * 1024): string[] {
  const arrays: string[] = [];
  for (let start = 0; start < events.length;) {
    let end = start + 1;
    for (let chars = events[start].length; end < events.length; end++) {
      chars += events[end].length;
      if (chars > maxChars) break;
    }
    arrays.push(`[${events.slice(start, end).join(',')}]`);
    start = end;
  }
  return arrays;
}

/** One element of INSERT_EVENTS' array. */
export function eventJson(notificationId: string, event: NonNullable<ChangeStep['event']>, revision: number): string {
  return JSON.stringify({
    notification_id: notificationId,
    type: event.type,
    revision,
    received_at: prepareValue(event.receivedAt),
    source_time: prepareValue(event.sourceTime),
    payload: event.payload,
    details: event.details,
  });
}

export function insertParams(row: LifecycleRow): unknown[] {
  return COLUMNS.map(([, field, cast]) => columnValue(row, field, cast));
}

export function updateParams(row: LifecycleRow): unknown[] {
  return [row.id, ...REVISED.map(([, field, cast]) => columnValue(row, field, cast))];
}

function columnValue(row: LifecycleRow, field: keyof LifecycleRow, cast: string): unknown {
  return cast === '::jsonb' ? jsonOrNull(row[field]) : row[field];
}

export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/**
 * The advisory lock key of one (source, externalId). Every write to a notification takes it first,
 * before its transaction writes anything: the xid a transaction gets at its first write then orders
 * that id's events as they commit (the change feed's order).
 */
export function lockKey(source: string, externalId: string): string {
  return `${source}\n${externalId}`;
}

// The text the `q` filter searches; the same expression as the notifications_search_idx index. Capped
// so that no title or message overflows a tsvector (1 MB): search covers their first 10,000 and
// 100,000 characters.
export const SEARCH_DOCUMENT = `to_tsvector('simple', left(n.title, 10000) || ' ' || left(coalesce(n.message, ''), 100000))`;
