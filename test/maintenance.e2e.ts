import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { stackStateOpen } from './support/fixtures';
import { ManualClock } from './support/manual-clock';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, STACKSTATE_TOKEN, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

const auth = { Authorization: `Bearer ${API_KEY}` };

describe(`maintenance windows (${TEST_DB})`, () => {
  let app: TestApp;
  const hook = new FakeChannel();
  // Tuesday 10 March 2026, 01:59 in Amsterdam (CET): a minute before patch-tuesday.
  const clock = new ManualClock('2026-03-10T00:59:00Z');

  before(async () => {
    await hook.start();
    app = await startTestApp({
      clock,
      config: {
        ...defaultTestConfig(),
        channels: { hook: { type: 'webhook', url: `${hook.url}/hook` } },
        defaultChannels: ['hook'],
        maintenance: [
          {
            name: 'patch-tuesday',
            match: { metadata: { cluster: 'staging' } },
            schedule: '0 2 * * TUE',
            timezone: 'Europe/Amsterdam',
            duration: '2h',
          },
          {
            name: 'db-move',
            match: { metadata: { cluster: 'db' } },
            start: '2026-03-12T22:00:00Z',
            end: '2026-03-13T02:00:00Z',
          },
        ],
        delivery: { ...FAST_DELIVERY, releaseInterval: '100ms' },
      },
    });
  });
  after(async () => {
    await app?.close();
    await hook.close();
  });

  const open = (cluster: string, notificationId = randomUUID(), state = 'CRITICAL', triggeredTimeMs = 1) =>
    call(app.url, 'receiveStackStateEvent', {
      body: { ...stackStateOpen({ notificationId, state, triggeredTimeMs }), metadata: { cluster } },
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
  const requestsFor = (id: string) => hook.requests.filter((r) => r.json?.data?.notification?.id === id);
  const told = (id: string, count = 1) =>
    eventually(
      () => Promise.resolve(requestsFor(id).length >= count ? requestsFor(id) : undefined),
      5000,
      `${count} message(s)`,
    );
  const heldBy = async (id: string) =>
    (await call(app.url, 'getNotification', { params: { id }, headers: auth })).body.heldBy;
  // A notification no window matches goes out: whatever would have gone out with it has gone too.
  const sentinel = async () => told((await open('prod')).body.notificationId);

  it('holds by a recurring schedule in its time zone, and tells the current state when the window ends', async () => {
    const before = await open('staging');
    await told(before.body.notificationId);
    assert.deepEqual(await heldBy(before.body.notificationId), []);

    clock.set('2026-03-10T01:00:00Z'); // 02:00 in Amsterdam
    const id = randomUUID();
    const during = await open('staging', id, 'DEVIATING', 1);
    await open('staging', id, 'CRITICAL', 2);
    assert.deepEqual(await heldBy(during.body.notificationId), [
      { kind: 'maintenance', name: 'patch-tuesday', endsAt: '2026-03-10T03:00:00.000Z' },
    ]);
    await sentinel();
    assert.equal(requestsFor(during.body.notificationId).length, 0);

    clock.set('2026-03-10T02:59:59Z');
    await sentinel();
    assert.equal(requestsFor(during.body.notificationId).length, 0, 'still on a second before its end');

    clock.set('2026-03-10T03:00:00Z');
    const [message] = await told(during.body.notificationId);
    assert.equal(message.json.type, 'notification.opened');
    assert.equal(message.json.data.notification.revision, 2);
    assert.deepEqual(await heldBy(during.body.notificationId), []);
  });

  it('holds again at the next occurrence (summer time: an hour earlier in UTC)', async () => {
    clock.set('2026-04-07T00:30:00Z');
    const during = await open('staging');
    assert.equal((await heldBy(during.body.notificationId))[0].endsAt, '2026-04-07T02:00:00.000Z');
    clock.set('2026-04-07T02:00:00Z');
    await told(during.body.notificationId);
  });

  it('holds during a one-off window only', async () => {
    clock.set('2026-03-12T21:59:00Z');
    const early = await open('db');
    await told(early.body.notificationId);
    clock.set('2026-03-12T22:00:00Z');
    const during = await open('db');
    assert.deepEqual(await heldBy(during.body.notificationId), [
      { kind: 'maintenance', name: 'db-move', endsAt: '2026-03-13T02:00:00.000Z' },
    ]);
    await sentinel();
    assert.equal(requestsFor(during.body.notificationId).length, 0);
    clock.set('2026-03-13T02:00:00Z');
    await told(during.body.notificationId);
  });

  it('refuses to start with a window it cannot read, naming the key path', async () => {
    await assert.rejects(
      startTestApp({
        config: {
          ...defaultTestConfig(),
          maintenance: [{ name: 'bad', match: { host: 'x' }, schedule: '0 2 * * FOO', duration: '1h' }],
        },
      }),
      (error: Error) => /maintenance\[0\]\.schedule: not a cron expression/.test(error.message),
    );
  });
});
