import { Column, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DeliveryHold, DeliveryKind, DeliveryStatus } from '../domain/notification';

/**
 * The outbox: one row per (notification, channel, revision), written in the transaction of the change.
 * `pending` rows are claimed by workers (`leased_until`); in flight = pending with a live lease. `held`
 * rows (silenced) are never claimed; the release job ends them as `released`.
 */
@Entity({ name: 'deliveries' })
@Index('deliveries_id_key', ['id'], { unique: true })
@Index('deliveries_pair_sequence_idx', ['notificationId', 'channel', 'sequence'])
// A pair's pending deliveries, however long the backlog: superseded by the outbox insert, and looked for
// by the claim (an older one first) and by an attempt's result (a newer one waiting).
@Index('deliveries_pair_pending_idx', ['notificationId', 'channel', 'sequence'], { where: `status = 'pending'` })
// Grouped deliveries wait for their digest (digest_groups), not for next_attempt_at. The claim's order, so
// that it reads only the rows it takes, however long the backlog.
@Index('deliveries_due_ungrouped_idx', ['nextAttemptAt', 'sequence'], {
  where: `status = 'pending' AND group_id IS NULL`,
})
@Index('deliveries_group_pending_idx', ['groupId', 'createdAt'], {
  where: `status = 'pending' AND group_id IS NOT NULL`,
})
@Index('deliveries_digest_idx', ['digestId'], { where: 'digest_id IS NOT NULL' })
@Index('deliveries_status_sequence_idx', ['status', 'sequence'])
export class DeliveryEntity {
  // Global order of enqueueing: orders the revisions of one (notification, channel) pair.
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  sequence: string;

  /** Stable across attempts: the `webhook-id` receivers deduplicate on. */
  @Column({ type: 'uuid' })
  @Generated('uuid')
  id: string;

  @Column({ name: 'notification_id', type: 'uuid' })
  notificationId: string;

  // The foreign key to notifications, named rather than imported: delivery sits below notifications.
  @ManyToOne('NotificationEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'deliveries_notification_id_fkey' })
  notification?: object;

  @Column({ type: 'varchar', length: 64 })
  channel: string;

  @Column({ type: 'integer' })
  revision: number;

  @Column({ type: 'varchar', length: 16 })
  kind: DeliveryKind;

  @Column({ type: 'varchar', length: 16 })
  status: DeliveryStatus;

  /** The route that picked the channel (`defaultChannels`, `host:<name>`, `replay`, …). */
  @Column({ type: 'varchar', length: 128 })
  route: string;

  /** The notification as of this revision: what is rendered, whatever happens to it later. */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ name: 'remind_every_seconds', type: 'integer', nullable: true })
  remindEverySeconds: number | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  /** After this a failing delivery is dead-lettered (created_at + maxAge). */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'leased_until', type: 'timestamptz', nullable: true })
  leasedUntil: Date | null;

  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken: string | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  /** What held it (a silence, a maintenance window) and how that ended; null when it was never held. */
  @Column({ type: 'jsonb', nullable: true })
  hold: DeliveryHold | null;

  /** The digest group this delivery waits in (a grouping route); null: sent on its own. */
  @Column({ name: 'group_id', type: 'uuid', nullable: true })
  groupId: string | null;

  // Named rather than imported, like the notification: digests sit above delivery. Checked at COMMIT:
  // a change's transaction creates its new groups last (DIGEST_GROUPS_INSERT).
  @ManyToOne('DigestGroupEntity', { onDelete: 'SET NULL', deferrable: 'INITIALLY DEFERRED' })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'deliveries_group_id_fkey' })
  group?: object;

  /** The digest that carries (or carried) it: the `webhook-id` of that digest. */
  @Column({ name: 'digest_id', type: 'uuid', nullable: true })
  digestId: string | null;
}
