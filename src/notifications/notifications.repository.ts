import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PoolClient, QueryResult } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { DeliveryEnqueuer } from '../delivery/delivery-enqueuer';
import { DeliveryKind } from '../delivery/delivery.entity';
import { AlertSignal } from './alert-signal';
import { Decision, LifecycleState } from './lifecycle';
import { NotificationEventEntity, NotificationEventType } from './notification-event.entity';
import { NotificationEntity } from './notification.entity';
import { toNotification } from './notification-mapper';

export interface ApplyOutcome {
  decision: Decision;
  notificationId: string | null;
  revision: number | null;
  /** Deliveries written with the change (the outbox). */
  enqueued: number;
}

interface LatestRow {
  id: string;
  status: 'open' | 'closed';
  source_state: string;
  title: string;
  source_time: Date | null;
  revision: number;
  version: number;
}

export interface ApplyOptions {
  /** Apply to this notification instead of the newest one of the signal's (source, externalId). */
  notificationId?: string;
  /** Runs under the lock before anything is decided; throws to refuse (e.g. a stale If-Match). */
  precheck?: (row: { status: 'open' | 'closed'; version: number } | null) => void;
  /** Merged into the event's details (who closed by hand). */
  details?: Record<string, unknown>;
}

export interface NotificationListQuery {
  status?: 'open' | 'closed';
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
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryEnqueuer,
  ) {}

  /**
   * Applies one signal in one transaction: takes a per-(source, externalId) lock so concurrent
   * messages for one id serialise, reads the newest notification for it, lets `decide` pick the
   * lifecycle step, and writes that step, its event and its deliveries (the outbox). Nothing is
   * visible before the commit; the partial unique index on open notifications backs the lock up. A
   * close for an id never seen is recorded but not delivered: nobody was told it opened.
   */
  async apply(
    signal: AlertSignal,
    decide: (latest: LifecycleState | null) => Decision,
    now: Date,
    options: ApplyOptions = {},
  ): Promise<ApplyOutcome> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      // One round trip opens the transaction, takes the per-id lock and reads the notification: on the
      // hot ingest path round trips are the cost. The values are escaped literals (the simple protocol
      // has no parameters); each statement of the batch gets its own snapshot, so the read sees whatever
      // committed before the lock was granted. The lock comes before any write, so the transaction id
      // (the change feed's order) is drawn under it.
      const key = client.escapeLiteral(`${signal.source}\n${signal.externalId}`);
      const which = options.notificationId
        ? `id = ${client.escapeLiteral(options.notificationId)}`
        : `source = ${client.escapeLiteral(signal.source)} AND external_id = ${client.escapeLiteral(signal.externalId)}
           ORDER BY opened_at DESC, id DESC LIMIT 1`;
      const batch = (await client.query(
        `BEGIN;
         SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0));
         SELECT id, status, source_state, title, source_time, revision, version FROM notifications WHERE ${which}`,
      )) as unknown as QueryResult<LatestRow>[];
      const latest = batch[2].rows[0] ?? null;
      options.precheck?.(latest && { status: latest.status, version: latest.version });
      const outcome = await this.write(runner.manager, signal, latest, decide, now, options.details ?? {});
      await client.query('COMMIT');
      return outcome;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async write(
    tx: EntityManager,
    signal: AlertSignal,
    latest: LatestRow | null,
    decide: (latest: LifecycleState | null) => Decision,
    now: Date,
    closeDetails: Record<string, unknown>,
  ): Promise<ApplyOutcome> {
    // update, close and duplicate are only ever decided on an existing notification.
    const existing = (): LatestRow => {
      if (!latest) throw new Error(`lifecycle decided to change a notification that does not exist`);
      return latest;
    };
    {
      const decision = decide(
        latest && {
          status: latest.status,
          sourceState: latest.source_state,
          title: latest.title,
          sourceTime: latest.source_time,
        },
      );
      switch (decision.kind) {
        case 'stale':
          return { decision, notificationId: latest?.id ?? null, revision: latest?.revision ?? null, enqueued: 0 };
        case 'duplicate':
          await tx.query(
            `UPDATE notifications SET last_seen_at = $2, duplicate_count = duplicate_count + 1, version = version + 1
              WHERE id = $1`,
            [existing().id, now],
          );
          return { decision, notificationId: existing().id, revision: existing().revision, enqueued: 0 };
        case 'open':
          return this.deliver(tx, decision, await this.insert(tx, signal, 'open', now, 'opened', {}), 'opened');
        case 'record-close':
          return {
            decision,
            ...withoutRow(
              await this.insert(tx, signal, 'closed', now, 'closed', {
                note: 'close for an id that was never open',
              }),
            ),
            enqueued: 0,
          };
        case 'one-shot':
          // Recorded closed, but people still need to see it once: delivered as an open.
          return this.deliver(
            tx,
            decision,
            await this.insert(tx, signal, 'closed', now, 'closed', {
              note: 'one-shot: a message that opens nothing, recorded closed',
            }),
            'opened',
          );
        case 'update':
          return this.deliver(
            tx,
            decision,
            await this.update(tx, existing().id, signal, now, 'updated', { changed: decision.changed }),
            'updated',
          );
        case 'close':
          return this.deliver(
            tx,
            decision,
            await this.update(tx, existing().id, signal, now, 'closed', closeDetails),
            'resolved',
          );
      }
    }
  }

  /** The outbox rows of a new revision, in the same transaction. */
  private async deliver(
    tx: EntityManager,
    decision: Decision,
    written: Written,
    kind: DeliveryKind,
  ): Promise<ApplyOutcome> {
    const enqueued = await this.deliveries.enqueue(tx, toNotification(fromRow(written.row)), kind);
    return { decision, notificationId: written.notificationId, revision: written.revision, enqueued };
  }

  private async insert(
    tx: EntityManager,
    signal: AlertSignal,
    status: 'open' | 'closed',
    now: Date,
    eventType: NotificationEventType,
    details: Record<string, unknown>,
  ): Promise<Written> {
    const rows: NotificationRow[] = await tx.query(
      `WITH n AS (
         INSERT INTO notifications (source, source_instance, external_id, status, severity, source_state, title,
           message, component, host, tags, metadata, links, revision, opened_at, updated_at, closed_at,
           close_reason, last_seen_at, duplicate_count, source_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14,
           $20, $15, $14, 0, $16)
         RETURNING *
       ), e AS (
         INSERT INTO notification_events (notification_id, type, revision, received_at, source_time, payload, details)
         SELECT id, $17, revision, $14, $16, $18, $19 FROM n
       )
       SELECT * FROM n`,
      [
        signal.source,
        signal.sourceInstance,
        signal.externalId,
        status,
        signal.severity,
        signal.sourceState,
        signal.title,
        signal.message,
        jsonOrNull(signal.component),
        signal.host,
        JSON.stringify(signal.tags),
        JSON.stringify(signal.metadata),
        JSON.stringify(signal.links),
        now,
        status === 'closed' ? signal.closeReason : null,
        signal.sourceTime,
        eventType,
        JSON.stringify(signal.payload),
        JSON.stringify(details),
        status === 'closed' ? now : null,
      ],
    );
    return { notificationId: rows[0].id, revision: rows[0].revision, row: rows[0] };
  }

  /** A new revision of an open notification: an update refreshes what the source said, a close closes. */
  private async update(
    tx: EntityManager,
    id: string,
    signal: AlertSignal,
    now: Date,
    eventType: 'updated' | 'closed',
    details: Record<string, unknown>,
  ): Promise<Written> {
    const closing = eventType === 'closed';
    // A close (StackState's especially) says little beyond its reason: keep what the open said.
    const rows: NotificationRow[] = await tx.query(
      `WITH n AS (
         UPDATE notifications SET
           revision = revision + 1, version = version + 1, updated_at = $2, last_seen_at = $2,
           source_time = GREATEST(source_time, $3),
           status = CASE WHEN $4 THEN 'closed' ELSE status END,
           closed_at = CASE WHEN $4 THEN $2 ELSE closed_at END,
           close_reason = CASE WHEN $4 THEN $5 ELSE close_reason END,
           source_state = $6,
           severity = CASE WHEN $4 THEN severity ELSE $7 END,
           title = CASE WHEN $4 THEN title ELSE $8 END,
           message = CASE WHEN $4 THEN COALESCE($9, message) ELSE $9 END,
           component = COALESCE($10, component),
           host = COALESCE($11, host),
           tags = CASE WHEN $4 THEN tags ELSE $12 END,
           metadata = CASE WHEN $4 THEN metadata ELSE $13 END,
           links = CASE WHEN $4 THEN links ELSE $14 END
         WHERE id = $1
         RETURNING *
       ), e AS (
         INSERT INTO notification_events (notification_id, type, revision, received_at, source_time, payload, details)
         SELECT id, $15, revision, $2, $3, $16, $17 FROM n
       )
       SELECT * FROM n`,
      [
        id,
        now,
        signal.sourceTime,
        closing,
        signal.closeReason,
        signal.sourceState,
        signal.severity,
        signal.title,
        signal.message,
        jsonOrNull(signal.component),
        signal.host,
        JSON.stringify(signal.tags),
        JSON.stringify(signal.metadata),
        JSON.stringify(signal.links),
        eventType,
        JSON.stringify(signal.payload),
        JSON.stringify(details),
      ],
    );
    return { notificationId: rows[0].id, revision: rows[0].revision, row: rows[0] };
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

/** A notifications row as `RETURNING *` gives it (snake_case; jsonb parsed, timestamptz as Date). */
type NotificationRow = Record<string, unknown> & { id: string; revision: number };
type Written = { notificationId: string; revision: number; row: NotificationRow };

function withoutRow(written: Written): { notificationId: string; revision: number } {
  return { notificationId: written.notificationId, revision: written.revision };
}

/** The row as the entity, without another round trip to read it back. */
function fromRow(row: NotificationRow): NotificationEntity {
  return Object.assign(new NotificationEntity(), {
    id: row.id,
    source: row.source,
    sourceInstance: row.source_instance,
    externalId: row.external_id,
    status: row.status,
    severity: row.severity,
    sourceState: row.source_state,
    title: row.title,
    message: row.message,
    component: row.component,
    host: row.host,
    tags: row.tags,
    metadata: row.metadata,
    links: row.links,
    revision: row.revision,
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
    closeReason: row.close_reason,
    lastSeenAt: row.last_seen_at,
    duplicateCount: row.duplicate_count,
    sourceTime: row.source_time,
    externalRefs: row.external_refs,
    acknowledgement: row.acknowledgement,
    version: row.version,
  });
}

// Every write to one (source, externalId) takes this lock first, before its transaction writes anything:
// the xid a transaction gets at its first write then orders that id's events as they commit.
async function lockExternalId(tx: EntityManager, source: string, externalId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${source}\n${externalId}`]);
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
