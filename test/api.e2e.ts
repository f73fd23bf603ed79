import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AlertRelayClient } from '../clients/typescript/src';
import { stackStateOpen } from './support/fixtures';
import { sdk } from './support/sdk';
import { call, operations } from './support/spec-client';
import { API_KEY, STACKSTATE_TOKEN, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

// Through the SDK (clients/typescript), as integrations call it; raw requests only for what a typed
// client cannot send (no key, a malformed query).
describe(`Read API (${TEST_DB})`, () => {
  let app: TestApp;
  let client: AlertRelayClient;
  before(async () => {
    app = await startTestApp();
    client = sdk(app.url, API_KEY);
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
    const wrong = await sdk(app.url, 'not-a-key').GET('/api/v1/notifications/{id}', {
      params: { path: { id: randomUUID() } },
    });
    assert.equal(wrong.response.status, 401);
    assert.equal(wrong.error?.error, 'unauthorized');
  });

  it('pages with a stable order that neither repeats nor skips while new notifications arrive', async () => {
    const source = await client.GET('/api/v1/notifications', { params: { query: { limit: 200 } } });
    const before = new Set(source.data?.items.map((n) => n.id));
    for (let i = 0; i < 7; i++) await open();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { data } = await client.GET('/api/v1/notifications', { params: { query: { limit: 3, cursor } } });
      assert.ok(data);
      assert.ok(data.items.length <= 3);
      seen.push(...data.items.map((n) => n.id));
      cursor = data.nextCursor ?? undefined;
      // Newer notifications land before the cursor, so they must not show up in later pages.
      if (pages++ === 0) await open();
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no repeats');
    assert.equal(seen.length, before.size + 7, 'every notification present at the start, none skipped');
    const openedAt = await Promise.all(
      seen.map(
        async (id) => (await client.GET('/api/v1/notifications/{id}', { params: { path: { id } } })).data?.openedAt,
      ),
    );
    assert.deepEqual([...openedAt].sort().reverse(), openedAt, 'newest opened first');
  });

  it('filters by status, source and externalId', async () => {
    const externalId = randomUUID();
    await open(externalId);
    const list = async (query: { externalId?: string; status?: 'open' | 'closed'; source?: string }) => {
      const { data } = await client.GET('/api/v1/notifications', { params: { query } });
      assert.ok(data);
      return data.items;
    };
    const one = await list({ externalId });
    assert.equal(one.length, 1);
    assert.equal(one[0].externalId, externalId);
    assert.ok((await list({ status: 'closed' })).every((n) => n.status === 'closed'));
    const openOnes = await list({ status: 'open', source: 'stackstate' });
    assert.ok(openOnes.length >= 1);
    assert.ok(openOnes.every((n) => n.status === 'open' && n.source === 'stackstate'));
    assert.deepEqual(await list({ source: 'monasca' }), []);
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
    const badId = await client.GET('/api/v1/notifications/{id}', { params: { path: { id: 'nope' } } });
    assert.equal(badId.response.status, 400);
    assert.equal(badId.error?.details?.[0].field, 'id');
    const unknown = await client.GET('/api/v1/notifications/{id}', { params: { path: { id: randomUUID() } } });
    assert.equal(unknown.response.status, 404);
    const unknownEvents = await client.GET('/api/v1/notifications/{id}/events', {
      params: { path: { id: randomUUID() } },
    });
    assert.equal(unknownEvents.response.status, 404);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await fetch(`${app.url}/api/v1/nothing-here`);
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: string; requestId: string };
    assert.equal(body.error, 'not_found');
    assert.ok(body.requestId);
  });

  it('serves health, readiness and the spec', async () => {
    assert.deepEqual((await client.GET('/healthz')).data, { status: 'ok' });
    assert.deepEqual((await client.GET('/readyz')).data, { status: 'ok', database: 'up' });
    const spec = (await client.GET('/openapi.json')).data as { openapi: string; paths: Record<string, unknown> };
    assert.equal(spec.openapi, '3.1.0');
    assert.ok(spec.paths['/webhooks/stackstate']);
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
