import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../common/api-error';
import { etagIsCurrent, etagMatches, etagOf } from '../common/etag';
import { decodeFeedCursor, decodeListCursor, encodeFeedCursor, encodeListCursor } from './notification-cursor';

const position = { at: new Date('2026-03-01T10:00:00.123Z'), id: '6a1f0f37-0c8b-4a57-9b7b-4f0e5b2a9c11' };

describe('list cursors', () => {
  it('round-trips the position of the sort it was made for', () => {
    assert.deepEqual(decodeListCursor(encodeListCursor('openedAt', position), 'openedAt'), position);
  });

  it('refuses a cursor of another sort, naming both', () => {
    assert.throws(
      () => decodeListCursor(encodeListCursor('-openedAt', position), 'openedAt'),
      (error: ApiError) =>
        error.code === 'bad_request' &&
        /returned for sort=-openedAt, not sort=openedAt/.test(error.details![0].problem),
    );
  });

  it('refuses anything that is not a cursor, and a feed cursor', () => {
    for (const cursor of [
      '',
      'garbage',
      Buffer.from('[1,2,3]').toString('base64url'),
      encodeFeedCursor({ txId: '1', sequence: '2' }),
    ]) {
      assert.throws(() => decodeListCursor(cursor, '-openedAt'), ApiError, cursor);
    }
  });
});

describe('feed cursors', () => {
  it('round-trips a position', () => {
    const at = { txId: '9007199254740993', sequence: '42' };
    assert.deepEqual(decodeFeedCursor(encodeFeedCursor(at)), at);
  });

  it('refuses a list cursor and malformed positions', () => {
    const bad = [
      encodeListCursor('-openedAt', position),
      Buffer.from(JSON.stringify(['f1', '1; DROP', '2'])).toString('base64url'),
      Buffer.from(JSON.stringify(['f1', 1, 2])).toString('base64url'),
      'not-base64-json',
    ];
    for (const cursor of bad) assert.throws(() => decodeFeedCursor(cursor), ApiError, cursor);
  });
});

describe('ETags', () => {
  it('match their version exactly, in a list, weak or not, and *', () => {
    assert.equal(etagOf(7), '"7"');
    assert.ok(etagMatches('"7"', 7));
    assert.ok(etagMatches('W/"7"', 7));
    assert.ok(etagMatches('"3", "7"', 7));
    assert.ok(etagMatches('*', 7));
    assert.ok(!etagMatches('"70"', 7));
    assert.ok(!etagMatches('7', 7));
  });

  it('tell holds apart for If-None-Match, and only the version for If-Match', () => {
    const held = etagOf(7, [{ kind: 'silence', id: 'a', endsAt: '2026-01-01T00:00:00Z' }]);
    const heldElsewhere = etagOf(7, [{ kind: 'silence', id: 'b', endsAt: '2026-01-01T00:00:00Z' }]);
    assert.match(held, /^"7-[\w-]{12}"$/);
    assert.notEqual(held, heldElsewhere);
    assert.equal(etagOf(7, []), '"7"');
    assert.ok(etagIsCurrent(held, held));
    assert.ok(etagIsCurrent(`W/${held}`, held));
    assert.ok(etagIsCurrent('*', held));
    assert.ok(!etagIsCurrent('"7"', held));
    assert.ok(!etagIsCurrent(held, '"7"'));
    assert.ok(etagMatches(held, 7));
    assert.ok(!etagMatches(held, 70));
    assert.ok(!etagMatches('"7-x"', 70));
  });
});
