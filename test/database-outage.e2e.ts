import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { alertmanagerPagerDutyEvent, alertmanagerWebhook, monascaAlarm, stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import {
  ALERTMANAGER_KEY,
  API_KEY,
  MONASCA_KEY,
  PAGERDUTY_ROUTING_KEY,
  STACKSTATE_TOKEN,
  startTestApp,
  TestApp,
} from './support/test-app';
import { createPostgresDatabase, TEST_DB, TestDatabase } from './support/test-database';
import { TcpProxy } from './support/tcp-proxy';
import { sendLikeHaproxy } from './support/smtp-client';

// The outage is simulated with a proxy in front of the real PostgreSQL; the embedded database lives in
// the service's own process and cannot become unreachable on its own.
describe('Database outage (postgres)', { skip: TEST_DB !== 'postgres' && 'runs in the TEST_DB=postgres pass' }, () => {
  let app: TestApp;
  let database: TestDatabase & { url: string };
  let proxy: TcpProxy;
  before(async () => {
    database = await createPostgresDatabase();
    const target = new URL(database.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    target.host = `127.0.0.1:${proxy.port}`;
    app = await startTestApp({ databaseUrl: target.toString() });
  });
  after(async () => {
    await app?.close();
    await proxy?.cut();
    await database?.drop();
  });

  const openStackState = (notificationId: string) =>
    call(app.url, 'receiveStackStateEvent', {
      body: stackStateOpen({ notificationId }),
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });

  it('answers 503 with Retry-After while the database is unreachable, stores nothing, and recovers by itself', async () => {
    const id = randomUUID();
    assert.equal((await openStackState(randomUUID())).status, 200);

    await proxy.cut();
    const during = await openStackState(id);
    assert.equal(during.status, 503);
    assert.equal(during.body.error, 'database_unavailable');
    assert.ok(Number(during.headers.get('retry-after')) > 0);
    const monasca = await call(app.url, 'receiveMonascaAlarm', { params: { key: MONASCA_KEY }, body: monascaAlarm() });
    assert.equal(monasca.status, 503);
    const alertmanager = await call(app.url, 'receiveAlertmanagerAlerts', {
      body: alertmanagerWebhook('firing'),
      headers: { Authorization: `Bearer ${ALERTMANAGER_KEY}` },
    });
    assert.equal(alertmanager.status, 503);
    // PagerDuty senders retry a 5xx; the body keeps PagerDuty's shape.
    const pagerduty = await call(app.url, 'enqueuePagerDutyEvent', {
      body: alertmanagerPagerDutyEvent(PAGERDUTY_ROUTING_KEY, 'trigger'),
    });
    assert.deepEqual([pagerduty.status, pagerduty.body.status], [503, 'database_unavailable']);
    assert.ok(Number(pagerduty.headers.get('retry-after')) > 0);
    const ready = await call(app.url, 'getReadiness');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.database, 'down');
    assert.equal((await call(app.url, 'getHealth')).status, 200, 'still alive');
    // A burst while it is down: every message gets its 503, none waits behind the others for long.
    const started = Date.now();
    const burst = await Promise.all(Array.from({ length: 30 }, () => openStackState(randomUUID())));
    assert.deepEqual(new Set(burst.map((r) => r.status)), new Set([503]));
    assert.ok(Date.now() - started < 10_000, `the burst took ${Date.now() - started} ms`);

    await proxy.restore();
    // The producer retries the same message; the pool reconnects without a restart.
    let retried = await openStackState(id);
    for (let i = 0; i < 20 && retried.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      retried = await openStackState(id);
    }
    assert.equal(retried.status, 200);
    assert.equal(retried.body.result, 'opened');
    assert.equal((await call(app.url, 'getReadiness')).status, 200);
    const stored = await call(app.url, 'listNotifications', {
      query: { externalId: id },
      headers: { Authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(stored.body.items.length, 1);
  });

  it('answers 503 (SMTP 451) within a bounded time when the database stops answering, and recovers', async () => {
    // A second service whose statements time out after 1 s (the client gives up at 3 s).
    const stalled = await createPostgresDatabase();
    const target = new URL(stalled.url);
    const hung = new TcpProxy(target.hostname, Number(target.port || 5432));
    await hung.start();
    target.host = `127.0.0.1:${hung.port}`;
    const service = await startTestApp({
      databaseUrl: target.toString(),
      env: { DATABASE_STATEMENT_TIMEOUT_MS: '1000' },
    });
    const post = (notificationId: string) =>
      call(service.url, 'receiveStackStateEvent', {
        body: stackStateOpen({ notificationId }),
        headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
      });
    const timed = async <T>(work: Promise<T>) => {
      const started = Date.now();
      const value = await work;
      return { value, ms: Date.now() - started };
    };
    try {
      assert.equal((await post(randomUUID())).status, 200);
      hung.stall();
      const id = randomUUID();
      const [first, burst, monasca, mail, health] = await Promise.all([
        timed(post(id)),
        timed(Promise.all(Array.from({ length: 20 }, () => post(randomUUID())))),
        timed(call(service.url, 'receiveMonascaAlarm', { params: { key: MONASCA_KEY }, body: monascaAlarm() })),
        timed(sendLikeHaproxy(service.smtpPort!, { subject: '[HAProxy Alert] Server be/web1 is DOWN' })),
        timed(call(service.url, 'getHealth')),
      ]);
      // The bound (docs/production.md): the statement timeout + 2 s, whatever the change waits at; plus
      // a busy machine's slack.
      const bound = 6000;
      assert.equal(first.value.status, 503);
      assert.ok(first.ms < bound, `answered after ${first.ms} ms`);
      assert.ok(Number(first.value.headers.get('retry-after')) > 0);
      assert.deepEqual(new Set(burst.value.map((r) => r.status)), new Set([503]));
      assert.ok(burst.ms < bound, `the burst took ${burst.ms} ms`);
      assert.equal(monasca.value.status, 503);
      assert.ok(monasca.ms < bound, `Monasca answered after ${monasca.ms} ms`);
      assert.match(mail.value, /^451 /);
      assert.ok(mail.ms < bound, `SMTP answered after ${mail.ms} ms`);
      assert.equal(health.value.status, 200);
      assert.ok(health.ms < 1000, `/healthz took ${health.ms} ms`);

      hung.unstall();
      let retried = await post(id);
      for (let i = 0; i < 40 && retried.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 250));
        retried = await post(id);
      }
      assert.equal(retried.status, 200);
      assert.equal(retried.body.result, 'opened');
    } finally {
      hung.unstall();
      await service.close();
      await hung.cut();
      await stalled.drop();
    }
  });
});
