import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DatabaseError, PoolClient, QueryResult } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { DeliveryEnqueuer } from '../delivery/delivery-enqueuer';

import { MetricsService } from '../metrics/metrics.service';
import { AlertSignal } from '../domain/alert-signal';
import { Decision, LifecycleState } from './lifecycle';
import { NotificationEventEntity, NotificationEventType } from './notification-event.entity';
import { NotificationEntity } from './notification.entity';
import { toNotification } from './notification-mapper';
import { createdState, LifecycleRow, nextState } from './notification-state';
import { GroupCommit, Pending } from '../database/group-commit';
import { nulCharacterError, SqlBatch } from '../database/sql-batch';
import { DatabaseBusyError, isDatabaseUnavailable } from '../common/database-errors';
import { DeliveryKind, NotificationStatus } from '../domain/notification';

export interface ApplyOutcome {
  decision: Decision;
  notificationId: string | null;
  revision: number | null;
}

export interface ApplyOptions {
  /** Apply to this notification instead of the newest one of the signal's (source, externalId). */
  notificationId?: string;
  /** Runs under the lock before anything is decided; throws to refuse (e.g. a stale If-Match). */
  precheck?: (row: { status: NotificationStatus; version: number } | null) => void;
  /** Merged into the event's details (who closed by hand). */
  details?: Record<string, unknown>;
}

export interface ApplyJob {
  signal: AlertSignal;
  decide: (latest: LifecycleState | null) => Decision;
  now: Date;
  options: ApplyOptions;
}

// Group commit: how many signals share one transaction at most. Groups only form while every
// transaction slot is busy, so this bounds how long the lock of a busy id is held, not the latency.
const MAX_GROUP = 32;
const INGEST_SLOTS = 2;
const MAX_WAIT_MS = 5000;

export interface NotificationListQuery {
  status?: NotificationStatus;
  source?: string;
  severity?: string;
  tags?: string[];
  externalId?: string;
  q?: string;
  openedAfter?: Date;
  openedBefore?: Date;
  updatedAfter?: Date;
  direction: 'ASC' | 'DESC';
  after?: { openedAt: Date; id: string };
  limit: number;
}

/** A change through the API that is not a lifecycle step: no new revision, nothing delivered. */
export interface NotificationChange {
  acknowledgement: NotificationEntity['acknowledgement'];
  externalRefs: NotificationEntity['externalRefs'];
  event: { type: NotificationEventType; payload: unknown; details: Record<string, unknown> };
}

// The text the `q` filter searches; the same expression as the notifications_search_idx index.
export const SEARCH_DOCUMENT = `to_tsvector('simple', n.title || ' ' || coalesce(n.message, ''))`;

