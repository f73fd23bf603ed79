import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotificationEventEntity } from './notification-event.entity';

/** A position in the change feed: after the event (txId, sequence). (0, 0) is the beginning. */
export interface FeedPosition {
  txId: string;
  sequence: string;
}

export const FEED_BEGINNING: FeedPosition = { txId: '0', sequence: '0' };

/** The change feed's reads (the only code that queries notification_events in feed order). */
@Injectable()
export class EventsFeedRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Events after `position` in (txId, sequence) order, served only when their transaction id is below the
   * current snapshot's xmin: every transaction below it has finished, and every transaction still to come
   * gets a larger id, so the served prefix of this order only ever grows. Sequence order alone would not
   * do: a transaction can draw a sequence number, commit after a later one, and be skipped by a reader
   * that already moved past it.
   */
  after(position: FeedPosition, limit: number): Promise<NotificationEventEntity[]> {
    return this.dataSource
      .getRepository(NotificationEventEntity)
      .createQueryBuilder('e')
      .where('e.tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint')
      .andWhere('(e.tx_id, e.sequence) > (:txId, :sequence)', position)
      .orderBy('e.tx_id', 'ASC')
      .addOrderBy('e.sequence', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * The position of the last event served now (the beginning when there is none): a reader starting there
   * gets only later events. Every transaction still running has an id of at least xmin, so none of its
   * events can land before this position.
   */
  async end(): Promise<FeedPosition> {
    const last = await this.dataSource
      .getRepository(NotificationEventEntity)
      .createQueryBuilder('e')
      .select(['e.txId', 'e.sequence'])
      .where('e.tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint')
      .orderBy('e.tx_id', 'DESC')
      .addOrderBy('e.sequence', 'DESC')
      .limit(1)
      .getOne();
    return last ? { txId: last.txId, sequence: last.sequence } : FEED_BEGINNING;
  }
}
