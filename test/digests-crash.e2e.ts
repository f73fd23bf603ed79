import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { FAST_DELIVERY } from './support/delivery-config';
import { digestsIn, found, groupValue, openOn, sendStackState } from './support/digests';
import { eventually, FakeChannel } from './support/fake-channel';
import { call } from './support/spec-client';
import { startService } from './support/service-process';
import { API_KEY, defaultTestConfig, startTestApp, TestApp } from './support/test-app';
import { createPostgresDatabase, TEST_DB } from './support/test-database';

const auth = { Authorization: `Bearer ${API_KEY}` };
const postgresOnly = { skip: TEST_DB !== 'postgres' ? 'needs real PostgreSQL (TEST_DB=postgres)' : false };

const groupedConfig = (url: string, wait: string) => ({
  ...defaultTestConfig(),
  channels: { hook: { type: 'webhook', url: `${url}/hook` } },
  routes: [
    {
      name: 'storm',
      match: { source: 'stackstate' },
      channels: ['hook'],
      group: { by: ['host'], wait, interval: '1m' },
    },
  ],
});

const changeIds = (r: { json: { data: { changes: { notification: { id: string } }[] } } }) =>
  r.json.data.changes.map((c) => c.notification.id).sort();

describe(`digest groups across crashes and replicas (${TEST_DB})`, () => {
  const hook = new FakeChannel();
  let dir: string;
  before(async () => {
    await hook.start();
    dir = mkdtempSync(join(tmpdir(), 'alert-relay-digest-crash-'));
  });
  after(async () => {
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing when killed with SIGKILL during `wait`: after the restart each group sends one digest of it all', async () => {
    const database = TEST_DB === 'postgres' ? await createPostgresDatabase() : undefined;
    const configPath = join(dir, 'crash.yaml');
    writeFileSync(configPath, stringify({ ...groupedConfig(hook.url, '2s'), delivery: FAST_DELIVERY }));
    // The embedded database lives in DATA_DIR, which the restart reuses.
    const env = {
      ALERT_RELAY_CONFIG: configPath,
      DATA_DIR: join(dir, 'data'),
      ...(database ? { DATABASE_URL: database.url } : {}),
    };
    let service = await startService(env);
    try {
      const sent: Record<string, string[]> = { 'db-1': [], 'db-2': [] };
      await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const host = i % 3 === 2 ? 'db-2' : 'db-1';
          sent[host].push(await sendStackState(service.url, openOn(host)));
        }),
      );
      service.child.kill('SIGKILL');
      await service.exited;
      assert.equal(hook.requests.length, 0, 'killed while the groups waited');

      service = await startService(env);
      const [one, two] = await found(
        () => {
          const digests = digestsIn(hook.requests);
          return digests.length >= 2
            ? ['db-1', 'db-2'].map((h) => digests.find((d) => groupValue(d) === h))
            : undefined;
        },
        20_000,
        'a digest per group after the restart',
      );
      assert.deepEqual(changeIds(one!), [...sent['db-1']].sort());
      assert.deepEqual(changeIds(two!), [...sent['db-2']].sort());
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(hook.requests.length, 2, 'nothing sent twice');
      for (const id of [...sent['db-1'], ...sent['db-2']]) {
        const [delivery] = await eventually(async () => {
          const items = (await call(service.url, 'listNotificationDeliveries', { params: { id }, headers: auth })).body
            .items;
          return items[0]?.status === 'delivered' ? items : undefined;
        });
        assert.ok([one!.headers['webhook-id'], two!.headers['webhook-id']].includes(delivery.digestId));
      }
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
      await database?.drop();
    }
  });

  it('sends each digest once with two replicas on one PostgreSQL', postgresOnly, async () => {
    hook.requests.length = 0;
    const shared = await createPostgresDatabase();
    // A long lease: lease expiry (the documented exception to "once") cannot happen in this test. A `wait`
    // of 2 s: every message must commit within it of its group's first to be in that group's digest, and
    // two cold replicas on a loaded CI machine once took longer than 600 ms for two of ten.
    const config = { ...groupedConfig(hook.url, '2s'), delivery: { ...FAST_DELIVERY, lease: '30s' } };
    const replicas: TestApp[] = [];
    try {
      replicas.push(await startTestApp({ config, databaseUrl: shared.url }));
      replicas.push(await startTestApp({ config, databaseUrl: shared.url }));
      const sent: Record<string, string[]> = { 'db-1': [], 'db-2': [] };
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const host = i % 2 ? 'db-2' : 'db-1';
          sent[host].push(await sendStackState(replicas[i % 2].url, openOn(host)));
        }),
      );
      await found(() => (digestsIn(hook.requests).length >= 2 ? true : undefined), 10_000, 'two digests');
      // Both replicas poll every 200 ms: time enough for a second send, were one possible.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const digests = digestsIn(hook.requests);
      assert.equal(digests.length, 2, 'one digest per group');
      for (const host of ['db-1', 'db-2']) {
        const digest = digests.find((d) => groupValue(d) === host)!;
        assert.deepEqual(changeIds(digest), [...sent[host]].sort());
      }
    } finally {
      for (const r of replicas) await r.close().catch(() => undefined);
      await shared.drop();
    }
  });
});
