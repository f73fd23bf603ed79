import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, STACKSTATE_TOKEN, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { createPostgresDatabase, TEST_DB, TestDatabase } from './support/test-database';

const auth = { Authorization: `Bearer ${API_KEY}` };
const writeAuth = { Authorization: `Bearer ${WRITE_API_KEY}` };
const postgresOnly = { skip: TEST_DB !== 'postgres' ? 'needs real PostgreSQL (TEST_DB=postgres)' : false };
const COUNT = 40;

describe(`silences across replicas (${TEST_DB})`, postgresOnly, () => {
  const hook = new FakeChannel();
  let shared: TestDatabase & { url: string };
  const replicas: TestApp[] = [];

  before(async () => {
    await hook.start();
    shared = await createPostgresDatabase();
    const config = {
      ...defaultTestConfig(),
      channels: { hook: { type: 'webhook', url: `${hook.url}/hook` } },
      defaultChannels: ['hook'],
      // Both replicas look for releases often: they race for every one of them.
      delivery: { ...FAST_DELIVERY, lease: '30s', releaseInterval: '50ms' },
    };
    replicas.push(await startTestApp({ config, databaseUrl: shared.url }));
    replicas.push(await startTestApp({ config, databaseUrl: shared.url }));
  });
  after(async () => {
    for (const r of replicas) await r.close().catch(() => undefined);
    await shared?.drop();
    await hook.close();
  });

  it('holds on every replica a silence made on one, and tells each held notification once when it ends', async () => {
    const [a, b] = replicas;
    const scope = randomUUID();
    const created = await call(a.url, 'createSilence', {
      headers: writeAuth,
      body: {
        matchers: { metadata: { scope } },
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        comment: 'rack move',
        createdBy: 'ops',
      },
    });
    // The other replica heard of it (NOTIFY), as its route dry run shows.
    await eventually(async () => {
      const dry = await call(b.url, 'testRoutes', {
        headers: auth,
        body: { stackstate: { ...stackStateOpen(), metadata: { scope } } },
      });
      return dry.body.notification.heldBy.length === 1 ? true : undefined;
    });

    const ids: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const notificationId = randomUUID();
      const headers = { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN };
      const opened = await call(replicas[i % 2].url, 'receiveStackStateEvent', {
        headers,
        body: { ...stackStateOpen({ notificationId, state: 'DEVIATING', triggeredTimeMs: 1 }), metadata: { scope } },
      });
      await call(replicas[(i + 1) % 2].url, 'receiveStackStateEvent', {
        headers,
        body: { ...stackStateOpen({ notificationId, state: 'CRITICAL', triggeredTimeMs: 2 }), metadata: { scope } },
      });
      ids.push(opened.body.notificationId);
    }
    const held = await call(a.url, 'listDeliveries', { query: { status: 'held', limit: 200 }, headers: auth });
    assert.equal(
      held.body.items.length,
      2 * COUNT,
      'both revisions of every notification held, whichever replica took it',
    );
    assert.equal(hook.requests.length, 0);

    await call(b.url, 'deleteSilence', { params: { id: created.body.id }, headers: writeAuth });
    await hook.waitFor(COUNT, 15_000);
    // Both replicas keep looking for a while: nothing is told twice.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(hook.requests.length, COUNT);
    const told = hook.requests.map((r) => r.json.data.notification);
    assert.deepEqual(new Set(told.map((n) => n.id)), new Set(ids));
    assert.ok(told.every((n) => n.revision === 2 && n.sourceState === 'CRITICAL'));
    assert.ok(hook.requests.every((r) => r.json.type === 'notification.opened'));
  });
});
