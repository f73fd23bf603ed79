import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { Schemas } from '../common/api-types';
import { ChangeNotifier } from './change-notifier';
import { EventsFeedRepository, FeedPosition } from './events-feed.repository';
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
    private readonly changes: ChangeNotifier,
  ) {}

  onModuleDestroy(): void {
    // Long-polls answer (empty) instead of holding the shutdown for up to a minute.
    this.closing = true;
    this.changes.committed();
  }

  /** `clientGone` ends a long-poll whose client went away. */
  async listEvents(
    query: { after?: string; limit: number; wait: number },
    clientGone?: AbortSignal,
  ): Promise<Schemas['EventPage']> {
    const start = query.after === undefined ? { txId: '0', sequence: '0' } : decodeFeedCursor(query.after);
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
      await this.changes.next(Math.min(left, POLL_MS), clientGone);
      if (this.closing || clientGone?.aborted) return { items: [], nextCursor: encodeFeedCursor(start) };
    }
  }
}

// Opaque to clients: base64url of ["f1", txId, sequence]; the tag tells a feed cursor from a list cursor.
export function encodeFeedCursor(position: FeedPosition): string {
  return Buffer.from(JSON.stringify(['f1', position.txId, position.sequence])).toString('base64url');
}

export function decodeFeedCursor(cursor: string): FeedPosition {
  const invalid = () =>
    new ApiError('bad_request', '"after" is not a cursor of the change feed', [
      { field: 'after', problem: 'must be a nextCursor or an event cursor returned by GET /api/v1/events' },
    ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const digits = /^\d{1,19}$/;
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== 'f1') throw invalid();
  const [, txId, sequence] = parsed as unknown[];
  if (typeof txId !== 'string' || typeof sequence !== 'string' || !digits.test(txId) || !digits.test(sequence)) {
    throw invalid();
  }
  return { txId, sequence };
}
