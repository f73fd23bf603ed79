import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { DataSource } from 'typeorm';
import { after, before, beforeEach, describe, it } from 'node:test';
import { stackStateClose, stackStateOpen } from './support/fixtures';
import { FAST_DELIVERY } from './support/delivery-config';
import { BackgroundWrites } from '../src/database/background-writes';
import { eventually, FakeChannel } from './support/fake-channel';
import { call } from './support/spec-client';
import { API_KEY, WRITE_API_KEY, defaultTestConfig, STACKSTATE_TOKEN, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const auth = { Authorization: `Bearer ${API_KEY}` };
const writeAuth = { Authorization: `Bearer ${WRITE_API_KEY}` };

describe(`delivery (${TEST_DB})`, () => {
  let app: TestApp;
  const hook = new FakeChannel();
  const other = new FakeChannel();

  before(async () => {
    await hook.start();
    await other.start();
    app = await startTestApp({
      config: {
        ...defaultTestConfig(),
        channels: {
          hook: { type: 'webhook', url: `${hook.url}/hook`, secret: SECRET, headers: { 'x-api-key': 'k-123' } },
          other: { type: 'webhook', url: `${other.url}/other` },
          nowhere: { type: 'webhook', url: 'http://127.0.0.1:9/never' },
        },
        routes: [
          { name: 'warnings', match: { severity: 'warning' }, channels: ['other'] },
          { name: 'stackstate', match: { source: 'stackstate' }, channels: ['hook'] },
        ],
        defaultChannels: ['other'],
        delivery: FAST_DELIVERY,
      },
    });
  });
  after(async () => {
    await app?.close();
    await hook.close();
    await other.close();
  });
  beforeEach(() => {
    hook.requests.length = 0;
    other.requests.length = 0;
    hook.answer = () => ({});
    other.answer = () => ({});
  });

  const send = (body: unknown) =>
    call(app.url, 'receiveStackStateEvent', { body, headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN } });
  const deliveriesOf = async (notificationId: string) =>
    (await call(app.url, 'listNotificationDeliveries', { params: { id: notificationId }, headers: auth })).body.items;

  it('sends a signed Standard Webhooks request per revision, with the delivery id as webhook-id', async () => {
    const id = randomUUID();
    const opened = await send(stackStateOpen({ notificationId: id, state: 'CRITICAL' }));
    await hook.waitFor(1);
    const [request] = hook.requests;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/hook');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['x-api-key'], 'k-123');
    const webhookId = request.headers['webhook-id'] as string;
    const timestamp = request.headers['webhook-timestamp'] as string;
    assert.match(timestamp, /^\d{10}$/);
    const expected = createHmac('sha256', Buffer.from(SECRET.slice(6), 'base64'))
      .update(`${webhookId}.${timestamp}.${request.body}`)
      .digest('base64');
    assert.equal(request.headers['webhook-signature'], `v1,${expected}`);
    assert.equal(request.json.type, 'notification.opened');
    assert.equal(request.json.data.deliveryId, webhookId);
    assert.equal(request.json.data.notification.id, opened.body.notificationId);
    assert.equal(request.json.data.notification.revision, 1);
    assert.equal(request.json.data.notification.severity, 'critical');

    await send(stackStateClose(id));
    await hook.waitFor(2);
    assert.equal(hook.requests[1].json.type, 'notification.resolved');
    assert.equal(hook.requests[1].json.data.notification.revision, 2);
    assert.notEqual(hook.requests[1].headers['webhook-id'], webhookId);
    assert.equal(other.requests.length, 0, 'the first matching route ends the walk');

    const deliveries = await eventually(async () => {
      const items = await deliveriesOf(opened.body.notificationId);
      return items.every((d: { status: string }) => d.status === 'delivered') ? items : undefined;
    });
    assert.deepEqual(
      deliveries.map((d: any) => [d.channel, d.revision, d.kind, d.status, d.route, d.attempts]),
      [
        ['hook', 1, 'opened', 'delivered', 'stackstate', 1],
        ['hook', 2, 'resolved', 'delivered', 'stackstate', 1],
      ],
    );
    assert.equal(deliveries[0].id, webhookId);
    assert.equal(deliveries[0].attemptLog[0].statusCode, 200);
    assert.equal(deliveries[0].attemptLog[0].outcome, 'success');
  });

  it('keeps sending later revisions to a channel an earlier revision went to, even when the route stops matching', async () => {
    const id = randomUUID();
    await send(stackStateOpen({ notificationId: id, state: 'DEVIATING', triggeredTimeMs: 1 }));
    await other.waitFor(1);
    await send(stackStateOpen({ notificationId: id, state: 'CRITICAL', triggeredTimeMs: 2 }));
    await hook.waitFor(1);
    await other.waitFor(2);
    assert.equal(other.requests[1].json.data.notification.revision, 2);
    assert.equal(hook.requests[0].json.data.notification.revision, 2);
  });

  it('retries 500 and 429 (honouring Retry-After) with the same webhook-id, then succeeds', async () => {
    hook.answer = (_r, i) =>
      i === 0 ? { status: 500, body: 'boom' } : i === 1 ? { status: 429, headers: { 'retry-after': '1' } } : {};
    const opened = await send(stackStateOpen());
    await hook.waitFor(3);
    const ids = new Set(hook.requests.map((r) => r.headers['webhook-id']));
    assert.equal(ids.size, 1);
    assert.ok(hook.requests[2].receivedAt - hook.requests[1].receivedAt >= 900, 'waited for Retry-After');
    const [delivery] = await eventually(async () => {
      const items = await deliveriesOf(opened.body.notificationId);
      return items[0]?.status === 'delivered' ? items : undefined;
    });
    assert.equal(delivery.attempts, 3);
    assert.deepEqual(
      delivery.attemptLog.map((a: any) => [a.attempt, a.outcome, a.statusCode]),
      [
        [1, 'retry', 500],
        [2, 'retry', 429],
        [3, 'success', 200],
      ],
    );
    assert.equal(delivery.attemptLog[0].response, 'boom');
  });

  it('dead-letters a permanent failure, lists it, and replays it with the same id', async () => {
    hook.answer = () => ({ status: 404, body: 'no_service' });
    const opened = await send(stackStateOpen());
    const [dead] = await eventually(async () => {
      const items = await deliveriesOf(opened.body.notificationId);
      return items[0]?.status === 'dead' ? items : undefined;
    });
    assert.equal(dead.attempts, 1);
    assert.equal(dead.lastStatusCode, 404);
    assert.equal(hook.requests.length, 1, 'a permanent failure is not retried');
    const listed = await call(app.url, 'listDeliveries', { query: { status: 'dead', channel: 'hook' }, headers: auth });
    assert.equal(listed.status, 200);
    assert.ok(listed.body.items.some((d: { id: string }) => d.id === dead.id));

    hook.answer = () => ({});
    const readOnly = await call(app.url, 'retryDelivery', { params: { id: dead.id }, headers: auth });
    assert.equal(readOnly.status, 403, 'a replay needs the write scope');
    const replay = await call(app.url, 'retryDelivery', { params: { id: dead.id }, headers: writeAuth });
    assert.equal(replay.status, 202);
    assert.equal(replay.body.status, 'pending');
    await hook.waitFor(2);
    assert.equal(hook.requests[1].headers['webhook-id'], dead.id);
    const again = await eventually(async () => {
      const items = await deliveriesOf(opened.body.notificationId);
      return items[0]?.status === 'delivered' ? items[0] : undefined;
    });
    assert.equal(again.attemptLog.length, 2);

    const pendingReplay = await call(app.url, 'retryDelivery', { params: { id: randomUUID() }, headers: writeAuth });
    assert.equal(pendingReplay.status, 404);
  });

  it('gives up after maxAge and dead-letters, even while the endpoint keeps failing', async () => {
    const slowApp = await startTestApp({
      config: {
        ...defaultTestConfig(),
        channels: { hook: { type: 'webhook', url: `${hook.url}/hook`, maxAge: '1s' } },
        defaultChannels: ['hook'],
        delivery: FAST_DELIVERY,
      },
    });
    try {
      hook.answer = () => ({ status: 503 });
      const opened = await call(slowApp.url, 'receiveStackStateEvent', {
        body: stackStateOpen(),
        headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
      });
      const delivery = await eventually(async () => {
        const items = (
          await call(slowApp.url, 'listNotificationDeliveries', {
            params: { id: opened.body.notificationId },
            headers: auth,
          })
        ).body.items;
        return items[0]?.status === 'dead' ? items[0] : undefined;
      });
      assert.ok(delivery.attempts > 2);
      assert.match(delivery.lastError, /maxAge/);
    } finally {
      await slowApp.close();
    }
  });

  it('sends revisions of one notification in order, and a newer one supersedes those not yet sent', async () => {
    const id = randomUUID();
    // The first send is held: revisions 2, 3 and 4 arrive while revision 1 is in flight.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    hook.answer = (_r, i) => (i === 0 ? { until: held } : {});
    const first = await send(stackStateOpen({ notificationId: id, triggeredTimeMs: 1 }));
    await eventually(() => Promise.resolve(hook.requests.length === 1 ? true : undefined));
    await send(stackStateOpen({ notificationId: id, title: 'Changed', triggeredTimeMs: 2 }));
    await send(stackStateOpen({ notificationId: id, title: 'Changed again', triggeredTimeMs: 3 }));
    await send(stackStateClose(id));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(hook.requests.length, 1, 'nothing else goes out while revision 1 is in flight');
    release();
    const deliveries = await eventually(async () => {
      const items = await deliveriesOf(first.body.notificationId);
      return items.length === 4 && items.every((d: { status: string }) => d.status !== 'pending') ? items : undefined;
    });
    assert.deepEqual(
      deliveries.map((d: any) => [d.revision, d.status]),
      [
        [1, 'delivered'],
        [2, 'superseded'],
        [3, 'superseded'],
        [4, 'delivered'],
      ],
    );
    assert.deepEqual(
      hook.requests.map((r) => r.json.data.notification.revision),
      [1, 4],
    );
    assert.ok(hook.requests[1].receivedAt >= hook.requests[0].answeredAt!, 'revision 4 waited for revision 1');
  });

  it('retries a hanging endpoint after the timeout', async () => {
    hook.answer = (_r, i) => (i === 0 ? { hang: true } : {});
    const opened = await send(stackStateOpen());
    await hook.waitFor(2);
    const delivery = await eventually(async () => {
      const items = await deliveriesOf(opened.body.notificationId);
      return items[0]?.status === 'delivered' ? items[0] : undefined;
    });
    assert.match(delivery.attemptLog[0].error, /timed out/);
    assert.equal(delivery.attemptLog[0].statusCode, null);
  });

  it('lists channels without secrets', async () => {
    const response = await call(app.url, 'listChannels', { headers: auth });
    assert.equal(response.status, 200);
    assert.deepEqual(
      response.body.items.map((c: any) => [c.name, c.type, c.circuit]),
      [
        ['hook', 'webhook', 'closed'],
        ['other', 'webhook', 'closed'],
        ['nowhere', 'webhook', 'closed'],
      ],
    );
    const text = JSON.stringify(response.body);
    assert.ok(!text.includes(SECRET.slice(6)) && !text.includes('k-123') && !text.includes('/hook'), text);
    const unauthorized = await call(app.url, 'listChannels');
    assert.equal(unauthorized.status, 401);
  });

  it('sends a test message through a channel and answers what the service said', async () => {
    hook.answer = () => ({ status: 202, body: 'accepted' });
    const ok = await call(app.url, 'testChannel', { params: { name: 'hook' }, headers: writeAuth });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.outcome, 'success');
    assert.equal(ok.body.statusCode, 202);
    assert.equal(ok.body.response, 'accepted');
    assert.equal(hook.requests[0].json.type, 'notification.test');
    const down = await call(app.url, 'testChannel', { params: { name: 'nowhere' }, headers: writeAuth });
    assert.equal(down.body.outcome, 'retry');
    assert.match(down.body.error, /network error/);
    const missing = await call(app.url, 'testChannel', { params: { name: 'nope' }, headers: writeAuth });
    assert.equal(missing.status, 404);
  });

  it('answers which routes and channels a notification or a raw payload would reach, sending nothing', async () => {
    const byFields = await call(app.url, 'testRoutes', {
      headers: auth,
      body: { notification: { source: 'monasca', severity: 'warning', title: 'Disk', host: 'db-1' } },
    });
    assert.equal(byFields.status, 200);
    assert.deepEqual(byFields.body.matchedRoutes, ['warnings']);
    assert.deepEqual(
      byFields.body.deliveries.map((d: any) => d.channel),
      ['other'],
    );
    assert.equal(byFields.body.deliveries[0].request.body.type, 'notification.opened');

    const raw = await call(app.url, 'testRoutes', {
      headers: auth,
      body: { stackstate: stackStateOpen({ state: 'CRITICAL' }) },
    });
    assert.deepEqual(raw.body.matchedRoutes, ['stackstate']);
    const [preview] = raw.body.deliveries;
    assert.equal(preview.channel, 'hook');
    assert.equal(preview.request.headers['webhook-signature'], '[redacted]');
    assert.equal(preview.request.headers['x-api-key'], '[redacted]');
    assert.equal(preview.request.body.data.notification.host, 'catalogue');

    const nothing = await call(app.url, 'testRoutes', {
      headers: auth,
      body: { notification: { source: 'email', severity: 'info', title: 'x' } },
    });
    assert.deepEqual(nothing.body.matchedRoutes, []);
    assert.deepEqual(
      nothing.body.deliveries.map((d: any) => d.route),
      ['defaultChannels'],
    );
    const neither = await call(app.url, 'testRoutes', { headers: auth, body: {} });
    assert.equal(neither.status, 400);
    assert.equal(hook.requests.length + other.requests.length, 0, 'nothing was sent');
  });

  it('delivers a one-shot mail once, as an opened message routed like any notification', async () => {
    assert.ok(app.smtpPort);
    const subject = `Disk almost full ${randomUUID()}`;
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: app.smtpPort, ignoreTLS: true })
      .sendMail({ from: 'cron@example.com', to: 'alerts@example.com', subject, text: 'at 97%' });
    await other.waitFor(1);
    const [request] = other.requests;
    assert.equal(request.json.type, 'notification.opened');
    assert.equal(request.json.data.notification.source, 'email');
    assert.equal(request.json.data.notification.title, subject);
    assert.equal(hook.requests.length, 0);
  });

  it('exposes Prometheus metrics', async () => {
    await send(stackStateOpen());
    await hook.waitFor(1);
    const metrics = await eventually(async () => {
      const response = await call<string>(app.url, 'getMetrics');
      return /alert_relay_deliveries_total\{channel="hook",result="delivered"\} \d+/.test(response.body)
        ? response.body
        : undefined;
    });
    assert.match(metrics, /alert_relay_ingest_requests_total\{source="stackstate",result="opened"\} \d+/);
    assert.match(metrics, /alert_relay_delivery_attempt_duration_seconds_count\{channel="hook"\} \d+/);
    assert.match(metrics, /alert_relay_outbox_ready\{channel="hook"\} \d+/);
    assert.match(metrics, /alert_relay_dead_letters\{channel="hook"\} \d+/);
    assert.match(metrics, /alert_relay_circuit_state\{channel="nowhere"\} 0/);
    assert.match(metrics, /alert_relay_notifications_open [1-9]/);
    // Node's own, for memory and event-loop trouble.
    assert.match(metrics, /^process_resident_memory_bytes [1-9]/m);
    assert.match(metrics, /^nodejs_heap_size_used_bytes [1-9]/m);
    assert.match(metrics, /^nodejs_eventloop_lag_p99_seconds /m);
  });

  it("commits the workers' bookkeeping without waiting for the WAL flush, and nothing else", async () => {
    const background = app.app.get(BackgroundWrites, { strict: false });
    const dataSource = app.app.get(DataSource);
    const setting = "SELECT current_setting('synchronous_commit') AS s";
    const [inside] = await background.query<{ s: string }>(setting);
    assert.equal(inside.s, 'off');
    // A failed statement rolls its transaction back and leaves the connection usable.
    await assert.rejects(background.query('SELECT 1 / 0'), /division by zero/);
    // Every pooled connection (more asked at once than the pool holds) is back to synchronous commits:
    // the setting was the transaction's own, not the session's, so ingest and the API keep theirs.
    const rows = await Promise.all(Array.from({ length: 24 }, () => dataSource.query<{ s: string }[]>(setting)));
    assert.deepEqual(new Set(rows.map(([row]) => row.s)), new Set(['on']));
  });
});
