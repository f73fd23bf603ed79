import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DatabaseError, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { DatabaseBusyError, isDatabaseUnavailable } from '../common/database-errors';
import { CommitSignals } from '../database/commit-signals';
import { DATABASE_TARGET, DatabaseTarget } from '../database/database-target';
import { GroupCommit, Pending } from '../database/group-commit';
import { nulCharacterError, sharedSessionOf, StatementBatch } from '../database/statement-batch';
import { OutboxPlan } from '../delivery/outbox-plan';
import { Acknowledgement, ExternalRef, NotificationEventType, NotificationSnapshot } from '../domain/notification';
import { MetricsService } from '../metrics/metrics.service';
import { AlertSignal } from '../domain/alert-signal';
import { ChangeStep } from './change-plan';
import { RepeatLedger } from './repeat-ledger';
import { NotificationEntity } from './notification.entity';
import { LifecycleRow } from './notification-state';
import {
  eventArrays,
  eventJson,
  INSERT_EVENTS,
  INSERT_NOTIFICATION,
  insertParams,
  jsonOrNull,
  lockKey,
  LOCK_IDS,
  NOTIFICATION_SEEN,
  READ_BY_ID,
  READ_LATEST_MANY,
  UPDATE_NOTIFICATION,
  updateParams,
} from './notification-sql';
import { DIGEST_GROUPS_INSERT, digestGroupsParams, OUTBOX_INSERT, outboxParams } from './outbox-sql';

/** What the lifecycle planned for one message, given the newest stored row of its id. */
export interface PlannedChange {
  step: ChangeStep;
  /** The deliveries of the new revision, and the notification they carry; null when nothing is told. */
  delivery: { plan: OutboxPlan; payload: NotificationSnapshot } | null;
}

/** One lifecycle message: the id it locks and reads, and how to plan its step once the row is read. */
export interface ChangeRequest {
  source: string;
  externalId: string;
  /** Read this notification instead of the newest one of (source, externalId) (a close by hand). */
  notificationId?: string;
  /** The source's message, when it is one (not a change by hand): its repeats may be answered from memory. */
  signal?: AlertSignal;
  /** Decides and plans on the row read under the lock; may throw to refuse (nothing is written). */
  plan: (latest: LifecycleRow | null) => PlannedChange;
}

/** A change through the API that is not a lifecycle step: no new revision, nothing delivered. */
export interface FieldsChange {
  acknowledgement: Acknowledgement | null;
  externalRefs: ExternalRef[];
  event: { type: NotificationEventType; payload: unknown; details: Record<string, unknown> };
}

// Group commit: how many messages share one transaction at most. Groups only form while every
// transaction slot is busy, so this bounds how long the lock of a busy id is held, not the latency.
const MAX_GROUP = 32;
const INGEST_SLOTS = 2;
// The second slot takes a group beside a running one only when half a group waits, or when the running
// one has taken this long (a lock held elsewhere, a slow disk): other ids are not held up behind it.
const BESIDE_AFTER_MS = 50;
// As long as the pool waits for a connection: past that the producer gets a 503 and retries.
const MAX_WAIT_MS = 5000;

/**
 * The one repository that writes notification changes: it owns the transaction, the per-id locks and
 * the batch. A change's notification row, its event and its outbox rows (deliveries) commit together,
 * so nothing acknowledged is lost and nothing is delivered that was not committed. What to write is
 * decided and planned by the lifecycle (`ChangeRequest.plan`) and arrives here as data.
 */
