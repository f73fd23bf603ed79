import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FAST_DELIVERY } from './support/delivery-config';
import { closeOn, digestsIn, found, groupValue, openOn, sendStackState } from './support/digests';
import { eventually, FakeChannel, RecordedRequest } from './support/fake-channel';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { TEST_DB } from './support/test-database';

const auth = { Authorization: `Bearer ${API_KEY}` };
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const WAIT = 500;
const INTERVAL = 1000;
// Timers and two clocks (this process's, the database's): a few milliseconds of slack.
const SLACK_MS = 15;
/** How late an admission's answer may reach its sender after the database granted it. */
const ADMISSION_SLACK_MS = 60;

describe(`digests (${TEST_DB})`, () => {
  let app: TestApp;
  const hook = new FakeChannel();
  const plain = new FakeChannel();

  before(async () => {
    await hook.start();
    await plain.start();
    app = await startTestApp({
      config: {
        ...defaultTestConfig(),
        channels: {
          hook: { type: 'webhook', url: `${hook.url}/hook`, secret: SECRET },
          plain: { type: 'webhook', url: `${plain.url}/plain` },
          slow: { type: 'webhook', url: `${hook.url}/slow`, rateLimit: { perSecond: 2, burst: 1 } },
        },
        routes: [
          {
            name: 'storm',
            match: { source: 'stackstate', host: 'db-*' },
            channels: ['hook'],
            continue: true,
            group: { by: ['host'], wait: `${WAIT}ms`, interval: `${INTERVAL}ms`, maxItems: 50 },
          },
          {
            // A longer wait where a test needs two changes in one digest whatever the machine's load.
            name: 'patient',
            match: { source: 'stackstate', host: 'sw-*' },
            channels: ['hook'],
            continue: true,
            group: { by: ['host'], wait: '2s', interval: `${INTERVAL}ms` },
          },
          {
            name: 'limited',
            match: { source: 'stackstate', host: 'rl-*' },
            channels: ['slow'],
            continue: true,
            group: { by: ['host'], wait: '1s', interval: '1m' },
          },
          { name: 'plain', match: { source: 'stackstate' }, channels: ['plain'] },
        ],
        delivery: FAST_DELIVERY,
      },
    });
  });
  after(async () => {
    await app?.close();
    await hook.close();
    await plain.close();
  });

  const deliveriesOf = async (id: string, channel: string) =>
    (await call(app.url, 'listNotificationDeliveries', { params: { id }, headers: auth })).body.items.filter(
      (d: { channel: string }) => d.channel === channel,
    );
  /** The deliveries of `id` to `channel` once none is pending (the fake answers before the outcome is recorded). */
  const settled = (id: string, channel: string) =>
    eventually(async () => {
      const items = await deliveriesOf(id, channel);
      return items.length > 0 && items.every((d: { status: string }) => d.status !== 'pending') ? items : undefined;
    });
  const digestsFor = (host: string) => digestsIn(hook.requests).filter((r) => groupValue(r) === host);
  const oneDigestFor = (host: string, timeoutMs = 5000) =>
    found(() => digestsFor(host)[0], timeoutMs, `a digest for ${host}`);

  it('holds a new group for `wait`, then sends one signed digest per group with all its changes', async () => {
    const t0 = Date.now();
    const [a, b, c] = await Promise.all([
      sendStackState(app.url, openOn('db-1', { title: 'Disk full' })),
      sendStackState(app.url, openOn('db-1', { title: 'Replication lag' })),
      sendStackState(app.url, openOn('db-2', { title: 'Disk full' })),
    ]);
    const first = await oneDigestFor('db-1');
    const other = await oneDigestFor('db-2');
    assert.ok(first.receivedAt - t0 >= WAIT - SLACK_MS, `held ${first.receivedAt - t0} ms`);
    assert.deepEqual(
      first.json.data.changes.map((x: { notification: { id: string } }) => x.notification.id).sort(),
      [a, b].sort(),
    );
    assert.deepEqual(first.json.data.counts, { opened: 2 });
    assert.deepEqual(first.json.data.group, [{ key: 'host', value: 'db-1' }]);
    assert.equal(first.json.data.route, 'storm');
    assert.deepEqual(
      other.json.data.changes.map((x: { notification: { id: string } }) => x.notification.id),
      [c],
    );
    // Standard Webhooks: the digest's id is the webhook-id, signed like any request.
    const id = first.headers['webhook-id'] as string;
    assert.equal(id, first.json.data.digestId);
    const signature = createHmac('sha256', Buffer.from(SECRET.slice(6), 'base64'))
      .update(`${id}.${String(first.headers['webhook-timestamp'])}.${first.body}`)
      .digest('base64');
    assert.equal(first.headers['webhook-signature'], `v1,${signature}`);

    // Every notification keeps its own record: delivered, with the digest's id.
    for (const n of [a, b]) {
      const [delivery] = await settled(n, 'hook');
      assert.equal(delivery.status, 'delivered');
      assert.equal(delivery.digestId, id);
      assert.equal(delivery.attemptLog.length, 1);
      assert.equal(delivery.attemptLog[0].outcome, 'success');
    }
    const listed = await call(app.url, 'listDeliveries', { query: { digestId: id }, headers: auth });
    assert.deepEqual(listed.body.items.map((d: { notificationId: string }) => d.notificationId).sort(), [a, b].sort());

    // The group has sent: a later change waits `interval` after that digest, not `wait`.
    const d = await sendStackState(app.url, openOn('db-1', { title: 'CPU 99%' }));
    const second = await found(() => digestsFor('db-1')[1], 5000, 'the second digest of db-1');
    assert.ok(
      second.receivedAt - first.receivedAt >= INTERVAL - SLACK_MS,
      `${second.receivedAt - first.receivedAt} ms apart`,
    );
    assert.deepEqual(
      second.json.data.changes.map((x: { notification: { id: string } }) => x.notification.id),
      [d],
    );
    assert.notEqual(second.headers['webhook-id'], id);
  });

  it("counts a digest as one message against the channel's rate limit", async () => {
    // Three groups due at once on a channel allowed 2 messages/s with a burst of 1: 500 ms apart.
    await Promise.all(['rl-1', 'rl-2', 'rl-3', 'rl-1', 'rl-2', 'rl-3'].map((h) => sendStackState(app.url, openOn(h))));
    const slow = () => hook.requests.filter((r) => r.path === '/slow');
    const sent = await found(() => (slow().length >= 3 ? slow() : undefined), 5000, 'three digests');
    assert.deepEqual(
      sent.map((r) => r.json.data.changes.length),
      [2, 2, 2],
    );
    // Judged by when each digest's attempt started (after its admission), not by when the sink read it:
    // a late first read under load shortens the next gap. Unlimited, all three would start together.
    const started = await Promise.all(
      sent.map(async (r) => {
        const [delivery] = await settled(r.json.data.changes[0].notification.id, 'slow');
        return Date.parse(delivery.attemptLog[0].startedAt);
      }),
    );
    started.sort((a, b) => a - b);
    const gaps = started.slice(1).map((t, i) => t - started[i]);
    assert.ok(
      gaps.every((gap) => gap >= 500 - ADMISSION_SLACK_MS),
      `gaps ${gaps.join(', ')} ms`,
    );
  });

  it('leaves an ungrouped route as it was: one message per change, at once, with the delivery id', async () => {
    const t0 = Date.now();
    const id = await sendStackState(app.url, openOn('db-6'));
    const request = await found(
      () => plain.requests.find((r) => r.json.data.notification.id === id),
      5000,
      'the ungrouped message',
    );
    assert.ok(request.receivedAt - t0 < WAIT, `sent after ${request.receivedAt - t0} ms`);
    assert.equal(request.json.type, 'notification.opened');
    const [delivery] = await settled(id, 'plain');
    assert.equal(request.headers['webhook-id'], delivery.id);
    assert.equal(delivery.status, 'delivered');
    assert.equal(delivery.digestId, null);
  });

  it('supersedes inside a group: opened and resolved before the digest reads as one line, resolved', async () => {
    const external = randomUUID();
    const id = await sendStackState(app.url, openOn('sw-3', { notificationId: external, title: 'Flapping link' }));
    await sendStackState(app.url, closeOn('sw-3', external));
    const digest = await oneDigestFor('sw-3');
    assert.deepEqual(digest.json.data.counts, { resolved: 1 });
    assert.equal(digest.json.data.changes.length, 1);
    assert.equal(digest.json.data.changes[0].kind, 'resolved');
    const [opened, resolved] = await settled(id, 'hook');
    assert.equal(opened.status, 'superseded');
    assert.equal(opened.digestId, null);
    assert.equal(resolved.kind, 'resolved');
    assert.equal(resolved.status, 'delivered');
    assert.equal(resolved.digestId, digest.headers['webhook-id']);
  });

  it('retries a failed digest under the same id with the same changes, each delivery recording the attempts', async () => {
    let failures = 0;
    hook.answer = (r) => (groupValue(r) === 'db-4' && failures++ === 0 ? { status: 503 } : {});
    const ids = [await sendStackState(app.url, openOn('db-4')), await sendStackState(app.url, openOn('db-4'))];
    const [failed, retried] = await found(
      () => (digestsFor('db-4').length >= 2 ? digestsFor('db-4') : undefined),
      5000,
      'the retry',
    );
    assert.equal(retried.headers['webhook-id'], failed.headers['webhook-id']);
    const changeIds = (r: RecordedRequest) => r.json.data.changes.map((x: { deliveryId: string }) => x.deliveryId);
    assert.deepEqual(changeIds(retried), changeIds(failed));
    for (const id of ids) {
      const [delivery] = await settled(id, 'hook');
      assert.equal(delivery.status, 'delivered');
      assert.equal(delivery.digestId, failed.headers['webhook-id']);
      assert.deepEqual(
        delivery.attemptLog.map((x: { outcome: string; statusCode: number }) => [x.outcome, x.statusCode]),
        [
          ['retry', 503],
          ['success', 200],
        ],
      );
    }
    hook.answer = () => ({});
  });

  it('dead-letters every delivery of a refused digest; a replay sends that notification on its own', async () => {
    hook.answer = (r) => (groupValue(r) === 'db-5' ? { status: 400, body: 'no' } : {});
    const id = await sendStackState(app.url, openOn('db-5'));
    const digest = await oneDigestFor('db-5');
    const [dead] = await settled(id, 'hook');
    assert.equal(dead.status, 'dead');
    assert.equal(dead.digestId, digest.headers['webhook-id']);
    assert.equal(dead.lastStatusCode, 400);
    hook.answer = () => ({});
    const replay = await call(app.url, 'retryDelivery', {
      params: { id: dead.id },
      headers: { Authorization: `Bearer ${WRITE_API_KEY}` },
    });
    assert.equal(replay.status, 202);
    assert.equal(replay.body.digestId, null);
    const alone = await found(() => hook.requests.find((r) => r.headers['webhook-id'] === dead.id), 5000, 'the replay');
    assert.equal(alone.json.type, 'notification.opened');
    const [replayed] = await settled(id, 'hook');
    assert.equal(replayed.status, 'delivered');
    assert.equal(replayed.digestId, null);
  });

  it('keeps a held change out of digests, and tells it through the group once the silence ends', async () => {
    const writeAuth = { Authorization: `Bearer ${WRITE_API_KEY}` };
    const silence = await call(app.url, 'createSilence', {
      headers: writeAuth,
      body: {
        matchers: { host: 'db-held' },
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        comment: 'maintenance',
        createdBy: 'ops',
      },
    });
    assert.equal(silence.status, 201);
    const held = await sendStackState(app.url, openOn('db-held', { title: 'Held disk' }));
    const [heldDelivery] = await eventually(async () => {
      const items = await deliveriesOf(held, 'hook');
      return items.length > 0 && items.every((d: { status: string }) => d.status === 'held') ? items : undefined;
    });
    assert.equal(heldDelivery.digestId, null);
    // Past the group's wait: no digest while the only change is held.
    await new Promise((resolve) => setTimeout(resolve, WAIT * 2));
    assert.deepEqual(digestsFor('db-held'), []);

    await call(app.url, 'deleteSilence', { params: { id: silence.body.id }, headers: writeAuth });
    const digest = await oneDigestFor('db-held');
    assert.deepEqual(
      digest.json.data.changes.map((x: { notification: { id: string } }) => x.notification.id),
      [held],
    );
    const records = await settled(held, 'hook');
    assert.deepEqual(records.map((d: { status: string }) => d.status).sort(), ['delivered', 'released']);
    assert.equal(
      records.find((d: { status: string }) => d.status === 'delivered').digestId,
      digest.headers['webhook-id'],
    );
  });

  it('counts digests and the changes waiting in groups in /metrics', async () => {
    await sendStackState(app.url, openOn('db-8'));
    const waiting = (await call<string>(app.url, 'getMetrics')).body;
    assert.match(waiting, /alert_relay_digest_pending\{channel="hook"\} [1-9]/);
    assert.match(waiting, /alert_relay_digest_overdue_seconds\{channel="hook"\} \d/);
    assert.match(waiting, /alert_relay_digests_total\{channel="hook",result="delivered"\} [1-9]/);
    assert.match(waiting, /alert_relay_digests_total\{channel="hook",result="retry"\} 1/);
    assert.match(waiting, /alert_relay_digests_total\{channel="hook",result="dead"\} 1/);
    await oneDigestFor('db-8');
    await eventually(async () => {
      const after = (await call<string>(app.url, 'getMetrics')).body;
      return /alert_relay_digest_pending\{channel="hook"\} 0\n/.test(after) ? true : undefined;
    });
  });
});
