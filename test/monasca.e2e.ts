import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MONASCA_TEST_FIXTURE, monascaAlarm } from './support/fixtures';
import { call } from './support/spec-client';
import { API_KEY, MONASCA_KEY, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

describe(`Monasca webhook (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  const send = (body: unknown, key = MONASCA_KEY) => call(app.url, 'receiveMonascaAlarm', { params: { key }, body });
  const auth = { Authorization: `Bearer ${API_KEY}` };
  const byAlarmId = async (externalId: string) =>
    (await call(app.url, 'listNotifications', { query: { externalId, source: 'monasca' }, headers: auth })).body.items;

  it('opens on ALARM, ignores periodic repeats, updates on UNDETERMINED, closes on OK, and reopens a new notification on the next ALARM', async () => {
    const alarmId = randomUUID();
    const alarm = monascaAlarm({ alarm_id: alarmId, alarm_timestamp: 1000 });
    const opened = await send(alarm);
    assert.equal(opened.status, 200);
    assert.equal(opened.body.result, 'opened');
    const firstId = opened.body.notificationId;

    // Monasca's periodic notifications resend byte-identical bodies.
    for (let i = 0; i < 3; i++) assert.equal((await send(alarm)).body.result, 'duplicate');

    const undetermined = await send({ ...alarm, state: 'UNDETERMINED', old_state: 'ALARM', alarm_timestamp: 1100 });
    assert.equal(undetermined.body.result, 'updated');
    assert.equal(undetermined.body.revision, 2);

    const ok = await send({
      ...alarm,
      state: 'OK',
      old_state: 'UNDETERMINED',
      alarm_timestamp: 1200,
      message: 'The alarm threshold(s) have not been exceeded',
    });
    assert.equal(ok.body.result, 'closed');
    assert.equal(ok.body.notificationId, firstId);

    // Monasca retries a failed POST 30 s later: the first ALARM arrives again after the OK. Stale.
    assert.equal((await send(alarm)).body.result, 'stale');
    // OK repeats on a periodic ok_action: duplicate of the closed notification.
    assert.equal(
      (await send({ ...alarm, state: 'OK', old_state: 'UNDETERMINED', alarm_timestamp: 1200 })).body.result,
      'duplicate',
    );

    const again = await send({ ...alarm, alarm_timestamp: 1300 });
    assert.equal(again.body.result, 'opened');
    assert.notEqual(again.body.notificationId, firstId);

    const items = await byAlarmId(alarmId);
    assert.equal(items.length, 2);
    const [newest, oldest] = items;
    assert.equal(newest.id, again.body.notificationId);
    assert.equal(newest.status, 'open');
    assert.equal(newest.externalId, alarmId);
    assert.equal(oldest.status, 'closed');
    assert.equal(oldest.sourceState, 'OK');
    assert.equal(oldest.closeReason, 'The alarm threshold(s) have not been exceeded');
    assert.equal(oldest.revision, 3);
    assert.equal(oldest.duplicateCount, 4);
    assert.equal(newest.severity, 'critical');
    assert.equal(newest.host, 'operator');
    assert.equal(newest.sourceInstance, 'openstack');
    assert.equal(newest.metadata.tenant_id, '62f7a7a314904aa3ab137d569d6b4fde');
    assert.deepEqual(newest.tags, ['hostname:operator']);

    const history = await call(app.url, 'listNotificationEvents', { params: { id: firstId }, headers: auth });
    assert.deepEqual(
      history.body.items.map((e: { type: string }) => e.type),
      ['opened', 'updated', 'closed'],
    );
    assert.equal(
      history.body.items[0].sourceTimestamp,
      new Date(1000 * 1000).toISOString(),
      'alarm_timestamp is seconds',
    );
  });

  it('accepts the exact body of the upstream test fixture (integer alarm_definition_id, metric without name)', async () => {
    const response = await send(MONASCA_TEST_FIXTURE);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const [n] = await byAlarmId('0');
    assert.equal(n.title, 'test Alarm');
    assert.equal(n.metadata.alarm_definition_id, '0');
    assert.equal(n.host, 'foo1');
  });

  it('accepts a null alarm_description and an empty metrics list', async () => {
    const response = await send(monascaAlarm({ alarm_description: null, metrics: [] }));
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.result, 'opened');
  });

  it('accepts every shape a release since 1.2.2 sends: Python API state changes, fractional seconds, null dimensions, ujson escapes', async () => {
    // monasca-api (Python) on PATCH /v2.0/alarms/{id}: metrics without `id`, a fixed message.
    const fromApi = monascaAlarm({
      metrics: [{ name: 'cpu.idle_perc', dimensions: {} }],
      message: 'Alarm state updated via API',
    });
    assert.equal((await send(fromApi)).body.result, 'opened');

    // A Python 3 build of 1.2.2-1.9.0 divided milliseconds by 1000 and kept the fraction.
    const fractional = monascaAlarm({ alarm_timestamp: 1429023453.632428 });
    const opened = await send(fractional);
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    const [event] = (
      await call(app.url, 'listNotificationEvents', { params: { id: opened.body.notificationId }, headers: auth })
    ).body.items;
    assert.equal(event.sourceTimestamp, '2015-04-14T14:57:33.632Z');

    // monasca-common's MetricDefinition has a nullable dimensions map.
    const nullDimensions = monascaAlarm({ metrics: [{ id: null, name: 'cpu.user_perc', dimensions: null }] });
    const response = await send(nullDimensions);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const [n] = await byAlarmId(nullDimensions.alarm_id);
    assert.deepEqual([n.host, n.tags], [null, []]);

    // Releases 1.10.0-1.18.0 serialised with ujson: compact, and "/" escaped as "\/".
    const alarmId = randomUUID();
    const ujson = JSON.stringify(monascaAlarm({ alarm_id: alarmId, alarm_name: 'disk /var' })).replaceAll('/', '\\/');
    assert.ok(ujson.includes('disk \\/var'));
    assert.equal((await send(ujson)).status, 200);
    assert.equal((await byAlarmId(alarmId))[0].title, 'disk /var');
  });

  it('refuses what is ambiguous: millisecond timestamps, and the bodies of releases before 1.2.2', async () => {
    const alarmId = randomUUID();
    const millis = await send(monascaAlarm({ alarm_id: alarmId, alarm_timestamp: 1556703552000 }));
    assert.equal(millis.status, 400);
    assert.deepEqual(millis.body.details, [
      {
        field: 'alarm_timestamp',
        problem: 'must be epoch seconds below 10^11 (this looks like milliseconds; Monasca sends seconds)',
      },
    ]);
    assert.equal((await byAlarmId(alarmId)).length, 0);
    // 1.1.4-1.1.5: the alarm's *name* under alarm_id, nothing else.
    const eraB = await send({ alarm_id: 'dummy_alarm' });
    assert.equal(eraB.status, 400);
    assert.equal(eraB.body.error, 'validation_failed');
    // 1.1.6-1.2.1: requests form-encoded the dict but kept "content-type: application/json".
    const eraC = await send(`alarm_id=${randomUUID()}`);
    assert.equal(eraC.status, 400);
    assert.equal(eraC.body.error, 'malformed_json');
  });

  it('records an OK for an alarm it never saw', async () => {
    const alarmId = randomUUID();
    const response = await send(monascaAlarm({ alarm_id: alarmId, state: 'OK', old_state: 'ALARM' }));
    assert.equal(response.body.result, 'recorded');
    const [n] = await byAlarmId(alarmId);
    assert.equal(n.status, 'closed');
  });

  it('answers 401 for an unknown key and stores nothing', async () => {
    const alarmId = randomUUID();
    const response = await send(monascaAlarm({ alarm_id: alarmId }), 'wrong-key-wrong-key-wrong');
    assert.equal(response.status, 401);
    assert.equal(response.body.error, 'unauthorized');
    assert.equal((await byAlarmId(alarmId)).length, 0);
  });

  it('answers 400 naming each bad field', async () => {
    const response = await send(
      monascaAlarm({
        state: 'FIRING',
        alarm_timestamp: 'yesterday',
        metrics: [{ dimensions: { hostname: 7 } }],
        alarm_id: '',
      }),
    );
    assert.equal(response.status, 400);
    const fields = response.body.details.map((d: { field: string }) => d.field).sort();
    assert.deepEqual(fields, ['alarm_id', 'alarm_timestamp', 'metrics[0].dimensions', 'state']);
    const missing = await send({ alarm_id: 'x' });
    assert.equal(missing.status, 400);
    assert.ok(missing.body.details.length >= 8, JSON.stringify(missing.body.details));
  });
});