/** The only code that talks to the notifications tables. */
@Injectable()
export class NotificationsRepository {
  readonly groupCommit: GroupCommit<ApplyJob, ApplyOutcome>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryEnqueuer,
    private readonly metrics: MetricsService,
  ) {
    // Two ingest transactions at once (fewer if the pool is tiny): one can commit while the next group
    // waits for its locks, and the rest of the pool stays free for delivery workers and the API. More
    // slots make smaller groups, which cost PostgreSQL more per message (bench:ingest: 15 messages per
    // transaction with one slot, 7 with two, 3 with five, at 0.65, 0.75 and 0.9 ms of its CPU each).
    const poolSize = Number((dataSource.options as { extra?: { max?: number } }).extra?.max ?? 10);
    this.groupCommit = new GroupCommit({
      maxInFlight: Math.max(1, Math.min(INGEST_SLOTS, Math.floor(poolSize / 2))),
      maxBatch: MAX_GROUP,
      // As long as the pool waits for a connection: past that the producer gets a 503 and retries.
      maxWaitMs: MAX_WAIT_MS,
      tooLong: (waitedMs) => new DatabaseBusyError(waitedMs),
      run: (group) => this.applyGroup(group),
    });
  }

  /**
   * Applies one signal in one transaction: takes a per-(source, externalId) lock so concurrent
   * messages for one id serialise, reads the newest notification for it, lets `decide` pick the
   * lifecycle step, and writes that step, its event and its deliveries (the outbox). Nothing is
   * visible before the commit; the partial unique index on open notifications backs the lock up. A
   * close for an id never seen is recorded but not delivered: nobody was told it opened.
   *
   * Two round trips, because on the hot ingest path round trips are the cost: BEGIN, the lock and the
   * read go in one batch; the writes go with the COMMIT (see SqlBatch). Each statement of a batch gets
   * its own snapshot, so the read sees whatever committed before the lock was granted. The lock comes
   * before any write, so the transaction id (the change feed's order) is drawn under it.
   *
   * Signals that arrive while the database is busy share a transaction (group commit, `applyGroup`);
   * the result each caller sees is the same as if its signal had been applied alone.
   */
  apply(
    signal: AlertSignal,
    decide: (latest: LifecycleState | null) => Decision,
    now: Date,
    options: ApplyOptions = {},
  ): Promise<ApplyOutcome> {
    // The lock key and the read carry these as literals, and a NUL would cut the query text short.
    if (hasNul(signal.source) || hasNul(signal.externalId) || hasNul(options.notificationId ?? '')) {
      return Promise.reject(nulCharacterError());
    }
    const job = { signal, decide, now, options };
    const plain = options.notificationId === undefined && !options.precheck && !options.details;
    return plain ? this.groupCommit.submit(job) : this.applyAlone(job);
  }

  private async applyAlone({ signal, decide, now, options }: ApplyJob): Promise<ApplyOutcome> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      const key = client.escapeLiteral(lockKey(signal.source, signal.externalId));
      const which = options.notificationId
        ? `id = ${client.escapeLiteral(options.notificationId)}`
        : `source = ${client.escapeLiteral(signal.source)} AND external_id = ${client.escapeLiteral(signal.externalId)}
           ORDER BY opened_at DESC, id DESC LIMIT 1`;
      const read = (await client.query(
        `BEGIN;
         SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0));
         SELECT ${LIFECYCLE_COLUMNS} FROM notifications WHERE ${which}`,
      )) as unknown as QueryResult<LifecycleRow>[];
      const latest = read[2].rows[0] ?? null;
      options.precheck?.(latest && { status: latest.status, version: latest.version });
      const batch = new SqlBatch(client);
      const step = this.write(batch, signal, latest, decide(latest), now, options.details ?? {});
      await batch.commit();
      if (step.delivers) this.deliveries.committed();
      return step.outcome;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * Applies a group of signals in one transaction, still in two round trips: BEGIN, every id's lock (in
   * one order, so two groups never deadlock) and every id's newest notification; then all the writes
   * with the COMMIT. The steps are decided in arrival order, each on the row the previous step for its
   * id left, so two signals for one id in a group come out as they would one after the other.
   *
   * A signal whose writes cannot be built (a NUL in a value) fails alone. When PostgreSQL refuses a
   * statement, the whole transaction is rolled back and every signal is applied again on its own, in
   * order, so the one at fault gets its error and nothing else does.
   */
  private async applyGroup(group: Pending<ApplyJob, ApplyOutcome>[]): Promise<void> {
    this.metrics.ingestGroupSize.observe(group.length);
    if (group.length === 1) {
      group[0].resolve(await this.applyAlone(group[0].job));
      return;
    }
    const ids = new Map<string, AlertSignal>();
    for (const { job } of group) ids.set(lockKey(job.signal.source, job.signal.externalId), job.signal);
    const failed = new Set<Pending<ApplyJob, ApplyOutcome>>();
    const planned: { pending: Pending<ApplyJob, ApplyOutcome>; outcome: ApplyOutcome }[] = [];
    let delivers = false;
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      const keys = [...ids.keys()].map((key) => client.escapeLiteral(key));
      const reads = [...ids.values()].map(
        (s) => `SELECT ${LIFECYCLE_COLUMNS} FROM notifications
                 WHERE source = ${client.escapeLiteral(s.source)} AND external_id = ${client.escapeLiteral(s.externalId)}
                 ORDER BY opened_at DESC, id DESC LIMIT 1`,
      );
      const read = (await client.query(
        [
          'BEGIN',
          `SELECT pg_advisory_xact_lock(h) FROM (
             SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest(ARRAY[${keys.join(', ')}]::text[]) AS k ORDER BY h
           ) AS ordered`,
          ...reads,
        ].join(';\n'),
      )) as unknown as QueryResult<LifecycleRow>[];
      const latest = new Map<string, LifecycleRow | null>();
      [...ids.keys()].forEach((key, i) => latest.set(key, read[2 + i].rows[0] ?? null));

      const batch = new SqlBatch(client);
      for (const pending of group) {
        const { signal, decide, now } = pending.job;
        const key = lockKey(signal.source, signal.externalId);
        const mark = batch.size;
        try {
          const current = latest.get(key) ?? null;
          const step = this.write(batch, signal, current, decide(current), now, {});
          latest.set(key, step.row);
          planned.push({ pending, outcome: step.outcome });
          delivers ||= step.delivers;
        } catch (error) {
          batch.truncate(mark);
          failed.add(pending);
          pending.reject(error);
        }
      }
      await batch.commit();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      await runner.release().catch(() => undefined);
      // The database is gone: the signals waiting for the next group would only wait to fail the same way.
      if (isDatabaseUnavailable(error)) this.groupCommit.failWaiting(error);
      // Anything but a value or a conflict PostgreSQL refused (a timeout, a broken connection) would fail
      // one at a time as well: GroupCommit rejects every signal still unsettled with this error.
      if (!isRetryableAlone(error)) throw error;
      this.metrics.ingestGroupRetries.inc();
      for (const pending of group) {
        if (failed.has(pending)) continue;
        await this.applyAlone(pending.job).then(
          (outcome) => pending.resolve(outcome),
          (error: unknown) => pending.reject(error),
        );
      }
      return;
    }
    if (delivers) this.deliveries.committed();
    for (const { pending, outcome } of planned) pending.resolve(outcome);
    await runner.release().catch(() => undefined);
  }

  /**
   * Adds the decided step's writes to the batch; returns the outcome, the row as the step leaves it
   * (null when there still is none), which the next step for the same id in a group starts from, and
   * whether it wrote deliveries (the workers are woken after the commit).
   */
  private write(
    batch: SqlBatch,
    signal: AlertSignal,
    latest: LifecycleRow | null,
    decision: Decision,
    now: Date,
    closeDetails: Record<string, unknown>,
  ): { outcome: ApplyOutcome; row: LifecycleRow | null; delivers: boolean } {
    // update, close and duplicate are only ever decided on an existing notification.
    const existing = (): LifecycleRow => {
      if (!latest) throw new Error(`lifecycle decided to change a notification that does not exist`);
      return latest;
    };
    const created = (status: NotificationStatus, details: Record<string, unknown>, deliver: DeliveryKind | null) => {
      const row = createdState(randomUUID(), signal, status, now);
      batch.add(INSERT_NOTIFICATION, insertParams(row));
      this.addEvent(batch, row, status === 'open' ? 'opened' : 'closed', signal, now, details);
      const delivers = deliver !== null && this.deliver(batch, row, deliver);
      return { outcome: { decision, notificationId: row.id, revision: row.revision }, row, delivers };
    };
    const revised = (closing: boolean, details: Record<string, unknown>) => {
      const row = nextState(existing(), signal, closing, now);
      batch.add(UPDATE_NOTIFICATION, updateParams(row));
      this.addEvent(batch, row, closing ? 'closed' : 'updated', signal, now, details);
      const delivers = this.deliver(batch, row, closing ? 'resolved' : 'updated');
      return { outcome: { decision, notificationId: row.id, revision: row.revision }, row, delivers };
    };
    switch (decision.kind) {
      case 'stale': {
        const outcome = { decision, notificationId: latest?.id ?? null, revision: latest?.revision ?? null };
        return { outcome, row: latest, delivers: false };
      }
      case 'duplicate': {
        const row = existing();
        batch.add(
          `UPDATE notifications SET last_seen_at = $2, duplicate_count = duplicate_count + 1, version = version + 1
            WHERE id = $1`,
          [row.id, now],
        );
        const outcome = { decision, notificationId: row.id, revision: row.revision };
        return {
          outcome,
          row: { ...row, lastSeenAt: now, duplicateCount: row.duplicateCount + 1, version: row.version + 1 },
          delivers: false,
        };
      }
      case 'open':
        return created('open', {}, 'opened');
      case 'record-close':
        return created('closed', { note: 'close for an id that was never open' }, null);
      case 'one-shot':
        // Recorded closed, but people still need to see it once: delivered as an open.
        return created('closed', { note: 'one-shot: a message that opens nothing, recorded closed' }, 'opened');
      case 'update':
        return revised(false, { changed: decision.changed });
      case 'close':
        return revised(true, closeDetails);
    }
  }

  /** The outbox rows of a new revision, in the same COMMIT batch; false when nothing can be routed. */
  private deliver(batch: SqlBatch, row: LifecycleRow, kind: DeliveryKind): boolean {
    const statement = this.deliveries.plan(row, kind, () =>
      toNotification({ ...row, acknowledgement: null, externalRefs: [] }),
    );
    if (!statement) return false;
    batch.add(statement.sql, statement.params);
    return true;
  }

  private addEvent(
    batch: SqlBatch,
    row: LifecycleRow,
    type: NotificationEventType,
    signal: AlertSignal,
    now: Date,
    details: Record<string, unknown>,
  ): void {
    batch.add(
      `INSERT INTO notification_events (notification_id, type, revision, received_at, source_time, payload, details)
       VALUES ($1::uuid, $2, $3, $4::timestamptz, $5::timestamptz, $6::jsonb, $7::jsonb)`,
      [row.id, type, row.revision, now, signal.sourceTime, JSON.stringify(signal.payload), JSON.stringify(details)],
    );
  }

  findById(id: string): Promise<NotificationEntity | null> {
    return this.dataSource.getRepository(NotificationEntity).findOneBy({ id });
  }

  list(query: NotificationListQuery): Promise<NotificationEntity[]> {
    const qb = this.dataSource.getRepository(NotificationEntity).createQueryBuilder('n');
    if (query.status) qb.andWhere('n.status = :status', { status: query.status });
    if (query.source) qb.andWhere('n.source = :source', { source: query.source });
    if (query.severity) qb.andWhere('n.severity = :severity', { severity: query.severity });
    // jsonb containment: served by the GIN index on tags.
    if (query.tags?.length) qb.andWhere('n.tags @> CAST(:tags AS jsonb)', { tags: JSON.stringify(query.tags) });
    if (query.externalId) qb.andWhere('n.external_id = :externalId', { externalId: query.externalId });
    if (query.q) qb.andWhere(`${SEARCH_DOCUMENT} @@ websearch_to_tsquery('simple', :q)`, { q: query.q });
    if (query.openedAfter) qb.andWhere('n.opened_at >= :openedAfter', { openedAfter: query.openedAfter });
    if (query.openedBefore) qb.andWhere('n.opened_at < :openedBefore', { openedBefore: query.openedBefore });
    if (query.updatedAfter) qb.andWhere('n.updated_at >= :updatedAfter', { updatedAfter: query.updatedAfter });
    if (query.after) {
      const op = query.direction === 'DESC' ? '<' : '>';
      qb.andWhere(`(n.opened_at, n.id) ${op} (:openedAt, :id)`, { openedAt: query.after.openedAt, id: query.after.id });
    }
    return qb.orderBy('n.opened_at', query.direction).addOrderBy('n.id', query.direction).limit(query.limit).getMany();
  }

  /**
   * Changes a notification's API-owned fields (acknowledgement, external refs) and records the event, in
   * one transaction under the same per-(source, externalId) lock as `apply`, so one notification's events
   * commit in the order of their transactions. `change` sees the row as locked; it returns null for "no
   * change" (nothing written) or throws to refuse. Resolves to false when there is no such notification.
   */
  change(id: string, now: Date, change: (current: NotificationEntity) => NotificationChange | null): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const keys: { source: string; external_id: string }[] = await tx.query(
        'SELECT source, external_id FROM notifications WHERE id = $1',
        [id],
      );
      if (keys.length === 0) return false;
      await lockExternalId(tx, keys[0].source, keys[0].external_id);
      const current = await tx.getRepository(NotificationEntity).findOneByOrFail({ id });
      const next = change(current);
      if (next === null) return true;
      await tx.query(
        `WITH n AS (
           UPDATE notifications SET acknowledgement = $2, external_refs = $3, version = version + 1 WHERE id = $1
           RETURNING id, revision
         )
         INSERT INTO notification_events (notification_id, type, revision, received_at, source_time, payload, details)
         SELECT id, $4, revision, $5, NULL, $6, $7 FROM n`,
        [
          id,
          jsonOrNull(next.acknowledgement),
          JSON.stringify(next.externalRefs),
          next.event.type,
          now,
          JSON.stringify(next.event.payload),
          JSON.stringify(next.event.details),
        ],
      );
      return true;
    });
  }

  listEvents(notificationId: string): Promise<NotificationEventEntity[]> {
    return this.dataSource.getRepository(NotificationEventEntity).find({
      where: { notificationId },
      order: { sequence: 'ASC' },
    });
  }
}

