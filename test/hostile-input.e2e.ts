import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { monascaAlarm, stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import { API_KEY, MONASCA_KEY, STACKSTATE_TOKEN, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

// Nothing a client sends may produce a 500 or take the service down.
describe(`Hostile input (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });
  const stackstate = (body: unknown) =>
    call(app.url, 'receiveStackStateEvent', { body, headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN } });
  const monasca = (body: unknown) => call(app.url, 'receiveMonascaAlarm', { params: { key: MONASCA_KEY }, body });

  it('answers 400, not 500, for values PostgreSQL cannot store or dates past the representable range', async () => {
    const nul = await stackstate(stackStateOpen({ title: 'bad\u0000title' }));
    assert.equal(nul.status, 400);
    assert.equal(nul.body.error, 'bad_request');
    const surrogate = await stackstate({ ...stackStateOpen(), metadata: { team: '\ud800' } });
    assert.equal(surrogate.status, 400);
    const farFuture = await stackstate(stackStateOpen({ triggeredTimeMs: 1e20 }));
    assert.equal(farFuture.status, 400);
    assert.equal(farFuture.body.details[0].field, 'event.triggeredTimeMs');
    // An id travels in the lock and the read: a NUL there is the client's error too, not an outage (503).
    const nulId = await monasca(monascaAlarm({ alarm_id: 'alarm\u0000id' }));
    assert.equal(nulId.status, 400);
    const longId = await monasca(monascaAlarm({ alarm_id: 'x'.repeat(5000) }));
    assert.equal(longId.status, 400);
    const negative = await monasca(monascaAlarm({ alarm_timestamp: -1 }));
    assert.equal(negative.status, 400);
  });

  it('answers 400 for JSON that is not an object, and for wrong types everywhere', async () => {
    for (const body of ['null', '"text"', '42', '[1,2]', 'true']) {
      const response = await stackstate(body);
      assert.equal(response.status, 400, body);
    }
    const wrongTypes = await stackstate({
      notificationId: 42,
      event: 'open',
      monitor: [],
      component: { identifier: {}, link: 1, name: null, type: true, tags: [1, 2] },
      notificationConfiguration: 'x',
      metadata: { a: 1 },
    });
    assert.equal(wrongTypes.status, 400);
    assert.ok(wrongTypes.body.details.length >= 6);
  });

  it('answers 400 for repeated or malformed query parameters and path segments', async () => {
    const auth = { Authorization: `Bearer ${API_KEY}` };
    const repeated = await fetch(`${app.url}/api/v1/notifications?limit=1&limit=2&status=open&status=closed`, {
      headers: auth,
    });
    assert.equal(repeated.status, 400);
    const badEncoding = await fetch(`${app.url}/api/v1/notifications/%FF`, { headers: auth });
    assert.equal(badEncoding.status, 400);
    const key = await fetch(`${app.url}/webhooks/monasca/%FF`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.ok([400, 401].includes(key.status));
  });

  it('survives a client that disconnects mid-body and keeps serving', async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${app.url}/webhooks/stackstate`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': '5000',
          'x-stackstate-webhook-token': STACKSTATE_TOKEN,
        },
      });
      req.on('error', () => resolve());
      req.write('{"notificationId": "');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    const after = await stackstate(stackStateOpen());
    assert.equal(after.status, 200);
  });
});
