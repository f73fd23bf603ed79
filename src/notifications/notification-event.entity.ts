import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { NotificationEventType } from '../domain/notification';
import { NotificationEntity } from './notification.entity';

@Entity({ name: 'notification_events' })
@Index('notification_events_notification_id_sequence_idx', ['notificationId', 'sequence'])
// The change feed's order (txId, sequence); by hand in the migration (column order differs from the table's).
@Index('notification_events_tx_id_sequence_idx', { synchronize: false })
export class NotificationEventEntity {
  // bigint: the pg driver hands it over as a string, which is what the API exposes.
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  sequence: string;

  @Column({ name: 'notification_id', type: 'uuid' })
  notificationId: string;

  @ManyToOne(() => NotificationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'notification_events_notification_id_fkey' })
  notification?: NotificationEntity;

  @Column({ type: 'varchar', length: 32 })
  type: NotificationEventType;

  @Column({ type: 'integer' })
  revision: number;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'source_time', type: 'timestamptz', nullable: true })
  sourceTime: Date | null;

  // The message as received.
  @Column({ type: 'jsonb' })
  payload: unknown;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  details: Record<string, unknown>;

  // The writing transaction's id (xid8 as bigint), set by the database for every writer. The change feed
  // serves an event only once every transaction that could still commit before it has finished, so a
  // resuming reader never skips a late-committing event (feed.repository.ts).
  @Column({ name: 'tx_id', type: 'bigint', default: () => 'current_xact_id_bigint()' })
  txId: string;
}
