import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DeliveryEntity } from './delivery.entity';

export type AttemptOutcome = 'success' | 'retry' | 'permanent';

/** One send attempt of a delivery: when, how long, what the service answered. */
@Entity({ name: 'delivery_attempts' })
@Index('delivery_attempts_delivery_id_idx', ['deliveryId', 'id'])
export class DeliveryAttemptEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ name: 'delivery_id', type: 'uuid' })
  deliveryId: string;

  @ManyToOne(() => DeliveryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'delivery_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'delivery_attempts_delivery_id_fkey',
  })
  delivery?: DeliveryEntity;

  @Column({ type: 'integer' })
  attempt: number;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  @Column({ type: 'varchar', length: 16 })
  outcome: AttemptOutcome;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** The start of what the service answered (at most 500 characters). */
  @Column({ type: 'text', nullable: true })
  response: string | null;

  @Column({ type: 'varchar', length: 64 })
  worker: string;
}
