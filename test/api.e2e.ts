import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { stackStateOpen } from './support/fixtures';
import { call, operations } from './support/spec-client';
import { API_KEY, STACKSTATE_TOKEN, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

describe(`Read API (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });
  const auth = { Authorization: `Bearer ${API_KEY}` };
  const open = (notificationId = randomUUID()) =>
    call(app.url, 'receiveStackStateEvent', {
      body: stackStateOpen({ notificationId }),
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });

  it('answers 401 with a clear JSON error without a valid Bearer key', async () => {
    const missing = await call(app.url, 'listNotifications');
    assert.equal(missing.status, 401);
    assert.match(missing.body.message, /Authorization/);
    const basic = await call(app.url, 'listNotifications', { headers: { Authorization: 'Basic Zm9vOmJhcg==' } });
    assert.equal(basic.status, 401);
    const wrong = await call(app.url, 'getNotification', {
      params: { id: randomUUID() },
      headers: { Authorization: 'Bearer not-a-key' },
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'unauthorized');
  });

  it('pages with a stable order that neither repeats nor skips while new notifications arrive', async () => {
    const source = await call(app.url, 'listNotifications', { headers: auth, query: { limit: 200 } });
    const before = new Set(source.body.items.map((n: { id: string }) => n.id));
    for (let i = 0; i < 7; i++) await open();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call(app.url, 'listNotifications', { headers: auth, query: { limit: 3, cursor } });
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= 3);
      seen.push(...page.body.items.map((n: { id: string }) => n.id));
      cursor = page.body.nextCursor ?? undefined;
      // Newer notifications land before the cursor, so they must not show up in later pages.
      if (pages++ === 0) await open();
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no repeats');
    assert.equal(seen.length, before.size + 7, 'every notification present at the start, none skipped');
    const openedAt = await Promise.all(
      seen.map(async (id) => (await call(app.url, 'getNotification', { params: { id }, headers: auth })).body.openedAt),
    );
    assert.deepEqual([...openedAt].sort().reverse(), openedAt, 'newest opened first');
  });

  it('filters by status, source and externalId', async () => {
    const externalId = randomUUID();
    await open(externalId);
    const one = await call(app.url, 'listNotifications', { headers: auth, query: { externalId } });
    assert.equal(one.body.items.length, 1);
    assert.equal(one.body.items[0].externalId, externalId);
    const closed = await call(app.url, 'listNotifications', { headers: auth, query: { status: 'closed' } });
    assert.ok(closed.body.items.every((n: { status: string }) => n.status === 'closed'));
    const openOnes = await call(app.url, 'listNotifications', {
      headers: auth,
      query: { status: 'open', source: 'stackstate' },
    });
    assert.ok(openOnes.body.items.length >= 1);
    assert.ok(
      openOnes.body.items.every(
        (n: { status: string; source: string }) => n.status === 'open' && n.source === 'stackstate',
      ),
    );
    const none = await call(app.url, 'listNotifications', { headers: auth, query: { source: 'monasca' } });
    assert.deepEqual(none.body.items, []);
  });

  it('answers 400 for a bad limit, status, cursor or id, and 404 for an unknown id', async () => {
    const queries: Record<string, string | number>[] = [
      { limit: 0 },
      { limit: 201 },
      { limit: 'ten' },
      { status: 'pending' },
      { cursor: 'garbage' },
    ];
    for (const query of queries) {
      const response = await call(app.url, 'listNotifications', { headers: auth, query });
      assert.equal(response.status, 400, JSON.stringify(query));
      assert.ok(response.body.details.length > 0);
    }
    const badId = await call(app.url, 'getNotification', { params: { id: 'nope' }, headers: auth });
    assert.equal(badId.status, 400);
    assert.equal(badId.body.details[0].field, 'id');
    const unknown = await call(app.url, 'getNotification', { params: { id: randomUUID() }, headers: auth });
    assert.equal(unknown.status, 404);
    const unknownEvents = await call(app.url, 'listNotificationEvents', {
      params: { id: randomUUID() },
      headers: auth,
    });
    assert.equal(unknownEvents.status, 404);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await fetch(`${app.url}/api/v1/nothing-here`);
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: string; requestId: string };
    assert.equal(body.error, 'not_found');
    assert.ok(body.requestId);
  });

  it('serves health, readiness and the spec', async () => {
    assert.deepEqual((await call(app.url, 'getHealth')).body, { status: 'ok' });
    assert.deepEqual((await call(app.url, 'getReadiness')).body, { status: 'ok', database: 'up' });
    const spec = await call(app.url, 'getOpenApiDocument');
    assert.equal(spec.body.openapi, '3.1.0');
    assert.ok(spec.body.paths['/webhooks/stackstate']);
  });

  it('routes every spec operation, and every route is in the spec', () => {
    const express = app.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
    const routes = express.router.stack
      // Nest's own catch-all that answers unknown routes with 404 is not an operation.
      .filter((layer) => layer.route && layer.route.path !== '{/*splat}')
      .flatMap((layer) =>
        Object.keys(layer.route!.methods).map(
          (m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`,
        ),
      )
      .sort();
    const specOps = Object.values(operations)
      .map((op) => `${op.method} ${op.path}`)
      .sort();
    assert.deepEqual(routes, specOps);
  });
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}
