import { ApiError } from '../common/api-error';
import { NotificationSort } from '../common/api-types';

export interface ListPosition {
  openedAt: Date;
  id: string;
}

// Opaque to clients: base64url of [sort, openedAt, id] of the last item returned. The sort is inside so
// that a cursor is only ever resumed in the order it was made for.
export function encodeListCursor(sort: NotificationSort, position: ListPosition): string {
  return Buffer.from(JSON.stringify([sort, position.openedAt.toISOString(), position.id])).toString('base64url');
}

export function decodeListCursor(cursor: string, sort: NotificationSort): ListPosition {
  const invalid = (problem = 'must be a nextCursor returned by this API') =>
    new ApiError('bad_request', 'cursor is not valid', [{ field: 'cursor', problem }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [cursorSort, openedAt, id] = parsed as unknown[];
  if (cursorSort !== sort) {
    throw invalid(
      `was returned for sort=${String(cursorSort)}, not sort=${sort}; send the same sort with it, or start again without a cursor`,
    );
  }
  const date = typeof openedAt === 'string' ? new Date(openedAt) : new Date(NaN);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (Number.isNaN(date.getTime()) || typeof id !== 'string' || !uuid.test(id)) throw invalid();
  return { openedAt: date, id };
}