@Injectable()
export class ChangeRepository {
  readonly groupCommit: GroupCommit<ChangeRequest, PlannedChange>;
  // Statements are prepared once per session; the embedded database's connections share one (StatementBatch).
  private readonly session: object | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_TARGET) target: DatabaseTarget,
    private readonly signals: CommitSignals,
    private readonly metrics: MetricsService,
    private readonly ledger: RepeatLedger,
  ) {
    this.session = sharedSessionOf(target);
    // Two ingest transactions at once (fewer if the pool is tiny): one can commit while the next group
    // waits for its locks, and the rest of the pool stays free for delivery workers and the API. More
    // slots make smaller groups, which cost PostgreSQL more per message (bench:ingest: 15 messages per
    // transaction with one slot, 7 with two, 3 with five, at 0.65, 0.75 and 0.9 ms of its CPU each).
    // The second slot waits for half a group (or BESIDE_AFTER_MS): taking each message alone as it came,
    // it made two thirds of the transactions singles (bench:ab: 13.2 messages per transaction instead
    // of 8.2, 0.95x the service's CPU and 0.88x PostgreSQL's per message, 1.11x the rate).
    this.groupCommit = new GroupCommit({
      maxInFlight: Math.max(1, Math.min(INGEST_SLOTS, Math.floor(target.poolSize / 2))),
      maxBatch: MAX_GROUP,
      maxWaitMs: MAX_WAIT_MS,
      tooLong: (waitedMs) => new DatabaseBusyError(waitedMs),
      run: (group) => this.applyGroup(group),
      beside: { minBatch: MAX_GROUP / 2, afterMs: BESIDE_AFTER_MS },
    });
  }

  /**
   * Applies one message in one transaction: takes the per-(source, externalId) lock so concurrent
   * messages for one id serialise, reads the newest notification for it, lets the lifecycle plan the
   * step, and writes it. Nothing is visible before the commit; the partial unique index on open
   * notifications backs the lock up. Resolves with the plan once it is committed.
   *
   * Two round trips, because on the hot ingest path round trips are the cost: BEGIN, the lock and the
   * read go in one batch; the writes go with the COMMIT (StatementBatch). Each statement of a batch gets its
   * own snapshot, so the read sees whatever committed before the lock was granted. The lock comes
   * before any write, so the transaction id (the change feed's order) is drawn under it.
   *
   * Messages that arrive while the database is busy share a transaction (group commit, `applyGroup`);
   * the result each caller sees is the same as if its message had been applied alone.
   */
  apply(request: ChangeRequest): Promise<PlannedChange> {
    // PostgreSQL cannot store a NUL in text: refused before the message joins a group.
    if ([request.source, request.externalId, request.notificationId ?? ''].some(hasNul)) {
      return Promise.reject(nulCharacterError());
    }
    const key = lockKey(request.source, request.externalId);
    this.ledger.begin(key);
    const applied = request.notificationId === undefined ? this.groupCommit.submit(request) : this.applyAlone(request);
    return applied.finally(() => this.ledger.end(key));
  }

  /**
   * Applies the messages of one request (the alerts of one webhook) in one transaction: they go through
   * group commit as one group that is never split (other waiting messages may join it), so they take
   * their locks in one order, are read together, planned in order and committed with one COMMIT. Each
   * settles on its own, as a message of any group does (`applyGroup`): one whose writes cannot be built
   * fails alone; when PostgreSQL refuses a statement, the transaction is rolled back and every message
   * is applied again on its own, so only the one at fault fails and the others still commit.
   */
  applyAll(requests: readonly ChangeRequest[]): Promise<PromiseSettledResult<PlannedChange>[]> {
    const outcomes: Promise<PlannedChange>[] = new Array(requests.length);
    const together: number[] = [];
    requests.forEach((request, i) => {
      if (request.notificationId !== undefined) {
        outcomes[i] = Promise.reject(new Error('applyAll takes lifecycle messages, not changes of one notification'));
      } else if ([request.source, request.externalId].some(hasNul)) {
        outcomes[i] = Promise.reject(nulCharacterError());
      } else {
        together.push(i);
      }
    });
    const submitted = this.groupCommit.submitAll(together.map((i) => requests[i]));
    for (const [j, i] of together.entries()) {
      const key = lockKey(requests[i].source, requests[i].externalId);
      this.ledger.begin(key);
      outcomes[i] = submitted[j].finally(() => this.ledger.end(key));
    }
    return Promise.allSettled(outcomes);
  }

  private async applyAlone(request: ChangeRequest): Promise<PlannedChange> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      const [latest] = await this.lockAndRead(client, [request]);
      const planned = request.plan(latest);
      const batch = new StatementBatch(client, true, this.session);
      const events: string[] = [];
      this.write(batch, events, planned);
      this.writeTogether(batch, events.splice(0), [planned]);
      batch.add('COMMIT');
      await batch.run();
      this.committed([{ request, read: latest, change: planned }]);
      return planned;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * The first round trip of a change: BEGIN, the advisory lock of every id (in hash order, so that two
   * transactions never deadlock on them) and the newest notification of each request's id (one
   * statement for them all) or of the one it names. Resolves with each request's row, in order.
   */
  private async lockAndRead(client: PoolClient, requests: readonly ChangeRequest[]): Promise<(LifecycleRow | null)[]> {
    const batch = new StatementBatch(client, true, this.session);
    batch.add('BEGIN');
    batch.add(LOCK_IDS, [requests.map((r) => lockKey(r.source, r.externalId))]);
    const byKey = requests.filter((r) => r.notificationId === undefined);
    if (byKey.length > 0) batch.add(READ_LATEST_MANY, [byKey.map((r) => r.source), byKey.map((r) => r.externalId)]);
    const byId = requests.filter((r) => r.notificationId !== undefined);
    for (const r of byId) batch.add(READ_BY_ID, [r.notificationId]);
    const results = await batch.run();
    // One row per request, in order; an id without a notification reads as a row of nulls.
    const latest =
      byKey.length > 0 ? (results[2].rows as LifecycleRow[]).map((row) => (row.id === null ? null : row)) : [];
    const named = results.slice(byKey.length > 0 ? 3 : 2);
    let nextKey = 0;
    let nextNamed = 0;
    return requests.map((r) =>
      r.notificationId === undefined
        ? latest[nextKey++]
        : ((named[nextNamed++].rows[0] as LifecycleRow | undefined) ?? null),
    );
  }

  /**
   * Applies a group of messages in one transaction, still in two round trips: BEGIN, every id's lock (in
   * one order, so two groups never deadlock) and every id's newest notification; then all the writes
   * with the COMMIT. The steps are planned in arrival order, each on the row the previous step for its
   * id left, so two messages for one id in a group come out as they would one after the other.
   *
   * A message whose writes cannot be built (a NUL in a value) fails alone. When PostgreSQL refuses a
   * statement, the whole transaction is rolled back and every message is applied again on its own, in
   * order, so the one at fault gets its error and nothing else does.
   */
  private async applyGroup(group: Pending<ChangeRequest, PlannedChange>[]): Promise<void> {
    this.metrics.ingestGroupSize.observe(group.length);
    if (group.length === 1) {
      group[0].resolve(await this.applyAlone(group[0].job));
      return;
    }
    const ids = new Map<string, ChangeRequest>();
    for (const { job } of group) ids.set(lockKey(job.source, job.externalId), job);
    const failed = new Set<Pending<ChangeRequest, PlannedChange>>();
    const planned: (Committed & { pending: Pending<ChangeRequest, PlannedChange> })[] = [];
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      const rows = await this.lockAndRead(client, [...ids.values()]);
      const latest = new Map<string, LifecycleRow | null>();
      [...ids.keys()].forEach((key, i) => latest.set(key, rows[i]));

      const batch = new StatementBatch(client, true, this.session);
      const events: string[] = [];
      for (const pending of group) {
        const key = lockKey(pending.job.source, pending.job.externalId);
        const mark = batch.size;
        const eventsMark = events.length;
        try {
          const read = latest.get(key) ?? null;
          const change = pending.job.plan(read);
          this.write(batch, events, change);
          latest.set(key, change.step.row);
          planned.push({ pending, request: pending.job, read, change });
        } catch (error) {
          batch.truncate(mark);
          events.length = eventsMark;
          failed.add(pending);
          pending.reject(error);
        }
      }
      // Spliced: the events' texts are let go once sent (StatementBatch), not held here until the commit.
      this.writeTogether(
        batch,
        events.splice(0),
        planned.map((p) => p.change),
      );
      batch.add('COMMIT');
      await batch.run();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      await runner.release().catch(() => undefined);
      // The database is gone: the messages waiting for the next group would only wait to fail the same way.
      if (isDatabaseUnavailable(error)) this.groupCommit.failWaiting(error);
      // Anything but a value or a conflict PostgreSQL refused (a timeout, a broken connection) would fail
      // one at a time as well: GroupCommit rejects every message still unsettled with this error.
      if (!isRetryableAlone(error)) throw error;
      this.metrics.ingestGroupRetries.inc();
      for (const pending of group) {
        if (failed.has(pending)) continue;
        await this.applyAlone(pending.job).then(
          (change) => pending.resolve(change),
          (error: unknown) => pending.reject(error),
        );
      }
      return;
    }
    this.committed(planned);
    for (const { pending, change } of planned) pending.resolve(change);
    await runner.release().catch(() => undefined);
  }

  /** Adds a planned step's writes to the batch, and its event to `events` (`writeTogether` inserts them). */
  private write(batch: StatementBatch, events: string[], { step, delivery }: PlannedChange): void {
    const { write, event, row } = step;
    if (write?.kind === 'insert') batch.add(INSERT_NOTIFICATION, insertParams(write.row));
    if (write?.kind === 'update') batch.add(UPDATE_NOTIFICATION, updateParams(write.row));
    if (write?.kind === 'seen') batch.add(NOTIFICATION_SEEN, [write.id, write.at]);
    if (event && row) events.push(eventJson(row.id, event, row.revision));
    if (delivery && row) batch.add(OUTBOX_INSERT, outboxParams(row.id, row.revision, delivery.plan, delivery.payload));
  }

  /**
   * What the transaction writes once for all its changes, after every other write: their events in one
   * statement (in order), the replicas' wake-up when something is to be delivered, and the digest groups
   * the deliveries wait in, created if new (last, so that transactions lock new groups in one order:
   * DIGEST_GROUPS_INSERT).
   */
  private writeTogether(batch: StatementBatch, events: readonly string[], changes: readonly PlannedChange[]): void {
    for (const array of eventArrays(events)) batch.add(INSERT_EVENTS, [array]);
    const notify = changes.some((c) => c.delivery && c.step.row) ? this.signals.notifySql('deliveries') : null;
    if (notify) batch.add(notify);
    const params = digestGroupsParams(changes.flatMap((c) => c.delivery?.plan.groups ?? []));
    if (params) batch.add(DIGEST_GROUPS_INSERT, params);
  }

  /**
   * After the commit: tell the repeat ledger what each id's row now is, and wake this process's delivery
   * workers and change-feed long-polls.
   */
  private committed(done: Committed[]): void {
    for (const { request, read, change } of done) {
      this.ledger.committed(lockKey(request.source, request.externalId), read, change.step.row, request.signal);
    }
    if (done.some((c) => c.change.delivery)) this.signals.committed('deliveries');
    if (done.some((c) => c.change.step.event)) this.signals.committed('events');
  }

  /**
   * Changes a notification's API-owned fields (acknowledgement, external refs) and records the event, in
   * one transaction under the same per-(source, externalId) lock as `apply`, so one notification's events
   * commit in the order of their transactions. `change` sees the row as locked; it returns null for "no
   * change" (nothing written) or throws to refuse. Resolves to false when there is no such notification.
   */
  changeFields(id: string, now: Date, change: (current: NotificationEntity) => FieldsChange | null): Promise<boolean> {
    return this.dataSource
      .transaction(async (tx) => {
        const keys: { source: string; external_id: string }[] = await tx.query(
          'SELECT source, external_id FROM notifications WHERE id = $1',
          [id],
        );
        if (keys.length === 0) return false;
        await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          lockKey(keys[0].source, keys[0].external_id),
        ]);
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
      })
      .then((found) => {
        this.signals.committed('events');
        return found;
      });
  }
}

/** A committed change: the request, the row it was decided on and what it planned. */
interface Committed {
  request: ChangeRequest;
  read: LifecycleRow | null;
  change: PlannedChange;
}

/**
 * A group PostgreSQL refused because of one message's value (class 22), a constraint (23) or a conflict
 * with another transaction (40: deadlock, serialization): applied one by one, only that one fails.
 */
function isRetryableAlone(error: unknown): boolean {
  return error instanceof DatabaseError && /^(22|23|40)/.test(error.code ?? '');
}

function hasNul(value: string): boolean {
  return value.includes('\u0000');
}
