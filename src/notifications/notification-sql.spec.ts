import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventArrays, eventJson } from './notification-sql';

describe('eventArrays', () => {
  const parsed = (arrays: string[]) => arrays.map((a) => (JSON.parse(a) as { n: number }[]).map((e) => e.n));

  it('puts the events in order into arrays of at most maxChars, one too long alone', () => {
    const events = [1, 2, 3, 4, 5].map((n) => JSON.stringify({ n, pad: 'x'.repeat(n === 3 ? 50 : 10) }));
    assert.deepEqual(parsed(eventArrays(events, 40)), [[1], [2], [3], [4], [5]]);
    assert.deepEqual(parsed(eventArrays(events, 60)), [[1, 2], [3], [4, 5]]);
    assert.deepEqual(parsed(eventArrays(events, 10_000)), [[1, 2, 3, 4, 5]]);
    assert.deepEqual(eventArrays([]), []);
  });
});

describe('eventJson', () => {
  it("writes times in UTC as ISO 8601, the year 0 as PostgreSQL's 1 BC, and keeps a null payload as JSON's null", () => {
    const event = JSON.parse(
      eventJson(
        '6f1c2f0e-1f6e-4a8e-9a4b-2d1f0c3e5a7b',
        {
          type: 'opened',
          receivedAt: new Date('2026-12-02T14:00:00.123Z'),
          sourceTime: new Date('0000-06-01T00:00:00Z'),
          payload: null,
          details: {},
        },
        1,
      ),
    ) as Record<string, unknown>;
    assert.equal(event.received_at, '2026-12-02T14:00:00.123Z');
    assert.equal(event.source_time, '0001-06-01T00:00:00.000+00:00 BC');
    assert.equal(event.payload, null);
    assert.ok('payload' in event);
  });
});
