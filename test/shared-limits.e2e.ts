import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { stackStateOpen } from './support/fixtures';
import { ServiceProcess, startService } from './support/service-process';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, STACKSTATE_TOKEN } from './support/test-app';
import { createPostgresDatabase, TEST_DB, TestDatabase } from './support/test-database';

const read = { Authorization: `Bearer ${API_KEY}` };
const RATE = 5;

// Two replicas (child processes) on one PostgreSQL: what one channel gets is measured at its sink.
describe(
  'Replicas share limits (postgres)',
  { skip: TEST_DB !== 'postgres' && 'runs in the TEST_DB=postgres pass' },
  () => {
    const limited = new FakeChannel();
    const flaky = new FakeChannel();
    const gone = new FakeChannel();
    let database: TestDatabase & { url: string };
    let dir: string;
    let replicas: (ServiceProcess & { url: string })[] = [];

    before(async () => {
      await Promise.all([limited.start(), flaky.start(), gone.start()]);
      flaky.answer = () => ({ status: 503, body: 'down' });
      gone.answer = () => ({ status: 410, body: 'gone' });
      database = await createPostgresDatabase();
      dir = mkdtempSync(join(tmpdir(), 'alert-relay-replicas-'));
      const configPath = join(dir, 'alert-relay.yaml');
      writeFileSync(
        configPath,
        stringify({
          ...defaultTestConfig(),
          channels: {
            limited: { type: 'webhook', url: `${limited.url}/l`, rateLimit: { perSecond: RATE, burst: 1 } },
            flaky: { type: 'webhook', url: `${flaky.url}/f` },
            gone: { type: 'webhook', url: `${gone.url}/g` },
          },
          routes: [
            { match: { metadata: { team: 'limited' } }, channels: ['limited'] },
            { match: { metadata: { team: 'flaky' } }, channels: ['flaky'] },
            { match: { metadata: { team: 'gone' } }, channels: ['gone'] },
          ],
          delivery: {
            ...FAST_DELIVERY,
            // One send at a time per replica, so that what the breaker lets through is countable.
            concurrency: 1,
            circuitBreaker: { failureThreshold: 3, openFor: '4s' },
          },
        }),
      );
      replicas = [];
      for (let i = 0; i < 2; i++)
        replicas.push(await startService({ ALERT_RELAY_CONFIG: configPath, DATABASE_URL: database.url }));
    });
    after(async () => {
      for (const r of replicas) r.child.kill('SIGKILL');
      await Promise.all(replicas.map((r) => r.exited));
      await Promise.all([limited.close(), flaky.close(), gone.close()]);
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const open = (team: string, replica = 0) =>
      call(replicas[replica].url, 'receiveStackStateEvent', {
        body: { ...stackStateOpen({ notificationId: randomUUID() }), metadata: { team } },
        headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
      });

    it('keeps a channel at its configured rate together, measured at the sink', async () => {
      const count = 30;
      const opened = await Promise.all(Array.from({ length: count }, (_, i) => open('limited', i % 2)));
      assert.ok(opened.every((r) => r.status === 200));
      await limited.waitFor(count, 30_000);
      const times = limited.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
      const rate = (count - 1) / ((times[count - 1] - times[0]) / 1000);
      assert.ok(rate <= RATE * 1.1, `the sink saw ${rate.toFixed(2)}/s for a limit of ${RATE}/s`);
      // Both replicas sent (so the limit held across them, not because one did all the work).
      const workers = new Set<string>();
      const started: number[] = [];
      for (const r of opened) {
        const items = (
          await call(replicas[0].url, 'listNotificationDeliveries', {
            params: { id: r.body.notificationId },
            headers: read,
          })
        ).body.items;
        for (const a of items[0].attemptLog) {
          workers.add(a.worker);
          started.push(Date.parse(a.startedAt));
        }
      }
      assert.equal(workers.size, 2, `sent by ${[...workers].join(', ')}`);
      // No second of sends holds more than the rate and the burst. Judged on when the replicas started
      // each send: the sink's arrival times add the machine's scheduling jitter (under the two e2e
      // suites at once, a request that left 0.2 s late put 7 arrivals in one second).
      assert.equal(started.length, count, 'one attempt each');
      const busiest = Math.max(...started.map((t) => started.filter((u) => u >= t && u < t + 1000).length));
      assert.ok(busiest <= RATE + 1, `${busiest} sends started within one second`);
    });

    it('opens one circuit for both replicas after failureThreshold failures between them', async () => {
      await Promise.all(Array.from({ length: 10 }, (_, i) => open('flaky', i % 2)));
      await flaky.waitFor(3);
      const first = flaky.requests[0].receivedAt;
      for (const replica of replicas) {
        await eventually(async () => {
          const items = (await call(replica.url, 'listChannels', { headers: read })).body.items;
          return items.find((c: { name: string }) => c.name === 'flaky').circuit === 'open' ? true : undefined;
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const whileOpen = flaky.requests.filter((r) => r.receivedAt < first + 3500).length;
      // Three failures open it; a send of the other replica may have been under way. Per-process
      // breakers would have let each replica fail three times.
      assert.ok(whileOpen <= 4, `${whileOpen} attempts reached the failing endpoint while its circuit was open`);
    });

    it('disables a channel for both replicas on 410 Gone, with one log line', async () => {
      await open('gone', 1);
      await gone.waitFor(1);
      for (const replica of replicas) {
        const channel = await eventually(async () => {
          const items = (await call(replica.url, 'listChannels', { headers: read })).body.items;
          const found = items.find((c: { name: string }) => c.name === 'gone');
          return found.disabled ? found : undefined;
        });
        assert.equal(channel.disabled.reason, 'the endpoint answered 410 Gone');
      }
      await open('gone', 0);
      await open('gone', 1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(gone.requests.length, 1, 'neither replica sends to it any more');
      const lines = replicas.flatMap((r) =>
        r
          .fullOutput()
          .split('\n')
          .filter((l) => l.includes('"msg":"channel disabled"') && l.includes('"channel":"gone"')),
      );
      assert.equal(lines.length, 1, lines.join('\n'));
    });
  },
);
