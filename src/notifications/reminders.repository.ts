import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CommitSignals } from '../database/commit-signals';

/** Reminder deliveries: still-open notifications told again to the channels whose route asks for it. */
@Injectable()
export class RemindersRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signals: CommitSignals,
  ) {}

  /**
   * For each open notification whose newest delivery to a channel was delivered more than that route's
   * `remind_every_seconds` ago, a new `reminder` delivery of the same revision, in the same digest group
   * if that delivery was grouped (a grouping route's reminders go out as one digest). Not while it is
   * acknowledged, unless it changed (a new revision) after the acknowledgement: someone is on it. One
   * replica at a time (transaction-scoped advisory lock); returns how many were enqueued.
   */
  async enqueueDue(maxAgeMs: number): Promise<number> {
    const notify = this.signals.notifySql('deliveries');
    const count = await this.dataSource.transaction(async (tx) => {
      const [{ locked }]: { locked: boolean }[] = await tx.query(
        `SELECT pg_try_advisory_xact_lock(hashtextextended('alert-relay reminders', 0)) AS locked`,
      );
      if (!locked) return 0;
      const rows: unknown[] = await tx.query(
        `WITH latest AS (
           SELECT DISTINCT ON (d.notification_id, d.channel) d.*
             FROM deliveries d
             JOIN notifications n ON n.id = d.notification_id AND n.status = 'open'
              AND (n.acknowledgement IS NULL OR n.updated_at > (n.acknowledgement->>'at')::timestamptz)
            ORDER BY d.notification_id, d.channel, d.sequence DESC
         ), inserted AS (
         INSERT INTO deliveries (notification_id, channel, revision, kind, status, route, payload,
           remind_every_seconds, created_at, next_attempt_at, expires_at, group_id)
         SELECT l.notification_id, l.channel, l.revision, 'reminder', 'pending', l.route, l.payload,
                l.remind_every_seconds, now(), now(), now() + $1 * interval '1 millisecond', l.group_id
           FROM latest l
          WHERE l.remind_every_seconds IS NOT NULL AND l.status = 'delivered'
            AND l.completed_at + l.remind_every_seconds * interval '1 second' <= now()
         RETURNING id
         )
         SELECT id FROM inserted`,
        [maxAgeMs],
      );
      if (rows.length > 0 && notify) await tx.query(notify);
      return rows.length;
    });
    if (count > 0) this.signals.committed('deliveries');
    return count;
  }
}