// Every write to one (source, externalId) takes this lock first, before its transaction writes anything:
// the xid a transaction gets at its first write then orders that id's events as they commit.
async function lockExternalId(tx: EntityManager, source: string, externalId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey(source, externalId)]);
}

/**
 * A group PostgreSQL refused because of one signal's value (class 22), a constraint (23) or a conflict
 * with another transaction (40: deadlock, serialization): applied one by one, only that one fails.
 */
function isRetryableAlone(error: unknown): boolean {
  return error instanceof DatabaseError && /^(22|23|40)/.test(error.code ?? '');
}

function hasNul(value: string): boolean {
  return value.includes('\u0000');
}

/** The advisory lock key of one (source, externalId); `apply` and `change` must agree on it. */
function lockKey(source: string, externalId: string): string {
  return `${source}\n${externalId}`;
}

// Every column a lifecycle step writes: name, LifecycleRow field, cast for the inlined literal (SqlBatch),
// and whether a new revision rewrites it. duplicate_count and version also move with duplicates and API
// changes, so a revision increments version instead of overwriting it.
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

const LIFECYCLE_COLUMNS = COLUMNS.map(([column, field]) =>
  column === field ? column : `${column} AS "${field}"`,
).join(', ');

const INSERT_NOTIFICATION = `INSERT INTO notifications (${COLUMNS.map(([column]) => column).join(', ')})
  VALUES (${COLUMNS.map(([, , cast], i) => `$${i + 1}${cast}`).join(', ')})`;

const UPDATE_NOTIFICATION = `UPDATE notifications
  SET ${REVISED.map(([column, , cast], i) => `${column} = $${i + 2}${cast}`).join(', ')}, version = version + 1
  WHERE id = $1::uuid`;

function insertParams(row: LifecycleRow): unknown[] {
  return COLUMNS.map(([, field, cast]) => columnValue(row, field, cast));
}

function updateParams(row: LifecycleRow): unknown[] {
  return [row.id, ...REVISED.map(([, field, cast]) => columnValue(row, field, cast))];
}

function columnValue(row: LifecycleRow, field: keyof LifecycleRow, cast: string): unknown {
  return cast === '::jsonb' ? jsonOrNull(row[field]) : row[field];
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
