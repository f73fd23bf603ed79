import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Acknowledgement, ComponentRef, ExternalRef, LinkRef, NotificationStatus } from '../domain/notification';

@Entity({ name: 'notifications' })
// At most one open notification per source id: two replicas racing on the same id end with one row.
@Index('notifications_open_external_id_key', ['source', 'externalId'], { unique: true, where: `status = 'open'` })
// TypeORM reads index columns back in table order, so it cannot compare these two (id is the first
// column); they are created by hand in the migration and left out of its schema diff.
@Index('notifications_opened_at_id_idx', { synchronize: false })
@Index('notifications_status_opened_at_id_idx', { synchronize: false })
// The read API's filters, each with the list order (migration 1795305349718-IntegrationApi): TypeORM cannot
// express or compare these (column order, GIN, expressions), so they are by hand as well.
@Index('notifications_source_opened_at_id_idx', { synchronize: false })
@Index('notifications_severity_opened_at_id_idx', { synchronize: false })
@Index('notifications_external_id_opened_at_id_idx', { synchronize: false })
@Index('notifications_updated_at_id_idx', { synchronize: false })
@Index('notifications_tags_idx', { synchronize: false })
@Index('notifications_search_idx', { synchronize: false })
export class NotificationEntity {
  // gen_random_uuid() (uuidExtension: 'pgcrypto'): core since PostgreSQL 13, so PGlite has it too.
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  source: string;

  @Column({ name: 'source_instance', type: 'varchar', length: 64 })
  sourceInstance: string;

  @Column({ name: 'external_id', type: 'varchar', length: 1000 })
  externalId: string;

  @Column({ type: 'varchar', length: 16 })
  status: NotificationStatus;

  @Column({ type: 'varchar', length: 16 })
  severity: string;

  @Column({ name: 'source_state', type: 'varchar', length: 64 })
  sourceState: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text', nullable: true })
  message: string | null;

  @Column({ type: 'jsonb', nullable: true })
  component: ComponentRef | null;

  @Column({ type: 'text', nullable: true })
  host: string | null;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  tags: string[];

  @Column({ type: 'jsonb', default: () => `'{}'` })
  metadata: Record<string, string>;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  links: LinkRef[];

  @Column({ type: 'integer' })
  revision: number;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'close_reason', type: 'text', nullable: true })
  closeReason: string | null;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt: Date;

  @Column({ name: 'duplicate_count', type: 'integer', default: 0 })
  duplicateCount: number;

  // Newest source timestamp applied (StackState triggeredTimeMs, Monasca alarm_timestamp): older
  // messages are stale.
  @Column({ name: 'source_time', type: 'timestamptz', nullable: true })
  sourceTime: Date | null;

  @Column({ name: 'external_refs', type: 'jsonb', default: () => `'[]'` })
  externalRefs: ExternalRef[];

  @Column({ type: 'jsonb', nullable: true })
  acknowledgement: Acknowledgement | null;

  // +1 on every change of the row, delivered or not (a duplicate, an acknowledgement): the ETag.
  @Column({ type: 'integer', default: 1 })
  version: number;
}
