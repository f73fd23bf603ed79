import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AttemptOutcome, DeliveryAttemptEntity } from './delivery-attempt.entity';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryKind, DeliveryStatus } from '../domain/notification';

export interface NewDelivery {
  channel: string;
  route: string;
  remindEverySeconds: number | null;
  maxAgeMs: number;
}

/** A claimed delivery, leased to this worker until `leasedUntil`. */
export interface ClaimedDelivery {
  sequence: string;
  id: string;
  notificationId: string;
  channel: string;
  revision: number;
  kind: DeliveryKind;
  payload: Record<string, unknown>;
  attempts: number;
  leaseToken: string;
  createdAt: Date;
}

export interface AttemptRecord {
  outcome: AttemptOutcome;
  statusCode: number | null;
  error: string | null;
  response: string | null;
  startedAt: Date;
  durationMs: number;
  worker: string;
  retryDelayMs: number;
}

export const DELIVERY_CHANNEL = 'alert_relay_deliveries';

/** The only code that touches the deliveries tables. */
@Injectable()
export class DeliveryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The statement that writes one pending delivery per channel for this revision, for the routed
   * `targets` and every channel of `earlier` that an earlier revision of the notification went to,
   * superseding the pair's older deliveries that are not in flight (a live lease means a worker is
   * sending it: that one finishes, and the new one waits for it). It goes into the change's own COMMIT
   * batch (SqlBatch: values become escaped literals, so lists travel as jsonb); NOTIFY wakes the
   * workers of every replica at commit.
   */
  enqueueStatement(
    notificationId: string,
    revision: number,
    kind: DeliveryKind,
    payload: unknown,
    targets: NewDelivery[],
    earlier: { channel: string; maxAgeMs: number }[],
  ): { sql: string; params: unknown[] } {
    return {
      sql: `WITH targets AS (
         SELECT * FROM jsonb_to_recordset($2::jsonb) AS t(channel text, route text, remind int, max_age bigint)
         UNION ALL
         SELECT e.channel, 'earlier revisions', NULL::int, c.max_age
           FROM (SELECT DISTINCT channel FROM deliveries WHERE notification_id = $1::uuid AND kind <> 'reminder') e
           JOIN jsonb_to_recordset($6::jsonb) AS c(channel text, max_age bigint) ON c.channel = e.channel
          WHERE e.channel NOT IN (SELECT channel FROM jsonb_to_recordset($2::jsonb) AS r(channel text))
       ), superseded AS (
         UPDATE deliveries SET status = 'superseded', completed_at = now(), lease_token = NULL
          WHERE notification_id = $1::uuid AND channel IN (SELECT channel FROM targets) AND status = 'pending'
            AND (leased_until IS NULL OR leased_until < now())
       )
       INSERT INTO deliveries (notification_id, channel, revision, kind, status, route, payload,
         remind_every_seconds, created_at, next_attempt_at, expires_at)
       SELECT $1::uuid, t.channel, $3::int, $4, 'pending', t.route, $5::jsonb, t.remind, now(), now(),
              now() + t.max_age * interval '1 millisecond'
         FROM targets t, (SELECT pg_notify('${DELIVERY_CHANNEL}', '')) AS wake`,
      params: [
        notificationId,
        JSON.stringify(
          targets.map((t) => ({
            channel: t.channel,
            route: t.route,
            remind: t.remindEverySeconds,
            max_age: t.maxAgeMs,
          })),
        ),
        revision,
        kind,
        JSON.stringify(payload),
        JSON.stringify(earlier.map((e) => ({ channel: e.channel, max_age: e.maxAgeMs }))),
      ],
    };
  }

  /**
   * Claims up to `limit` due deliveries of `channels` with FOR UPDATE SKIP LOCKED, so replicas never
   * claim the same row, and leases them. A delivery waits while an older one of its (notification,
   * channel) pair is still pending: revisions go out in order.
   */
  async claim(channels: string[], limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    if (channels.length === 0 || limit <= 0) return [];
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH due AS (
         SELECT d.sequence FROM deliveries d
          WHERE d.status = 'pending' AND d.next_attempt_at <= now()
            AND (d.leased_until IS NULL OR d.leased_until < now())
            AND d.channel = ANY($1::text[])
            AND NOT EXISTS (
              SELECT 1 FROM deliveries o
               WHERE o.notification_id = d.notification_id AND o.channel = d.channel
                 AND o.status = 'pending' AND o.sequence < d.sequence)
          ORDER BY d.next_attempt_at, d.sequence
          LIMIT $2
          FOR UPDATE OF d SKIP LOCKED
       ), claimed AS (
       UPDATE deliveries d
          SET leased_until = now() + $3 * interval '1 millisecond', lease_token = gen_random_uuid(),
              attempts = d.attempts + 1
         FROM due WHERE d.sequence = due.sequence
       RETURNING d.sequence, d.id, d.notification_id, d.channel, d.revision, d.kind, d.payload, d.attempts,
                 d.lease_token, d.created_at
       )
       SELECT * FROM claimed`,
      [channels, limit, leaseMs],
    );
    return rows
      .map((r) => ({
        sequence: String(r.sequence),
        id: r.id as string,
        notificationId: r.notification_id as string,
        channel: r.channel as string,
        revision: r.revision as number,
        kind: r.kind as DeliveryKind,
        payload: r.payload as Record<string, unknown>,
        attempts: r.attempts as number,
        leaseToken: r.lease_token as string,
        createdAt: r.created_at as Date,
      }))
      .sort((a, b) => Number(a.sequence) - Number(b.sequence));
  }

  /**
   * Records attempts and moves each delivery on: delivered, dead (permanent failure, or the retry
   * would fall past `expires_at`), superseded (it failed and a newer revision is waiting), or pending
   * again after its delay. Only while the worker still holds the lease. One statement for many
   * deliveries: under load, completions are the hot path. Returns the new status by delivery id; a
   * missing id means the lease was lost (it expired and another worker took the delivery over).
   */
  async complete(items: { delivery: ClaimedDelivery; attempt: AttemptRecord }[]): Promise<Map<string, DeliveryStatus>> {
    const rows: { id: string; status: DeliveryStatus }[] = await this.dataSource.query(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::timestamptz[], $5::int[], $6::text[],
                              $7::int[], $8::text[], $9::text[], $10::text[], $11::bigint[])
           AS i(id, token, attempt, started_at, duration_ms, outcome, status_code, error, response, worker, delay)
       ), attempt AS (
         INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome, status_code, error,
           response, worker)
         SELECT id, attempt, started_at, duration_ms, outcome, status_code, error, response, worker FROM input
       ), decided AS (
         SELECT d.sequence, i.outcome, i.status_code, i.error, i.delay,
           CASE
             WHEN i.outcome = 'success' THEN 'delivered'
             WHEN i.outcome = 'permanent' THEN 'dead'
             WHEN EXISTS (SELECT 1 FROM deliveries o WHERE o.notification_id = d.notification_id
                            AND o.channel = d.channel AND o.status = 'pending' AND o.sequence > d.sequence
                            AND o.kind <> 'reminder')
               THEN 'superseded'
             WHEN now() + i.delay * interval '1 millisecond' > d.expires_at THEN 'dead'
             ELSE 'pending'
           END AS status
         FROM deliveries d JOIN input i ON d.id = i.id AND d.lease_token = i.token
       ), updated AS (
         UPDATE deliveries d SET
           status = decided.status,
           leased_until = NULL, lease_token = NULL,
           next_attempt_at = CASE WHEN decided.status = 'pending'
                                  THEN now() + decided.delay * interval '1 millisecond' ELSE d.next_attempt_at END,
           completed_at = CASE WHEN decided.status = 'pending' THEN NULL ELSE now() END,
           last_status_code = decided.status_code,
           last_error = CASE WHEN decided.status = 'dead' AND decided.outcome = 'retry'
                             THEN 'gave up: maxAge reached; last error: ' || COALESCE(decided.error, 'none')
                             ELSE decided.error END
         FROM decided WHERE d.sequence = decided.sequence
         RETURNING d.id, d.status
       )
       SELECT id, status FROM updated`,
      [
        items.map((x) => x.delivery.id),
        items.map((x) => x.delivery.leaseToken),
        items.map((x) => x.delivery.attempts),
        items.map((x) => x.attempt.startedAt),
        items.map((x) => x.attempt.durationMs),
        items.map((x) => x.attempt.outcome),
        items.map((x) => x.attempt.statusCode),
        items.map((x) => x.attempt.error),
        items.map((x) => x.attempt.response),
        items.map((x) => x.attempt.worker),
        items.map((x) => x.attempt.retryDelayMs),
      ],
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** Gives a claim back unsent (rate limit, open circuit, shutdown): not counted as an attempt. */
  async release(delivery: ClaimedDelivery, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE deliveries SET leased_until = NULL, lease_token = NULL, attempts = GREATEST(attempts - 1, 0),
              next_attempt_at = now() + $3 * interval '1 millisecond'
        WHERE id = $1 AND lease_token = $2`,
      [delivery.id, delivery.leaseToken, delayMs],
    );
  }

  /** Milliseconds until the next pending delivery is due (or a lease runs out), null when none. */
  async msUntilNextDue(): Promise<number | null> {
    const rows: { ms: number | null }[] = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM (MIN(GREATEST(next_attempt_at, COALESCE(leased_until, next_attempt_at))) - now()))
              * 1000 AS ms
         FROM deliveries WHERE status = 'pending'`,
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
  }

  /**
   * Reminders: for each open notification whose newest delivery to a channel was delivered more than
   * that route's `remind_every_seconds` ago, a new `reminder` delivery of the same revision. One
   * replica at a time (transaction-scoped advisory lock); returns how many were enqueued.
   */
  async enqueueReminders(maxAgeMs: number): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }]: { locked: boolean }[] = await tx.query(
        `SELECT pg_try_advisory_xact_lock(hashtextextended('alert-relay reminders', 0)) AS locked`,
      );
      if (!locked) return 0;
      const rows: unknown[] = await tx.query(
        `WITH latest AS (
           SELECT DISTINCT ON (d.notification_id, d.channel) d.*
             FROM deliveries d
             JOIN notifications n ON n.id = d.notification_id AND n.status = 'open'
            ORDER BY d.notification_id, d.channel, d.sequence DESC
         ), inserted AS (
         INSERT INTO deliveries (notification_id, channel, revision, kind, status, route, payload,
           remind_every_seconds, created_at, next_attempt_at, expires_at)
         SELECT l.notification_id, l.channel, l.revision, 'reminder', 'pending', l.route, l.payload,
                l.remind_every_seconds, now(), now(), now() + $1 * interval '1 millisecond'
           FROM latest l
          WHERE l.remind_every_seconds IS NOT NULL AND l.status = 'delivered'
            AND l.completed_at + l.remind_every_seconds * interval '1 second' <= now()
         RETURNING id
         )
         SELECT id FROM inserted`,
        [maxAgeMs],
      );
      if (rows.length > 0) await tx.query(`SELECT pg_notify('${DELIVERY_CHANNEL}', '')`);
      return rows.length;
    });
  }

  findByNotification(notificationId: string): Promise<DeliveryEntity[]> {
    return this.dataSource
      .getRepository(DeliveryEntity)
      .find({ where: { notificationId }, order: { sequence: 'ASC' } });
  }

  findById(id: string): Promise<DeliveryEntity | null> {
    return this.dataSource.getRepository(DeliveryEntity).findOneBy({ id });
  }

  list(
    status: DeliveryStatus | undefined,
    channel: string | undefined,
    afterSequence: string | undefined,
    limit: number,
  ) {
    const qb = this.dataSource.getRepository(DeliveryEntity).createQueryBuilder('d');
    if (status) qb.andWhere('d.status = :status', { status });
    if (channel) qb.andWhere('d.channel = :channel', { channel });
    if (afterSequence) qb.andWhere('d.sequence < :after', { after: afterSequence });
    return qb.orderBy('d.sequence', 'DESC').limit(limit).getMany();
  }

  attemptsOf(deliveryIds: string[]): Promise<DeliveryAttemptEntity[]> {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(DeliveryAttemptEntity)
      .createQueryBuilder('a')
      .where('a.delivery_id = ANY(:ids)', { ids: deliveryIds })
      .orderBy('a.id', 'ASC')
      .getMany();
  }

  /** Replay: a dead (or any finished) delivery becomes pending again now, with a fresh maxAge. */
  async replay(id: string, maxAgeMs: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH replayed AS (
         UPDATE deliveries SET status = 'pending', next_attempt_at = now(), completed_at = NULL,
                expires_at = now() + $2 * interval '1 millisecond', leased_until = NULL, lease_token = NULL
          WHERE id = $1 AND status IN ('dead', 'delivered', 'superseded')
         RETURNING id
       )
       SELECT id FROM replayed`,
      [id, maxAgeMs],
    );
    if (rows.length > 0) await this.dataSource.query(`SELECT pg_notify('${DELIVERY_CHANNEL}', '')`);
    return rows.length > 0;
  }

  /** For /metrics: pending-and-due count and oldest due age per channel, dead letters per channel. */
  async gauges(): Promise<{ channel: string; ready: number; oldestSeconds: number; dead: number }[]> {
    const rows: { channel: string; ready: string; oldest: number | null; dead: string }[] = await this.dataSource.query(
      `SELECT channel,
              COUNT(*) FILTER (WHERE status = 'pending' AND next_attempt_at <= now()) AS ready,
              EXTRACT(EPOCH FROM now() - MIN(created_at) FILTER (WHERE status = 'pending' AND next_attempt_at <= now()))
                AS oldest,
              COUNT(*) FILTER (WHERE status = 'dead') AS dead
         FROM deliveries WHERE status IN ('pending', 'dead') GROUP BY channel`,
    );
    return rows.map((r) => ({
      channel: r.channel,
      ready: Number(r.ready),
      oldestSeconds: r.oldest === null ? 0 : Number(r.oldest),
      dead: Number(r.dead),
    }));
  }

  async openNotifications(): Promise<number> {
    const [row]: { count: string }[] = await this.dataSource.query(
      `SELECT COUNT(*) AS count FROM notifications WHERE status = 'open'`,
    );
    return Number(row.count);
  }

  async notificationExists(id: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM notifications WHERE id = $1', [id]);
    return rows.length > 0;
  }
}
