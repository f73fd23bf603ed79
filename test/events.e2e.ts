import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { AlertRelayClient, FeedEvent, followEvents } from '../clients/typescript/src';
import { stackStateClose, stackStateOpen } from './support/fixtures';
import { sdk } from './support/sdk';
import { call } from './support/spec-client';
import { STACKSTATE_TOKEN, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { TEST_DB } from './support/test-database';

describe(`change feed (${TEST_DB})`, () => {
  let app: TestApp;
  let reader: AlertRelayClient;
  let writer: AlertRelayClient;
  before(async () => {
    app = await startTestApp();
    reader = sdk(app.url);
    writer = sdk(app.url, WRITE_API_KEY);
  });
  after(async () => {
    await app?.close();
  });

  const send = async (body: unknown) => {
    const response = await call(app.url, 'receiveStackStateEvent', {
      body,
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body as { notificationId: string; result: string };
  };
  /** Every event from `after` to the end of the feed as it is now. */
  const drain = async (after?: string) => {
    const events: FeedEvent[] = [];
    let cursor = after;
    for (;;) {
      const { data, error } = await reader.GET('/api/v1/events', { params: { query: { after: cursor, limit: 7 } } });
      assert.ok(data, JSON.stringify(error));
      events.push(...data.items);
      if (data.items.length === 0) return { events, cursor: data.nextCursor };
      cursor = data.nextCursor;
    }
  };
  const endOfFeed = async () => (await drain()).cursor;

  it('serves every event once, in order, to a reader that resumes from any cursor', async () => {
    const start = await endOfFeed();
    const a = stackStateOpen();
    const opened = await send(a);
    await send(stackStateOpen({ notificationId: a.notificationId, state: 'DEVIATING' }));
    await send(stackStateClose(a.notificationId));
    await writer.PUT('/api/v1/notifications/{id}/external-refs/{system}', {
      params: { path: { id: opened.notificationId, system: 'jira' } },
      body: { id: 'OPS-7' },
    });
    const { events } = await drain(start);
    assert.deepEqual(
      events.map((e) => [e.notificationId, e.type]),
      [
        [opened.notificationId, 'opened'],
        [opened.notificationId, 'updated'],
        [opened.notificationId, 'closed'],
        [opened.notificationId, 'ticket_linked'],
      ],
    );
    // Resuming from each event's cursor yields exactly the events after it.
    for (let i = 0; i < events.length; i++) {
      const rest = await drain(events[i].cursor);
      assert.deepEqual(
        rest.events.map((e) => e.sequence),
        events.slice(i + 1).map((e) => e.sequence),
      );
    }
  });

  it('is not held up by a sequence gap from a rolled-back transaction', async () => {
    const start = await endOfFeed();
    const { notificationId } = await send(stackStateOpen());
    const db = new Client({ connectionString: app.database.url });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query(
        `INSERT INTO notification_events (notification_id, type, revision, received_at, payload)
         VALUES ($1, 'updated', 2, now(), '{}')`,
        [notificationId],
      );
      await db.query('ROLLBACK');
    } finally {
      await db.end();
    }
    await writer.POST('/api/v1/notifications/{id}/acknowledge', {
      params: { path: { id: notificationId } },
      body: { by: 'dave' },
    });
    const { events } = await drain(start);
    assert.deepEqual(
      events.map((e) => e.type),
      ['opened', 'acknowledged'],
    );
    assert.ok(BigInt(events[1].sequence) - BigInt(events[0].sequence) >= 2n, 'the rollback left a gap');
  });

  it(
    'holds back an event committed after a transaction that is still open, so a resuming reader misses neither',
    { skip: TEST_DB === 'embedded' ? 'PGlite runs one transaction at a time, so writers cannot interleave' : false },
    async () => {
      const { notificationId: slowId } = await send(stackStateOpen());
      const { notificationId: fastId } = await send(stackStateOpen());
      const start = await endOfFeed();
      const slow = new Client({ connectionString: app.database.url });
      await slow.connect();
      try {
        // A writer that takes its sequence number first and commits last.
        await slow.query('BEGIN');
        await slow.query(
          `INSERT INTO notification_events (notification_id, type, revision, received_at, payload, details)
           VALUES ($1, 'acknowledged', 1, now(), '{}', '{"by": "slow writer"}')`,
          [slowId],
        );
        const fast = await writer.POST('/api/v1/notifications/{id}/acknowledge', {
          params: { path: { id: fastId } },
          body: { by: 'fast writer' },
        });
        assert.equal(fast.response.status, 200);
        const whileOpen = await drain(start);
        assert.deepEqual(whileOpen.events, [], 'an event was served while an older transaction could still commit');
        assert.equal(whileOpen.cursor, start);
        await slow.query('COMMIT');
      } finally {
        await slow.end();
      }
      const { events } = await drain(start);
      assert.deepEqual(
        events.map((e) => [e.notificationId, e.details.by]),
        [
          [slowId, 'slow writer'],
          [fastId, 'fast writer'],
        ],
      );
      assert.ok(BigInt(events[0].sequence) < BigInt(events[1].sequence));
    },
  );

  it('gives a reader following with the SDK every event of concurrent writers exactly once', async () => {
    const start = await endOfFeed();
    const controller = new AbortController();
    const received: FeedEvent[] = [];
    let expected: FeedEvent[] = [];
    let stopped = false;
    const following = (async () => {
      for await (const event of followEvents(reader, {
        after: start,
        waitSeconds: 2,
        limit: 5,
        signal: controller.signal,
      }))
        received.push(event);
    })().finally(() => (stopped = true));
    try {
      const writers = Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 6; i++) {
          const body = stackStateOpen();
          const { notificationId } = await send(body);
          await Promise.all([
            send(stackStateClose(body.notificationId)),
            writer.POST('/api/v1/notifications/{id}/acknowledge', {
              params: { path: { id: notificationId } },
              body: { by: 'writer' },
            }),
          ]);
        }
      });
      await Promise.all(writers);
      expected = (await drain(start)).events;
      assert.equal(expected.length, 4 * 6 * 3);
      while (received.length < expected.length && !stopped) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      controller.abort();
      await following;
    }
    assert.deepEqual(
      received.map((e) => e.sequence),
      expected.map((e) => e.sequence),
    );
  });

  it('long-polls with wait until an event arrives, and answers empty with the same cursor when none does', async () => {
    const start = await endOfFeed();
    const empty = await reader.GET('/api/v1/events', { params: { query: { after: start, wait: 1 } } });
    assert.deepEqual(empty.data, { items: [], nextCursor: start });
    const waiting = reader.GET('/api/v1/events', { params: { query: { after: start, wait: 30 } } });
    const { notificationId } = await send(stackStateOpen());
    const { data } = await waiting;
    assert.equal(data?.items[0]?.notificationId, notificationId);
    assert.equal(data?.items[0]?.type, 'opened');
  });

  it('answers 400 for a cursor that is not from the feed, and past the limits of limit and wait', async () => {
    const list = await reader.GET('/api/v1/notifications', { params: { query: { limit: 1 } } });
    assert.ok(list.data?.nextCursor);
    const foreign = await reader.GET('/api/v1/events', { params: { query: { after: list.data.nextCursor } } });
    assert.equal(foreign.response.status, 400);
    assert.equal(foreign.error?.details?.[0].field, 'after');
    const tooMany = await reader.GET('/api/v1/events', { params: { query: { limit: 501 } } });
    assert.deepEqual(tooMany.error?.details, [
      { field: 'limit', problem: 'must be at most 500; follow nextCursor for more' },
    ]);
    const tooLong = await reader.GET('/api/v1/events', { params: { query: { wait: 61 } } });
    assert.deepEqual(tooLong.error?.details, [{ field: 'wait', problem: 'must be at most 60 seconds' }]);
  });
});
