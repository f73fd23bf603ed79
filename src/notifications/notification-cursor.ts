import { ApiError } from '../common/api-error';
import { NotificationSort } from '../common/api-types';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { FeedPosition } from './events-feed.repository';

/** The last item of a page: the value of the sort's column (openedAt or updatedAt) and its id. */
export interface ListPosition {
  at: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = /^\d{1,19}$/;
const FEED = 'f1';

// The list cursor is tagged with its sort, so that a cursor is only ever resumed in the order it was
// made for: [sort, openedAt or updatedAt, id] of the last item returned.
export function encodeListCursor(sort: NotificationSort, position: ListPosition): string {
  return encodeCursor(sort, [position.at.toISOString(), position.id]);
}

export function decodeListCursor(cursor: string, sort: NotificationSort): ListPosition {
  const invalid = (problem = 'must be a nextCursor returned by this API') =>
    new ApiError('bad_request', 'cursor is not valid', [{ field: 'cursor', problem }]);
  const decoded = decodeCursor(cursor, 2);
  if (!decoded || decoded.tag === FEED) throw invalid();
  if (decoded.tag !== sort) {
    throw invalid(
      `was returned for sort=${decoded.tag}, not sort=${sort}; send the same sort with it, or start again without a cursor`,
    );
  }
  const [at, id] = decoded.position;
  const date = new Date(at);
  if (Number.isNaN(date.getTime()) || !UUID.test(id)) throw invalid();
  return { at: date, id };
}

// The change feed's cursor: ["f1", txId, sequence] of the last event returned.
export function encodeFeedCursor(position: FeedPosition): string {
  return encodeCursor(FEED, [position.txId, position.sequence]);
}

export function decodeFeedCursor(cursor: string): FeedPosition {
  const decoded = decodeCursor(cursor, 2);
  const [txId, sequence] = decoded?.position ?? [];
  if (decoded?.tag !== FEED || !DIGITS.test(txId) || !DIGITS.test(sequence)) {
    throw new ApiError('bad_request', '"after" is not a cursor of the change feed', [
      { field: 'after', problem: 'must be a nextCursor or an event cursor returned by GET /api/v1/events' },
    ]);
  }
  return { txId, sequence };
}
