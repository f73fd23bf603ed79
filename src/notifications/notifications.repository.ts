import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotificationStatus } from '../domain/notification';
import { NotificationEventEntity } from './notification-event.entity';
import { NotificationEntity } from './notification.entity';
import { SEARCH_DOCUMENT } from './notification-sql';

export interface NotificationListQuery {
  status?: NotificationStatus;
  source?: string;
  severity?: string;
  tags?: string[];
  externalId?: string;
  q?: string;
  openedAfter?: Date;
  openedBefore?: Date;
  updatedAfter?: Date;
  direction: 'ASC' | 'DESC';
  after?: { openedAt: Date; id: string };
  limit: number;
}

/** The reads of notifications and their events (their writes: ChangeRepository). */
@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(id: string): Promise<NotificationEntity | null> {
    return this.dataSource.getRepository(NotificationEntity).findOneBy({ id });
  }

  /** The open notification of a source's id, if there is one (at most one: a unique index). */
  findOpen(source: string, externalId: string): Promise<NotificationEntity | null> {
    return this.dataSource.getRepository(NotificationEntity).findOneBy({ source, externalId, status: 'open' });
  }

  list(query: NotificationListQuery): Promise<NotificationEntity[]> {
    const qb = this.dataSource.getRepository(NotificationEntity).createQueryBuilder('n');
    if (query.status) qb.andWhere('n.status = :status', { status: query.status });
    if (query.source) qb.andWhere('n.source = :source', { source: query.source });
    if (query.severity) qb.andWhere('n.severity = :severity', { severity: query.severity });
    // jsonb containment: served by the GIN index on tags.
    if (query.tags?.length) qb.andWhere('n.tags @> CAST(:tags AS jsonb)', { tags: JSON.stringify(query.tags) });
    if (query.externalId) qb.andWhere('n.external_id = :externalId', { externalId: query.externalId });
    if (query.q) qb.andWhere(`${SEARCH_DOCUMENT} @@ websearch_to_tsquery('simple', :q)`, { q: query.q });
    if (query.openedAfter) qb.andWhere('n.opened_at >= :openedAfter', { openedAfter: query.openedAfter });
    if (query.openedBefore) qb.andWhere('n.opened_at < :openedBefore', { openedBefore: query.openedBefore });
    if (query.updatedAfter) qb.andWhere('n.updated_at >= :updatedAfter', { updatedAfter: query.updatedAfter });
    if (query.after) {
      const op = query.direction === 'DESC' ? '<' : '>';
      qb.andWhere(`(n.opened_at, n.id) ${op} (:openedAt, :id)`, { openedAt: query.after.openedAt, id: query.after.id });
    }
    return qb.orderBy('n.opened_at', query.direction).addOrderBy('n.id', query.direction).limit(query.limit).getMany();
  }

  listEvents(notificationId: string): Promise<NotificationEventEntity[]> {
    return this.dataSource.getRepository(NotificationEventEntity).find({
      where: { notificationId },
      order: { sequence: 'ASC' },
    });
  }
  async countOpen(): Promise<number> {
    const [row]: { count: string }[] = await this.dataSource.query(
      `SELECT COUNT(*) AS count FROM notifications WHERE status = 'open'`,
    );
    return Number(row.count);
  }
}
