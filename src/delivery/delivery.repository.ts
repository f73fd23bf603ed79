import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { BackgroundWrites } from '../database/background-writes';
import { CommitSignals } from '../database/commit-signals';
import { AttemptOutcome, DeliveryAttemptEntity } from './delivery-attempt.entity';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryKind, DeliveryStatus, HoldRef } from '../domain/notification';

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

/**
 * Delivery progress: claims, attempts, results, replays and the outbox gauges. The outbox rows
 * themselves are written with the change that causes them (notifications' ChangeRepository).
 */
@Injectable()
export class DeliveryRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signals: CommitSignals,
    // Leases and results: the workers' bookkeeping, committed without waiting for the WAL flush.
    private readonly background: BackgroundWrites,
  ) {}

  /**
   * Claims up to `limit` due deliveries of `channels` with FOR UPDATE SKIP LOCKED, so replicas never
   * claim the same row, and leases them. A delivery waits while an older one of its (notification,
   * channel) pair is still pending: revisions go out in order. Deliveries in a digest group go out with
   * their digest (src/digests), not one by one.
   */
  async claim(channels: string[], limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    if (channels.length === 0 || limit <= 0) return [];
    const rows = await this.background.query(
      `WITH due AS (
         SELECT d.sequence FROM deliveries d
          WHERE d.status = 'pending' AND d.group_id IS NULL AND d.next_attempt_at <= now()
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
    return rows.map(toClaimedDelivery).sort((a, b) => Number(a.sequence) - Number(b.sequence));
  }

  /**
   * Records attempts and moves each delivery on: delivered, dead (permanent failure, or the retry
   * would fall past `expires_at`), superseded (it failed and a newer revision is waiting), or pending
   * again after its delay. Only while the worker still holds the lease. One statement for many
   * deliveries: under load, completions are the hot path. Returns the new status by delivery id; a
   * missing id means the lease was lost (it expired and another worker took the delivery over).
   */
  async complete(
    items: { delivery: ClaimedDelivery; attempt: AttemptRecord }[],
    // A digest's deliveries complete in the transaction that also finishes its group (src/digests).
    manager?: Pick<EntityManager, 'query'>,
  ): Promise<Map<string, DeliveryStatus>> {
    const query = <T>(sql: string, params: unknown[]): Promise<T[]> =>
      manager ? manager.query(sql, params) : this.background.query<T>(sql, params);
    const rows = await query<{ id: string; status: DeliveryStatus }>(
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

  /** Claims that a silence or maintenance window holds: `held` (never claimed again), not an attempt. */
  async hold(items: { delivery: ClaimedDelivery; by: HoldRef[] }[]): Promise<void> {
    await this.background.query(
      `UPDATE deliveries d
          SET status = 'held', leased_until = NULL, lease_token = NULL, attempts = GREATEST(d.attempts - 1, 0),
              hold = jsonb_build_object('by', i.by, 'releasedAt', NULL, 'releasedAs', NULL)
         FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[]) AS i(id, token, by)
        WHERE d.id = i.id AND d.lease_token = i.token`,
      [
        items.map((i) => i.delivery.id),
        items.map((i) => i.delivery.leaseToken),
        items.map((i) => JSON.stringify(i.by)),
      ],
    );
  }

  /** Gives claims back unsent (rate limit, open circuit, shutdown): not counted as attempts. */
  async release(deliveries: ClaimedDelivery[], delayMs: number): Promise<void> {
    if (deliveries.length === 0) return;
    await this.background.query(
      `UPDATE deliveries d SET leased_until = NULL, lease_token = NULL, attempts = GREATEST(d.attempts - 1, 0),
              next_attempt_at = now() + $3 * interval '1 millisecond'
         FROM unnest($1::uuid[], $2::uuid[]) AS c(id, token)
        WHERE d.id = c.id AND d.lease_token = c.token`,
      [deliveries.map((d) => d.id), deliveries.map((d) => d.leaseToken), delayMs],
    );
  }

  /** Dead-letters claims unsent, with the reason as their last error (a disabled channel). */
  async deadLetter(deliveries: ClaimedDelivery[], reason: string): Promise<void> {
    if (deliveries.length === 0) return;
    await this.background.query(
      `UPDATE deliveries d SET status = 'dead', completed_at = now(), leased_until = NULL, lease_token = NULL,
              attempts = GREATEST(d.attempts - 1, 0), last_status_code = NULL, last_error = $3
         FROM unnest($1::uuid[], $2::uuid[]) AS c(id, token)
        WHERE d.id = c.id AND d.lease_token = c.token`,
      [deliveries.map((d) => d.id), deliveries.map((d) => d.leaseToken), reason],
    );
  }

  /**
   * Dead-letters the pending deliveries of channels that are no longer configured (not those in
   * flight elsewhere): they would wait forever. Replayed once the channel is back.
   */
  async deadLetterUnconfigured(configured: string[]): Promise<{ channel: string; count: number }[]> {
    const rows: { channel: string; count: string }[] = await this.dataSource.query(
      `WITH dead AS (
         UPDATE deliveries SET status = 'dead', completed_at = now(),
                last_error = 'channel "' || channel || '" is no longer configured'
          WHERE status = 'pending' AND channel <> ALL($1::text[])
            AND (leased_until IS NULL OR leased_until < now())
         RETURNING channel
       )
       SELECT channel, COUNT(*) AS count FROM dead GROUP BY channel ORDER BY channel`,
      [configured],
    );
    return rows.map((r) => ({ channel: r.channel, count: Number(r.count) }));
  }

  /** Milliseconds until the next pending delivery is due (or a lease runs out), null when none. */
  async msUntilNextDue(): Promise<number | null> {
    const rows: { ms: number | null }[] = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM (MIN(GREATEST(next_attempt_at, COALESCE(leased_until, next_attempt_at))) - now()))
              * 1000 AS ms
         FROM deliveries WHERE status = 'pending' AND group_id IS NULL`,
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
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
    { status, channel, digestId }: { status?: DeliveryStatus; channel?: string; digestId?: string },
    afterSequence: string | undefined,
    limit: number,
  ) {
    const qb = this.dataSource.getRepository(DeliveryEntity).createQueryBuilder('d');
    if (status) qb.andWhere('d.status = :status', { status });
    if (channel) qb.andWhere('d.channel = :channel', { channel });
    if (digestId) qb.andWhere('d.digest_id = :digestId', { digestId });
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

  /**
   * Replay: a dead (or any finished) delivery becomes pending again now, with a fresh maxAge. One that
   * went (or failed to go) in a digest is replayed on its own. Answers the delivery as the replay left it
   * (read in the same transaction, before the workers are woken: they may deliver it before a later
   * read), or null if it was not finished.
   */
  async replay(id: string, maxAgeMs: number): Promise<DeliveryEntity | null> {
    const replayed = await this.dataSource.transaction(async (manager) => {
      const rows: unknown[] = await manager.query(
        `WITH replayed AS (
           UPDATE deliveries SET status = 'pending', next_attempt_at = now(), completed_at = NULL,
                  expires_at = now() + $2 * interval '1 millisecond', leased_until = NULL, lease_token = NULL,
                  group_id = NULL, digest_id = NULL
            WHERE id = $1 AND status IN ('dead', 'delivered', 'superseded')
           RETURNING id
         )
         SELECT id FROM replayed`,
        [id, maxAgeMs],
      );
      if (rows.length === 0) return null;
      const notify = this.signals.notifySql('deliveries');
      if (notify) await manager.query(notify);
      return manager.getRepository(DeliveryEntity).findOneBy({ id });
    });
    if (replayed) this.signals.committed('deliveries');
    return replayed;
  }

  /**
   * For /metrics: pending-and-due count and oldest due age per channel, dead letters per channel.
   * Deliveries waiting for their digest are not due (src/digests has their gauges).
   */
  async gauges(): Promise<{ channel: string; ready: number; oldestSeconds: number; dead: number }[]> {
    const rows: { channel: string; ready: string; oldest: number | null; dead: string }[] = await this.dataSource.query(
      `SELECT channel,
              COUNT(*) FILTER (WHERE status = 'pending' AND group_id IS NULL AND next_attempt_at <= now()) AS ready,
              EXTRACT(EPOCH FROM now() - MIN(created_at)
                FILTER (WHERE status = 'pending' AND group_id IS NULL AND next_attempt_at <= now())) AS oldest,
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
}

/** A claimed delivery from its row (`RETURNING sequence, id, notification_id, channel, …`). */
export function toClaimedDelivery(r: Record<string, unknown>): ClaimedDelivery {
  return {
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
  };
}
