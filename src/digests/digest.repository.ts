import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AttemptRecord, ClaimedDelivery, DeliveryRepository, toClaimedDelivery } from '../delivery/delivery.repository';
import { DeliveryStatus } from '../domain/notification';

/** A claimed group: its lease, and the deliveries its digest carries (leased with it). */
export interface ClaimedGroup {
  groupId: string;
  route: string;
  channel: string;
  labels: { key: string; value: string | null }[];
  maxItems: number;
  leaseToken: string;
  /** The digest's id: new, or the one a failed attempt already used (its retry). */
  digestId: string;
  /** The id was drawn by this claim: nothing was sent under it yet. */
  fresh: boolean;
  deliveries: ClaimedDelivery[];
}

// One digest carries at most this many changes; the rest wait for the next (docs/noise-control.md).
export const MAX_DIGEST_CHANGES = 1000;

// When a group's pending changes are due: the oldest has waited `wait`, `interval` has passed since the
// last digest, and a retry's backoff (or a rate limit's wait) is over. `p` holds the group's pending
// deliveries' oldest created_at.
const DUE = `GREATEST(p.first_at + g.wait_ms * interval '1 millisecond',
                      g.last_digest_at + g.interval_ms * interval '1 millisecond', g.retry_at)`;
const PENDING = `SELECT group_id, MIN(created_at) AS first_at FROM deliveries
                  WHERE status = 'pending' AND group_id IS NOT NULL GROUP BY group_id`;

/**
 * Digest groups in PostgreSQL: which are due, claiming one (FOR UPDATE SKIP LOCKED and a lease, so
 * each digest is sent by one replica), and finishing it. The group's deliveries keep their own
 * records: they are completed like any delivery (DeliveryRepository.complete), in the same transaction.
 */
