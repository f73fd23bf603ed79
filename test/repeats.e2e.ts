import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from './support/fake-channel';
import { monascaAlarm, stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, MONASCA_KEY, STACKSTATE_TOKEN, startTestApp, TestApp } from './support/test-app';
import { createPostgresDatabase, TEST_DB, TestDatabase } from './support/test-database';

// Repeats of a committed message are answered without a transaction of their own (RepeatLedger) and
// their counts written within a second (RepeatFlusher): counted, durable across a graceful stop, and
// never counted on a notification that moved on.

const auth = { Authorization: `Bearer ${API_KEY}` };
const send = (app: TestApp, body: unknown) =>
  call(app.url, 'receiveMonascaAlarm', { params: { key: MONASCA_KEY }, body });
const byAlarmId = async (app: TestApp, externalId: string) =>
  (await call(app.url, 'listNotifications', { query: { externalId, source: 'monasca' }, headers: auth })).body.items;

describe(`repeats answered from memory (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  it('counts every repeat (duplicateCount, lastSeenAt, version) and answers each as a duplicate', async () => {
    const alarm = monascaAlarm({ alarm_timestamp: 1000 });
    const opened = await send(app, alarm);
    assert.equal(opened.body.result, 'opened');
    const first = (await byAlarmId(app, alarm.alarm_id))[0];
    for (let i = 0; i < 25; i++) {
      const repeat = await send(app, alarm);
      assert.deepEqual(repeat.body, { result: 'duplicate', notificationId: opened.body.notificationId, revision: 1 });
    }
    const [counted] = await byAlarmId(app, alarm.alarm_id);
    assert.equal(counted.duplicateCount, 25);
    assert.equal(counted.version, first.version + 25);
    assert.ok(counted.lastSeenAt > first.lastSeenAt, `${counted.lastSeenAt} after ${first.lastSeenAt}`);
    assert.equal(counted.revision, 1);
  });

  it('a repeat of the open after the close is stale: the closed notification is neither reopened nor counted', async () => {
    const alarm = monascaAlarm({ alarm_timestamp: 1000 });
    const opened = await send(app, alarm);
    for (let i = 0; i < 3; i++) assert.equal((await send(app, alarm)).body.result, 'duplicate');
    const ok = { ...alarm, state: 'OK', old_state: 'ALARM', alarm_timestamp: 1100 };
    assert.equal((await send(app, ok)).body.result, 'closed');
    for (let i = 0; i < 3; i++) assert.equal((await send(app, alarm)).body.result, 'stale');
    // The close's own repeats are duplicates of the closed notification.
    for (let i = 0; i < 2; i++) assert.equal((await send(app, ok)).body.result, 'duplicate');
    const items = await byAlarmId(app, alarm.alarm_id);
    assert.equal(items.length, 1, 'no new notification');
    assert.equal(items[0].id, opened.body.notificationId);
    assert.equal(items[0].status, 'closed');
    assert.equal(items[0].revision, 2);
    assert.equal(items[0].duplicateCount, 5, 'three repeats of the open before the close, two of the close');
  });

  it('an update between repeats takes the normal path, and repeats of the old state are stale', async () => {
    const alarm = monascaAlarm({ alarm_timestamp: 1000 });
    await send(app, alarm);
    assert.equal((await send(app, alarm)).body.result, 'duplicate');
    const undetermined = { ...alarm, state: 'UNDETERMINED', old_state: 'ALARM', alarm_timestamp: 1100 };
    assert.equal((await send(app, undetermined)).body.result, 'updated');
    assert.equal((await send(app, alarm)).body.result, 'stale');
    assert.equal((await send(app, undetermined)).body.result, 'duplicate');
    const [n] = await byAlarmId(app, alarm.alarm_id);
    assert.equal(n.sourceState, 'UNDETERMINED');
    assert.equal(n.revision, 2);
    assert.equal(n.duplicateCount, 2);
  });
});

// A repeat whose bytes and credential are those of a message already decided is answered from its body
// alone, before validation and mapping (RepeatShortcut): /metrics counts those.
const SECOND_MONASCA_KEY = 'test-monasca-key-second-0123456789';

describe(`repeats known by their body (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    const config = defaultTestConfig() as { ingress: { monasca: { keys: unknown[] } } };
    config.ingress.monasca.keys.push({ name: 'second', key: SECOND_MONASCA_KEY, alarmSeverity: 'warning' });
    app = await startTestApp({ config });
  });
  after(async () => {
    await app?.close();
  });

  const fromBody = async (source: string) => {
    const text = (await call<string>(app.url, 'getMetrics')).body;
    return Number(
      new RegExp(`^alert_relay_ingest_repeat_bodies_total\\{source="${source}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0,
    );
  };
  const post = async (path: string, text: string, headers: Record<string, string> = {}) => {
    const response = await fetch(app.url + path, {
      method: 'POST',
      body: text,
      headers: { 'content-type': 'application/json', ...headers },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers the same bytes with the same key from the body, other bytes of the same message the normal way', async () => {
    const alarm = monascaAlarm({ alarm_timestamp: 1000 });
    const path = `/webhooks/monasca/${MONASCA_KEY}`;
    const text = JSON.stringify(alarm);
    const opened = await post(path, text);
    assert.equal(opened.body.result, 'opened');
    const before = await fromBody('monasca');
    // The first repeat is decided the normal way, and makes the body known; the next ones are answered by it.
    for (let i = 0; i < 4; i++) {
      assert.deepEqual((await post(path, text)).body, {
        result: 'duplicate',
        notificationId: opened.body.notificationId,
        revision: 1,
      });
    }
    assert.equal(await fromBody('monasca'), before + 3);
    // The same message in other bytes (indented), and the same bytes under another key: validated and
    // mapped as any message, and still duplicates of it.
    assert.equal((await post(path, JSON.stringify(alarm, null, 2))).body.result, 'duplicate');
    assert.equal((await post(`/webhooks/monasca/${SECOND_MONASCA_KEY}`, text)).body.result, 'duplicate');
    assert.equal(await fromBody('monasca'), before + 3);
    const [n] = await byAlarmId(app, alarm.alarm_id);
    assert.equal(n.duplicateCount, 6);
    assert.equal(n.sourceInstance, 'openstack');
  });

  it('stops answering a body once its notification moved on: the old state is stale, the new one a duplicate', async () => {
    const alarm = monascaAlarm({ alarm_timestamp: 1000 });
    const path = `/webhooks/monasca/${MONASCA_KEY}`;
    const text = JSON.stringify(alarm);
    await post(path, text);
    for (let i = 0; i < 2; i++) assert.equal((await post(path, text)).body.result, 'duplicate');
    const before = await fromBody('monasca');
    const undetermined = JSON.stringify({ ...alarm, state: 'UNDETERMINED', old_state: 'ALARM', alarm_timestamp: 1100 });
    assert.equal((await post(path, undetermined)).body.result, 'updated');
    assert.equal((await post(path, text)).body.result, 'stale');
    assert.equal(await fromBody('monasca'), before, 'the old body is not answered from memory');
    for (let i = 0; i < 3; i++) assert.equal((await post(path, undetermined)).body.result, 'duplicate');
    assert.ok((await fromBody('monasca')) > before, 'the new body is');
    const [n] = await byAlarmId(app, alarm.alarm_id);
    assert.equal(n.revision, 2);
    assert.equal(n.duplicateCount, 5);
  });

  it('knows StackState bodies too, by token', async () => {
    const text = JSON.stringify(stackStateOpen());
    const headers = { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN };
    const opened = await post('/webhooks/stackstate', text, headers);
    assert.equal(opened.body.result, 'opened');
    const before = await fromBody('stackstate');
    for (let i = 0; i < 3; i++)
      assert.equal((await post('/webhooks/stackstate', text, headers)).body.result, 'duplicate');
    assert.equal(await fromBody('stackstate'), before + 2);
    // The token still decides first: the same bytes with a wrong one are refused, not answered.
    assert.equal((await post('/webhooks/stackstate', text, { 'X-StackState-Webhook-Token': 'wrong' })).status, 401);
    assert.equal(await fromBody('stackstate'), before + 2);
  });
});

describe(`repeats survive a graceful stop (${TEST_DB})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-repeats-'));
  let shared: (TestDatabase & { url: string }) | undefined;
  after(async () => {
    await shared?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the counted repeats before it stops: the next start reads them', async () => {
    shared = TEST_DB === 'postgres' ? await createPostgresDatabase() : undefined;
    const options = { dir, databaseUrl: shared?.url };
    const first = await startTestApp(options);
    const alarm = monascaAlarm({ alarm_timestamp: 1000 });
    try {
      await send(first, alarm);
      // No read in between: nothing but the shutdown writes them before the flush interval.
      for (let i = 0; i < 7; i++) assert.equal((await send(first, alarm)).body.result, 'duplicate');
    } finally {
      await first.close();
    }
    const second = await startTestApp(options);
    try {
      const [n] = await byAlarmId(second, alarm.alarm_id);
      assert.equal(n.duplicateCount, 7);
    } finally {
      await second.close();
    }
  });
});

const postgresOnly = { skip: TEST_DB !== 'postgres' ? 'needs real PostgreSQL (TEST_DB=postgres)' : false };

describe(`repeats with two replicas (${TEST_DB})`, postgresOnly, () => {
  let shared: TestDatabase & { url: string };
  const replicas: TestApp[] = [];
  before(async () => {
    shared = await createPostgresDatabase();
    replicas.push(await startTestApp({ databaseUrl: shared.url }));
    replicas.push(await startTestApp({ databaseUrl: shared.url }));
  });
  after(async () => {
    for (const r of replicas) await r.close().catch(() => undefined);
    await shared?.drop();
  });

  it("writes one replica's counts within the bound, where the other replica reads them", async () => {
    const [a, b] = replicas;
    const alarm = monascaAlarm({ alarm_timestamp: 1000 });
    await send(a, alarm);
    for (let i = 0; i < 4; i++) assert.equal((await send(a, alarm)).body.result, 'duplicate');
    // b has nothing of its own to write: what it reads, a's timer wrote.
    const n = await eventually(async () => {
      const [row] = await byAlarmId(b, alarm.alarm_id);
      return row.duplicateCount === 4 ? row : undefined;
    });
    assert.equal(n.revision, 1);
  });

  it('a repeat on one replica of a notification the other closed is neither counted nor reopens it', async () => {
    const [a, b] = replicas;
    const alarm = monascaAlarm({ alarm_timestamp: 1000 });
    const opened = await send(a, alarm);
    assert.equal((await send(a, alarm)).body.result, 'duplicate');
    await byAlarmId(a, alarm.alarm_id); // a writes its count (a read settles this replica's repeats)
    const ok = { ...alarm, state: 'OK', old_state: 'ALARM', alarm_timestamp: 1100 };
    assert.equal((await send(b, ok)).body.result, 'closed');
    // a has not heard of the close: it may answer these as duplicates, but must not count them.
    for (let i = 0; i < 3; i++) assert.equal((await send(a, alarm)).status, 200);
    await byAlarmId(a, alarm.alarm_id); // a's flush finds the notification moved on and applies the repeat
    assert.equal((await send(a, alarm)).body.result, 'stale', 'the id is no longer answered from memory');
    const items = await byAlarmId(b, alarm.alarm_id);
    assert.equal(items.length, 1, 'not reopened');
    assert.equal(items[0].id, opened.body.notificationId);
    assert.equal(items[0].status, 'closed');
    assert.equal(items[0].revision, 2);
    assert.equal(items[0].duplicateCount, 1, 'only the repeat before the close');
  });
});
