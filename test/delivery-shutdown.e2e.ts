import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { stackStateOpen } from './support/fixtures';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, STACKSTATE_TOKEN, startTestApp, TestApp } from './support/test-app';
import { createPostgresDatabase, TEST_DB, TestDatabase } from './support/test-database';

// Two app instances in turn on one database: the second must pick up what the first let go of.
describe(
  'delivery on shutdown (postgres)',
  { skip: TEST_DB !== 'postgres' && 'runs in the TEST_DB=postgres pass' },
  () => {
    let database: TestDatabase & { url: string };
    const hook = new FakeChannel();
    const apps: TestApp[] = [];

    before(async () => {
      database = await createPostgresDatabase();
      await hook.start();
    });
    after(async () => {
      for (const app of apps) await app.close().catch(() => undefined);
      await hook.close();
      await database?.drop();
    });

    // A long attempt timeout and lease: only a released lease lets the next instance send at once.
    const start = async (shutdownGrace: string) => {
      const app = await startTestApp({
        databaseUrl: database.url,
        config: {
          ...defaultTestConfig(),
          channels: { hook: { type: 'webhook', url: `${hook.url}/hook` } },
          routes: [{ name: 'all', match: { source: 'stackstate' }, channels: ['hook'] }],
          delivery: { ...FAST_DELIVERY, timeout: '60s', lease: '120s', shutdownGrace },
        },
      });
      apps.push(app);
      return app;
    };
    const deliveriesOf = (app: TestApp, id: string) =>
      call(app.url, 'listNotificationDeliveries', { params: { id }, headers: { Authorization: `Bearer ${API_KEY}` } });
    const open = (app: TestApp) =>
      call(app.url, 'receiveStackStateEvent', {
        body: stackStateOpen(),
        headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
      });

    it('releases the lease of a send still hanging when the grace period ends, so the next instance sends it at once', async () => {
      hook.requests.length = 0;
      hook.answer = (_request, index) => (index === 0 ? { hang: true } : {});
      const app = await start('300ms');
      const opened = await open(app);
      await eventually(() => Promise.resolve(hook.requests.length === 1 ? true : undefined));
      const closing = Date.now();
      await app.close();
      assert.ok(Date.now() - closing < 10_000, 'shutdown does not wait for the 60 s attempt timeout');

      // Within the 120 s lease, so only a released lease explains a prompt second attempt.
      const next = await start('300ms');
      const delivery = await eventually(async () => {
        const [d] = (await deliveriesOf(next, opened.body.notificationId)).body.items;
        return d?.status === 'delivered' ? d : undefined;
      });
      assert.equal(hook.requests.length, 2);
      assert.equal(hook.requests[1].headers['webhook-id'], hook.requests[0].headers['webhook-id']);
      assert.equal(hook.requests[1].headers['webhook-id'], delivery.id);
      await next.close();
    });

    it('lets a send in flight finish within the grace period', async () => {
      hook.requests.length = 0;
      hook.answer = () => ({ delayMs: 400 });
      const app = await start('5s');
      const opened = await open(app);
      await eventually(() => Promise.resolve(hook.requests.length === 1 ? true : undefined));
      await app.close();
      const next = await start('5s');
      const [delivery] = (await deliveriesOf(next, opened.body.notificationId)).body.items;
      assert.equal(delivery.status, 'delivered');
      assert.equal(hook.requests.length, 1, 'sent once');
      await next.close();
    });
  },
);
