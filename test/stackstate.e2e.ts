import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { stackStateClose, stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import { API_KEY, STACKSTATE_TOKEN, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

describe(`StackState webhook (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  const send = (body: unknown, token: string | null = STACKSTATE_TOKEN) =>
    call(app.url, 'receiveStackStateEvent', {
      body,
      headers: token === null ? {} : { 'X-StackState-Webhook-Token': token },
    });
  const auth = { Authorization: `Bearer ${API_KEY}` };
  const byExternalId = async (externalId: string) =>
    (await call(app.url, 'listNotifications', { query: { externalId, source: 'stackstate' }, headers: auth })).body
      .items;
  const events = async (id: string) =>
    (await call(app.url, 'listNotificationEvents', { params: { id }, headers: auth })).body.items;

  it('opens, updates on a new state or title, treats repeats as duplicates, ignores stale messages, and closes', async () => {
    const id = randomUUID();
    const open = await send(stackStateOpen({ notificationId: id, state: 'DEVIATING', triggeredTimeMs: 1000 }));
    assert.equal(open.status, 200);
    assert.equal(open.body.result, 'opened');
    assert.equal(open.body.revision, 1);
    const notificationId = open.body.notificationId;

    const [opened] = await byExternalId(id);
    assert.equal(opened.id, notificationId);
    assert.equal(opened.status, 'open');
    assert.equal(opened.severity, 'warning');
    assert.equal(opened.sourceState, 'DEVIATING');
    assert.equal(opened.sourceInstance, 'prod');
    assert.equal(opened.host, 'catalogue');
    assert.deepEqual(opened.metadata, { team: 'Team A' });
    assert.ok(opened.tags.includes('cluster-name:k8s-demo-cluster'));
    assert.deepEqual(
      opened.links.map((l: { rel: string }) => l.rel),
      ['monitor', 'component'],
    );

    // The producer retries the same message: nothing changes but lastSeenAt/duplicateCount.
    const retry = await send(stackStateOpen({ notificationId: id, state: 'DEVIATING', triggeredTimeMs: 1000 }));
    assert.equal(retry.body.result, 'duplicate');
    assert.equal(retry.body.revision, 1);

    const critical = await send(stackStateOpen({ notificationId: id, state: 'CRITICAL', triggeredTimeMs: 2000 }));
    assert.equal(critical.body.result, 'updated');
    assert.equal(critical.body.revision, 2);

    const retitled = await send(
      stackStateOpen({ notificationId: id, state: 'CRITICAL', title: 'New title', triggeredTimeMs: 3000 }),
    );
    assert.equal(retitled.body.result, 'updated');
    assert.equal(retitled.body.revision, 3);

    // An older message arriving late (the producer's retry of the DEVIATING open) is acknowledged, ignored.
    const stale = await send(stackStateOpen({ notificationId: id, state: 'DEVIATING', triggeredTimeMs: 1000 }));
    assert.equal(stale.status, 200);
    assert.equal(stale.body.result, 'stale');

    const close = await send(stackStateClose(id, 'HealthStateResolved'));
    assert.equal(close.body.result, 'closed');
    assert.equal(close.body.revision, 4);

    const closeAgain = await send(stackStateClose(id, 'HealthStateResolved'));
    assert.equal(closeAgain.body.result, 'duplicate');

    // An open after the close is a late retry: a notificationId is never reused by StackState.
    const late = await send(
      stackStateOpen({ notificationId: id, state: 'CRITICAL', title: 'New title', triggeredTimeMs: 3000 }),
    );
    assert.equal(late.body.result, 'stale');

    const [closed] = await byExternalId(id);
    assert.equal(closed.status, 'closed');
    assert.equal(closed.closeReason, 'HealthStateResolved');
    assert.equal(closed.title, 'New title');
    assert.equal(closed.severity, 'critical');
    assert.equal(closed.revision, 4);
    assert.equal(closed.duplicateCount, 2);
    assert.ok(closed.closedAt);

    const history = await events(notificationId);
    assert.deepEqual(
      history.map((e: { type: string; revision: number }) => [e.type, e.revision]),
      [
        ['opened', 1],
        ['updated', 2],
        ['updated', 3],
        ['closed', 4],
      ],
    );
    assert.equal(history[0].payload.event.state, 'DEVIATING', 'the raw payload is kept');
    assert.deepEqual(history[1].details.changed, ['sourceState']);
    assert.deepEqual(history[2].details.changed, ['title']);
  });

  it('records a close for an id it never saw, without an error', async () => {
    const id = randomUUID();
    const close = await send(stackStateClose(id, 'ConfigRemoved'));
    assert.equal(close.status, 200);
    assert.equal(close.body.result, 'recorded');
    const [recorded] = await byExternalId(id);
    assert.equal(recorded.status, 'closed');
    assert.equal(recorded.closeReason, 'ConfigRemoved');
    assert.equal(recorded.title, 'HTTP - response time - is above 3 seconds');
    const [event] = await events(recorded.id);
    assert.equal(event.type, 'closed');
    assert.match(String(event.details.note), /never open/);
  });

  it('accepts the older object form of tags, and the older envelope `tags` instead of `metadata`', async () => {
    const id = randomUUID();
    const body = stackStateOpen({ notificationId: id }) as Record<string, any>;
    body.component.tags = { customer: 'example_com' };
    body.monitor.tags = {};
    delete body.metadata;
    body.tags = { team: 'Team B' };
    body.unknownField = 'ignored';
    const response = await send(body);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const [n] = await byExternalId(id);
    assert.deepEqual(n.tags, ['customer:example_com']);
    assert.deepEqual(n.metadata, { team: 'Team B' });
  });

  it('ends 20 identical parallel opens as one notification with one opened event', async () => {
    const id = randomUUID();
    const body = stackStateOpen({ notificationId: id });
    const results = await Promise.all(Array.from({ length: 20 }, () => send(body)));
    assert.ok(results.every((r) => r.status === 200));
    const counts = results.reduce<Record<string, number>>(
      (acc, r) => ({ ...acc, [r.body.result]: (acc[r.body.result] ?? 0) + 1 }),
      {},
    );
    assert.deepEqual(counts, { opened: 1, duplicate: 19 });
    const items = await byExternalId(id);
    assert.equal(items.length, 1);
    assert.equal(items[0].duplicateCount, 19);
    const history = await events(items[0].id);
    assert.deepEqual(
      history.map((e: { type: string }) => e.type),
      ['opened'],
    );
  });

  it('answers 401 for a missing or wrong token and stores nothing', async () => {
    const id = randomUUID();
    const missing = await send(stackStateOpen({ notificationId: id }), null);
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error, 'unauthorized');
    const wrong = await send(stackStateOpen({ notificationId: id }), 'not-the-token');
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.message, /X-StackState-Webhook-Token/);
    assert.equal((await byExternalId(id)).length, 0);
  });

  it('answers 400 naming each bad field for a schema violation', async () => {
    const body = stackStateOpen() as Record<string, any>;
    body.notificationId = 'not-a-uuid';
    body.event.state = 'BROKEN';
    delete body.event.triggeredTimeMs;
    delete body.component.link;
    const response = await send(body);
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'validation_failed');
    const fields = response.body.details.map((d: { field: string }) => d.field).sort();
    assert.deepEqual(fields, ['component.link', 'event.state', 'event.triggeredTimeMs', 'notificationId']);
    const wrongType = await send({ ...stackStateOpen(), event: { type: 'reopen' } });
    assert.deepEqual(wrongType.body.details, [
      { field: 'event.type', problem: 'must be one of the following values: open, close' },
    ]);
    const badClose = await send({ ...stackStateClose(randomUUID()), event: { type: 'close', reason: 'Whatever' } });
    assert.equal(badClose.status, 400);
    assert.equal(badClose.body.details[0].field, 'event.reason');
  });

  it('answers 400 for malformed JSON, 415 for a body that is not JSON, 413 past the body limit', async () => {
    const malformed = await send('{"notificationId": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error, 'malformed_json');
    const notJson = await call(app.url, 'receiveStackStateEvent', {
      body: 'notificationId=1',
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(notJson.status, 415);
    assert.equal(notJson.body.error, 'unsupported_media_type');
    const big = stackStateOpen() as Record<string, any>;
    big.metadata = { padding: 'x'.repeat(70 * 1024) };
    const tooLarge = await send(big);
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.error, 'payload_too_large');
    const empty = await send([]);
    assert.equal(empty.status, 400);
  });

  it('carries a request id on every response, taken from X-Request-Id when given', async () => {
    const response = await call(app.url, 'receiveStackStateEvent', {
      body: {},
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN, 'X-Request-Id': 'trace-123' },
    });
    assert.equal(response.headers.get('x-request-id'), 'trace-123');
    assert.equal(response.body.requestId, 'trace-123');
  });
});
