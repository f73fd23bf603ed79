import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One digest group: the changes a grouping route sends to one channel under one group key. Its pending
 * changes are the deliveries that point at it (`deliveries.group_id`). They are due when the oldest has
 * waited `wait_ms`, `interval_ms` has passed since the last digest, and `retry_at` (if set) has come;
 * the flush claims the group (a lease, like deliveries) and sends them as one digest.
 */
@Entity({ name: 'digest_groups' })
export class DigestGroupEntity {
  /** Derived from (route, channel, key): see digestGroupId. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** The grouping route's name. */
  @Column({ type: 'varchar', length: 128 })
  route: string;

  @Column({ type: 'varchar', length: 64 })
  channel: string;

  /** sha256 (hex) of the labels. */
  @Column({ name: 'group_key', type: 'varchar', length: 64 })
  groupKey: string;

  /** `[{key, value}]`: what the group's changes share (`host` = `db-7`), for the digest's headline. */
  @Column({ type: 'jsonb' })
  labels: { key: string; value: string | null }[];

  // The route's timing as of its latest change: a digest still goes out when the route is gone.
  @Column({ name: 'wait_ms', type: 'bigint' })
  waitMs: string;

  @Column({ name: 'interval_ms', type: 'bigint' })
  intervalMs: string;

  @Column({ name: 'max_items', type: 'integer' })
  maxItems: number;

  /** When the last digest was finished (sent or given up): the next waits `interval` after it. */
  @Column({ name: 'last_digest_at', type: 'timestamptz', nullable: true })
  lastDigestAt: Date | null;

  /** Not before: a failed digest's backoff, or the wait a rate limit or open circuit asked for. */
  @Column({ name: 'retry_at', type: 'timestamptz', nullable: true })
  retryAt: Date | null;

  @Column({ name: 'leased_until', type: 'timestamptz', nullable: true })
  leasedUntil: Date | null;

  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
