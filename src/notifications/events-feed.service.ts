import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Schemas } from '../common/api-types';
import { CommitSignals } from '../database/commit-signals';
import { EventsFeedRepository, FEED_BEGINNING } from './events-feed.repository';
import { decodeFeedCursor, encodeFeedCursor } from './notification-cursor';
import { toNotificationEvent } from './notification-mapper';

// While a long-poll waits, the feed is read again on every local commit and at least this often (commits
// of other replicas, and events held back by a transaction that was still running).
const POLL_MS = 500;

/** The change feed: every notification event once, in order, for a reader that resumes from its cursor. */
@Injectable()
export class EventsFeedService implements OnModuleDestroy {
  private closing = false;

  constructor(
    private readonly repository: EventsFeedRepository,
    private readonly signals: CommitSignals,
  ) {}

  onModuleDestroy(): void {
    // Long-polls answer (empty) instead of holding the shutdown for up to a minute.
    this.closing = true;
    this.signals.wakeAll('events');
  }

  /** `clientGone` ends a long-poll whose client went away. */
  async listEvents(
    query: { after?: string; limit: number; wait: number },
    clientGone?: AbortSignal,
  ): Promise<Schemas['EventPage']> {
    const start =
      query.after === undefined
        ? FEED_BEGINNING
        : query.after === 'now'
          ? await this.repository.end()
          : decodeFeedCursor(query.after);
    const deadline = Date.now() + query.wait * 1000;
    for (;;) {
      const events = await this.repository.after(start, query.limit);
      if (events.length > 0) {
        const items = events.map((e) => ({
          ...toNotificationEvent(e),
          cursor: encodeFeedCursor({ txId: e.txId, sequence: e.sequence }),
        }));
        return { items, nextCursor: items[items.length - 1].cursor };
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.closing || clientGone?.aborted) return { items: [], nextCursor: encodeFeedCursor(start) };
      await this.signals.next('events', Math.min(left, POLL_MS), clientGone);
      if (this.closing || clientGone?.aborted) return { items: [], nextCursor: encodeFeedCursor(start) };
    }
  }
}
