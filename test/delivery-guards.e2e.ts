import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { stackStateClose, stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, STACKSTATE_TOKEN, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

const auth = { Authorization: `Bearer ${API_KEY}` };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`reminders, rate limits and circuit breakers (${TEST_DB})`, () => {
  let app: TestApp;
  const remind = new FakeChannel();
  const limited = new FakeChannel();
  const dead = new FakeChannel();
  const healthy = new FakeChannel();

  before(async () => {
    await Promise.all([remind.start(), limited.start(), dead.start(), healthy.start()]);
    dead.answer = () => ({ status: 503, body: 'down' });
    app = await startTestApp({
      config: {
        ...defaultTestConfig(),
        channels: {
          remind: { type: 'webhook', url: `${remind.url}/r` },
          limited: { type: 'webhook', url: `${limited.url}/l`, rateLimit: { perSecond: 4, burst: 1 } },
          dead: { type: 'webhook', url: `${dead.url}/d` },
          healthy: { type: 'webhook', url: `${healthy.url}/h` },
        },
        routes: [
          { match: { metadata: { team: 'remind' } }, channels: ['remind'], remindEvery: '1s' },
          { match: { metadata: { team: 'limited' } }, channels: ['limited'] },
          { match: { metadata: { team: 'breaker' } }, channels: ['dead', 'healthy'] },
        ],
        delivery: { ...FAST_DELIVERY, circuitBreaker: { failureThreshold: 2, openFor: '5s' } },
      },
    });
  });
  after(async () => {
    await app?.close();
    await Promise.all([remind.close(), limited.close(), dead.close(), healthy.close()]);
  });

  const open = (team: string, notificationId = randomUUID()) => {
    const body = { ...stackStateOpen({ notificationId }), metadata: { team } };
    return call(app.url, 'receiveStackStateEvent', {
      body,
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
  };

  it('reminds about a notification that stays open, and stops once it is resolved', async () => {
    const id = randomUUID();
    const opened = await open('remind', id);
    await remind.waitFor(2);
    assert.equal(remind.requests[0].json.type, 'notification.opened');
    assert.equal(remind.requests[1].json.type, 'notification.reminder');
    assert.equal(remind.requests[1].json.data.notification.revision, 1);
    assert.notEqual(remind.requests[1].headers['webhook-id'], remind.requests[0].headers['webhook-id']);
    assert.ok(remind.requests[1].receivedAt - remind.requests[0].receivedAt >= 900, 'not before remindEvery');

    await call(app.url, 'receiveStackStateEvent', {
      body: stackStateClose(id),
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
    await eventually(() =>
      Promise.resolve(remind.requests.some((r) => r.json.type === 'notification.resolved') ? true : undefined),
    );
    const count = remind.requests.length;
    await sleep(1500);
    assert.equal(remind.requests.length, count, 'no reminder after the resolve');
    const deliveries = (
      await call(app.url, 'listNotificationDeliveries', { params: { id: opened.body.notificationId }, headers: auth })
    ).body.items;
    assert.ok(deliveries.some((d: { kind: string }) => d.kind === 'reminder'));
  });

  it('spaces sends to a rate-limited channel by its token bucket', async () => {
    await Promise.all([open('limited'), open('limited'), open('limited'), open('limited')]);
    await limited.waitFor(4);
    const span = limited.requests[3].receivedAt - limited.requests[0].receivedAt;
    // burst 1 at 4/s: the 4th can leave 750 ms after the 1st at the earliest.
    assert.ok(span >= 700, `4 sends took ${span} ms`);
  });

  it('opens the circuit of a failing channel and holds its deliveries, while other channels go on', async () => {
    await Promise.all([open('breaker'), open('breaker'), open('breaker')]);
    await healthy.waitFor(3);
    const channel = await eventually(async () => {
      const items = (await call(app.url, 'listChannels', { headers: auth })).body.items;
      const found = items.find((c: { name: string }) => c.name === 'dead');
      return found.circuit === 'open' ? found : undefined;
    });
    assert.equal(channel.circuit, 'open');
    const attempts = dead.requests.length;
    await open('breaker');
    await healthy.waitFor(4);
    await sleep(500);
    assert.equal(dead.requests.length, attempts, 'no attempt while the circuit is open');
    const metrics = (await call<string>(app.url, 'getMetrics')).body;
    assert.match(metrics, /alert_relay_circuit_state\{channel="dead"\} 1/);
    assert.match(metrics, /alert_relay_circuit_state\{channel="healthy"\} 0/);
    const pending = await call(app.url, 'listDeliveries', {
      query: { status: 'pending', channel: 'dead' },
      headers: auth,
    });
    assert.equal(pending.body.items.length, 4, 'held, not dropped');
  });
});