@Injectable()
export class DigestRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryRepository,
  ) {}

  /**
   * Claims due groups, at most `limits[channel]` of each channel and `limit` in all, the most overdue
   * first (then the one whose oldest change waited longest), and leases with each the deliveries its
   * digest carries: the ones a failed attempt carried (a retry keeps its id and its content), else up
   * to MAX_DIGEST_CHANGES pending ones, oldest first. Like single deliveries, one waits while an older
   * delivery of its (notification, channel) pair is pending elsewhere.
   */
  async claim(limits: Map<string, number>, limit: number, leaseMs: number): Promise<ClaimedGroup[]> {
    const channels = [...limits].filter(([, n]) => n > 0);
    if (channels.length === 0 || limit <= 0) return [];
    return this.dataSource.transaction(async (tx) => {
      const groups: Record<string, unknown>[] = await tx.query(
        `WITH pending AS (${PENDING}), ranked AS (
           SELECT g.id, ${DUE} AS due, p.first_at, l.n,
                  row_number() OVER (PARTITION BY g.channel ORDER BY ${DUE}, p.first_at) AS r
             FROM digest_groups g JOIN pending p ON p.group_id = g.id
             JOIN unnest($1::text[], $2::int[]) AS l(channel, n) ON l.channel = g.channel
            WHERE (g.leased_until IS NULL OR g.leased_until < now()) AND ${DUE} <= now()
         ), due AS (
           SELECT g.id FROM digest_groups g JOIN ranked r ON r.id = g.id
            -- again on the row as locked: another replica may have leased it meanwhile
            WHERE r.r <= r.n AND (g.leased_until IS NULL OR g.leased_until < now())
            ORDER BY r.due, r.first_at
            LIMIT $3
            FOR UPDATE OF g SKIP LOCKED
         ), leased AS (
         UPDATE digest_groups g
            SET leased_until = now() + $4 * interval '1 millisecond', lease_token = gen_random_uuid()
           FROM due WHERE g.id = due.id
         RETURNING g.id, g.route, g.channel, g.labels, g.max_items, g.lease_token
         )
         SELECT * FROM leased`,
        [channels.map(([c]) => c), channels.map(([, n]) => n), limit, leaseMs],
      );
      if (groups.length === 0) return [];
      const claimed = groups.map((g) => ({
        groupId: g.id as string,
        route: g.route as string,
        channel: g.channel as string,
        labels: g.labels as ClaimedGroup['labels'],
        maxItems: g.max_items as number,
        leaseToken: g.lease_token as string,
        newDigestId: crypto.randomUUID(),
      }));
      const rows: Record<string, unknown>[] = await tx.query(
        `WITH claimed AS (
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS c(group_id, token, digest_id)
         ), candidates AS (
           SELECT d.sequence, d.digest_id,
                  bool_or(d.digest_id IS NOT NULL) OVER (PARTITION BY d.group_id) AS retrying,
                  row_number() OVER (PARTITION BY d.group_id ORDER BY d.sequence) AS n
             FROM deliveries d JOIN claimed c ON c.group_id = d.group_id
            WHERE d.status = 'pending' AND (d.leased_until IS NULL OR d.leased_until < now())
              AND NOT EXISTS (
                SELECT 1 FROM deliveries o
                 WHERE o.notification_id = d.notification_id AND o.channel = d.channel
                   AND o.status = 'pending' AND o.sequence < d.sequence)
         ), picked AS (
           SELECT sequence FROM candidates WHERE CASE WHEN retrying THEN digest_id IS NOT NULL ELSE n <= $4 END
         ), leased AS (
         UPDATE deliveries d
            SET leased_until = now() + $5 * interval '1 millisecond', lease_token = c.token,
                attempts = d.attempts + 1, digest_id = COALESCE(d.digest_id, c.digest_id)
           FROM picked p, claimed c
          WHERE d.sequence = p.sequence AND c.group_id = d.group_id
            -- again on the row as it is now: a change may have superseded it meanwhile
            AND d.status = 'pending' AND (d.leased_until IS NULL OR d.leased_until < now())
         RETURNING d.sequence, d.id, d.notification_id, d.channel, d.revision, d.kind, d.payload, d.attempts,
                   d.lease_token, d.created_at, d.group_id, d.digest_id
         )
         SELECT * FROM leased`,
        [
          claimed.map((c) => c.groupId),
          claimed.map((c) => c.leaseToken),
          claimed.map((c) => c.newDigestId),
          MAX_DIGEST_CHANGES,
          leaseMs,
        ],
      );
      return claimed.map(({ newDigestId, ...group }) => {
        const own = rows
          .filter((r) => r.group_id === group.groupId)
          .sort((a, b) => Number(a.sequence) - Number(b.sequence));
        const digestId = (own[0]?.digest_id as string | undefined) ?? newDigestId;
        return { ...group, digestId, fresh: digestId === newDigestId, deliveries: own.map(toClaimedDelivery) };
      });
    });
  }

  /**
   * Records the digest's attempt on each of its deliveries (delivered with the digest's id, retried,
   * superseded or dead, each by its own maxAge) and finishes the group: when nothing of the digest is
   * left pending it is over (`last_digest_at`: the next one waits `interval`), else it is retried after
   * `retryDelayMs`. Only while the lease is held; the statuses by delivery id (empty: lease lost).
   */
  complete(group: ClaimedGroup, attempt: AttemptRecord): Promise<Map<string, DeliveryStatus>> {
    return this.dataSource.transaction(async (tx) => {
      const statuses = await this.deliveries.complete(
        group.deliveries.map((delivery) => ({ delivery, attempt })),
        tx,
      );
      await tx.query(
        `UPDATE digest_groups g SET leased_until = NULL, lease_token = NULL,
                last_digest_at = CASE WHEN left_over THEN g.last_digest_at ELSE now() END,
                retry_at = CASE WHEN left_over THEN now() + $3 * interval '1 millisecond' ELSE NULL END
           FROM (SELECT EXISTS (SELECT 1 FROM deliveries
                                 WHERE group_id = $1 AND digest_id = $4 AND status = 'pending') AS left_over) x
          WHERE g.id = $1 AND g.lease_token = $2`,
        [group.groupId, group.leaseToken, attempt.retryDelayMs, group.digestId],
      );
      return statuses;
    });
  }

  /**
   * Gives a claim back unsent (rate limit, open circuit, shutdown, nothing to send): not an attempt. A
   * digest never sent forgets its id, so that the next takes whatever is pending then.
   */
  async release(group: ClaimedGroup, delayMs: number): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `UPDATE deliveries SET leased_until = NULL, lease_token = NULL, attempts = GREATEST(attempts - 1, 0),
                digest_id = CASE WHEN $3 THEN NULL ELSE digest_id END
          WHERE group_id = $1 AND lease_token = $2`,
        [group.groupId, group.leaseToken, group.fresh],
      );
      await tx.query(
        `UPDATE digest_groups SET leased_until = NULL, lease_token = NULL,
                retry_at = now() + $3 * interval '1 millisecond'
          WHERE id = $1 AND lease_token = $2`,
        [group.groupId, group.leaseToken, delayMs],
      );
    });
  }

  /** Milliseconds until the next group of `channels` is due (or its lease runs out); null when none. */
  async msUntilNextDue(channels: string[]): Promise<number | null> {
    if (channels.length === 0) return null;
    const rows: { ms: number | null }[] = await this.dataSource.query(
      `WITH pending AS (${PENDING})
       SELECT EXTRACT(EPOCH FROM (MIN(GREATEST(${DUE}, g.leased_until)) - now())) * 1000 AS ms
         FROM digest_groups g JOIN pending p ON p.group_id = g.id
        WHERE g.channel = ANY($1::text[])`,
      [channels],
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
  }

  /** Groups of configured routes take the route's timing as configured now (at start). */
  async adoptTiming(routes: { route: string; waitMs: number; intervalMs: number; maxItems: number }[]): Promise<void> {
    if (routes.length === 0) return;
    await this.dataSource.query(
      `UPDATE digest_groups g SET wait_ms = r.wait_ms, interval_ms = r.interval_ms, max_items = r.max_items
         FROM jsonb_to_recordset($1::jsonb) AS r(route text, wait_ms bigint, interval_ms bigint, max_items int)
        WHERE g.route = r.route
          AND (g.wait_ms, g.interval_ms, g.max_items) IS DISTINCT FROM (r.wait_ms, r.interval_ms, r.max_items)`,
      [
        JSON.stringify(
          routes.map((r) => ({ route: r.route, wait_ms: r.waitMs, interval_ms: r.intervalMs, max_items: r.maxItems })),
        ),
      ],
    );
  }

  /** For /metrics, per channel: changes waiting for a digest, and how late the latest due group is. */
  async gauges(): Promise<{ channel: string; pending: number; overdueSeconds: number }[]> {
    const rows: { channel: string; pending: string; overdue: number | null }[] = await this.dataSource.query(
      `WITH pending AS (
         SELECT group_id, MIN(created_at) AS first_at, COUNT(*) AS n FROM deliveries
          WHERE status = 'pending' AND group_id IS NOT NULL GROUP BY group_id
       )
       SELECT g.channel, SUM(p.n) AS pending, EXTRACT(EPOCH FROM now() - MIN(${DUE})) AS overdue
         FROM digest_groups g JOIN pending p ON p.group_id = g.id GROUP BY g.channel`,
    );
    return rows.map((r) => ({
      channel: r.channel,
      pending: Number(r.pending),
      overdueSeconds: r.overdue === null ? 0 : Math.max(0, Number(r.overdue)),
    }));
  }
}
