import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel, RecordedRequest } from './support/fake-channel';
import { stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, STACKSTATE_TOKEN, startTestApp, TestApp } from './support/test-app';
import { createPostgresDatabase, TEST_DB, TestDatabase } from './support/test-database';
import { startService } from './support/service-process';

const auth = { Authorization: `Bearer ${API_KEY}` };
const postgresOnly = { skip: TEST_DB !== 'postgres' ? 'needs real PostgreSQL (TEST_DB=postgres)' : false };

// The service as a child process (`node dist/src/main.js`), so that it can be killed with SIGKILL.
const startDelivering = (configPath: string, databaseUrl: string) =>
  startService({ ALERT_RELAY_CONFIG: configPath, DATABASE_URL: databaseUrl });

function byNotification(requests: RecordedRequest[]): Map<string, Set<string>> {
  const ids = new Map<string, Set<string>>();
  for (const r of requests) {
    const key = `${r.json.data.notification.id}#${r.json.data.notification.revision}`;
    ids.set(key, (ids.get(key) ?? new Set()).add(r.headers['webhook-id'] as string));
  }
  return ids;
}

describe(`delivery across crashes and replicas (${TEST_DB})`, postgresOnly, () => {
  const hook = new FakeChannel();
  let database: TestDatabase & { url: string };
  let dir: string;
  before(async () => {
    await hook.start();
    database = await createPostgresDatabase();
    dir = mkdtempSync(join(tmpdir(), 'alert-relay-crash-'));
  });
  after(async () => {
    await hook.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing when killed with SIGKILL mid-delivery: every revision arrives, repeats keep their webhook-id', async () => {
    hook.answer = () => ({ delayMs: 40 });
    const configPath = join(dir, 'crash.yaml');
    writeFileSync(
      configPath,
      stringify({
        ...defaultTestConfig(),
        channels: { hook: { type: 'webhook', url: `${hook.url}/hook` } },
        defaultChannels: ['hook'],
        delivery: { ...FAST_DELIVERY, concurrency: 4 },
      }),
    );
    let service = await startDelivering(configPath, database.url);
    const opened: string[] = [];
    for (let i = 0; i < 200; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () =>
          call(service.url, 'receiveStackStateEvent', {
            body: stackStateOpen(),
            headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
          }),
        ),
      );
      for (const r of batch) {
        assert.equal(r.status, 200);
        opened.push(r.body.notificationId);
      }
    }
    await eventually(() => Promise.resolve(hook.requests.length >= 20 ? true : undefined), 30_000, '20 deliveries');
    service.child.kill('SIGKILL');
    await service.exited;
    const beforeRestart = hook.requests.length;
    assert.ok(beforeRestart < 200, `killed mid-delivery (${beforeRestart} of 200 sent)`);

    service = await startDelivering(configPath, database.url);
    try {
      await eventually(
        () => Promise.resolve(byNotification(hook.requests).size >= 200 ? true : undefined),
        60_000,
        'all 200 notifications delivered after the restart',
      );
      const delivered = byNotification(hook.requests);
      assert.deepEqual([...delivered.keys()].sort(), opened.map((id) => `${id}#1`).sort());
      for (const [key, webhookIds] of delivered) assert.equal(webhookIds.size, 1, `${key} went out under one id`);
      const dead = await call(service.url, 'listDeliveries', { query: { status: 'pending' }, headers: auth });
      assert.ok(dead.body.items.length === 0 || dead.body.items.every((d: { inFlight: boolean }) => d.inFlight));
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });

  it('shares the work between two replicas on one PostgreSQL and sends each delivery once', async () => {
    hook.requests.length = 0;
    hook.answer = () => ({ delayMs: 20 });
    const shared = await createPostgresDatabase();
    const config = {
      ...defaultTestConfig(),
      channels: { hook: { type: 'webhook', url: `${hook.url}/hook` } },
      defaultChannels: ['hook'],
      // A long lease: lease expiry (the documented exception to "once") cannot happen in this test.
      delivery: { ...FAST_DELIVERY, concurrency: 2, lease: '30s' },
    };
    const replicas: TestApp[] = [];
    try {
      replicas.push(await startTestApp({ config, databaseUrl: shared.url }));
      replicas.push(await startTestApp({ config, databaseUrl: shared.url }));
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) {
        const r = await call(replicas[i % 2].url, 'receiveStackStateEvent', {
          body: stackStateOpen(),
          headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
        });
        ids.push(r.body.notificationId);
      }
      await hook.waitFor(100, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const webhookIds = hook.requests.map((r) => r.headers['webhook-id']);
      assert.equal(webhookIds.length, 100, 'no delivery sent twice');
      assert.equal(new Set(webhookIds).size, 100);
      const workers = new Set<string>();
      for (const id of ids) {
        const items = (await call(replicas[0].url, 'listNotificationDeliveries', { params: { id }, headers: auth }))
          .body.items;
        assert.equal(items[0].status, 'delivered');
        workers.add(items[0].attemptLog[0].worker);
      }
      assert.equal(workers.size, 2, 'both replicas sent deliveries');
    } finally {
      for (const r of replicas) await r.close().catch(() => undefined);
      await shared.drop();
    }
  });
});
