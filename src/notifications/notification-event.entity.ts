import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { NotificationEntity } from './notification.entity';

export type NotificationEventType = 'opened' | 'updated' | 'closed';

@Entity({ name: 'notification_events' })
@Index('notification_events_notification_id_sequence_idx', ['notificationId', 'sequence'])
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
}
