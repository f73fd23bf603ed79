import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { monascaAlarm, stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import {
  API_KEY,
  defaultTestConfig,
  MONASCA_KEY,
  STACKSTATE_TOKEN,
  startTestApp,
  TestApp,
  WRITE_API_KEY,
} from './support/test-app';
import { TEST_DB } from './support/test-database';

// Nothing a client sends may produce a 500 or take the service down.
describe(`Hostile input (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    // Room for bodies past PostgreSQL's own limits (a tsvector holds 1 MB).
    const config = defaultTestConfig();
    app = await startTestApp({ config: { ...config, http: { bodyLimitBytes: 4 * 1024 * 1024 } } });
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

  it('answers 400 naming the field for values within the character limits but past the byte limits of the schema', async () => {
    // 1,000 characters of 4 bytes each: past a btree index row (about 2.7 kB).
    const wide = await monasca(monascaAlarm({ alarm_id: '\u{1F525}'.repeat(1000) }));
    assert.equal(wide.status, 400);
    assert.deepEqual(wide.body.details, [{ field: 'alarm_id', problem: 'must be at most 1000 bytes in UTF-8' }]);
    // 250 of them fit.
    const fits = await monasca(monascaAlarm({ alarm_id: '\u{1F525}'.repeat(250) }));
    assert.equal(fits.status, 200);
    // More than a tsvector holds (1 MB of distinct words): stored, searchable in its first part.
    const words = Array.from({ length: 40_000 }, (_, i) => `w${i.toString(36)}x${'é'.repeat(8)}`).join(' ');
    const long = await stackstate(stackStateOpen({ title: `needle ${words}` }));
    assert.equal(long.status, 200, JSON.stringify(long.body));
    const message = await monasca(monascaAlarm({ message: words }));
    assert.equal(message.status, 200, JSON.stringify(message.body));
    const found = await call(app.url, 'listNotifications', {
      query: { q: 'needle' },
      headers: { Authorization: `Bearer ${API_KEY}` },
    });
    assert.deepEqual(
      found.body.items.map((n: { id: string }) => n.id),
      [long.body.notificationId],
    );
  });

  it('checks StackState metadata whenever it is there, also next to the older tags (found by the fuzzer)', async () => {
    const both = await stackstate({ ...stackStateOpen(), metadata: { team: { nested: 1 } }, tags: { team: 'a' } });
    assert.equal(both.status, 400);
    assert.equal(both.body.details[0].field, 'metadata');
    const nullTags = await stackstate({ ...stackStateOpen(), metadata: undefined, tags: null });
    assert.equal(nullTags.status, 400);
    const older = await stackstate({ ...stackStateOpen(), metadata: undefined, tags: { team: 'a' } });
    assert.equal(older.status, 200);
  });

  it('answers 400 for Monasca metrics that are not objects (the service would fail on them)', async () => {
    for (const metrics of [[[]], [null], ['x'], [1]]) {
      const response = await monasca(monascaAlarm({ metrics }));
      assert.equal(response.status, 400, JSON.stringify(metrics));
      assert.equal(response.body.details[0].field, 'metrics');
    }
  });

  it('answers 400 for JSON nested thousands deep on every endpoint that takes a body, before validating it', async () => {
    const deep = `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const write = { Authorization: `Bearer ${WRITE_API_KEY}` };
    const id = '00000000-0000-4000-8000-000000000000';
    const answers = [
      await stackstate(deep),
      await monasca(deep),
      await call(app.url, 'testRoutes', { body: deep, headers: write }),
      await call(app.url, 'acknowledgeNotification', { params: { id }, body: deep, headers: write }),
      await call(app.url, 'closeNotification', { params: { id }, body: deep, headers: write }),
      await call(app.url, 'putExternalRef', { params: { id, system: 'jira' }, body: deep, headers: write }),
    ];
    for (const answer of answers) {
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error, 'malformed_json');
      assert.match(answer.body.message, /deeper than 32 levels/);
      assert.equal(answer.body.requestId, answer.headers.get('x-request-id'));
    }
    // 32 levels in all (the envelope, metadata and 30 arrays) are fine as JSON; the schema refuses them.
    const nested = `${'['.repeat(30)}${']'.repeat(30)}`;
    const ok = await stackstate({ ...stackStateOpen(), metadata: JSON.parse(`{"a":${nested}}`) });
    assert.equal(ok.status, 400);
    assert.equal(ok.body.error, 'validation_failed');
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
