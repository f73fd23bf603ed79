import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AlertRelayClient } from '../clients/typescript/src';
import { monascaAlarm, stackStateOpen } from './support/fixtures';
import { sdk } from './support/sdk';
import { call } from './support/spec-client';
import { MONASCA_KEY, STACKSTATE_TOKEN, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { TEST_DB } from './support/test-database';

describe(`REST API for integrations (${TEST_DB})`, () => {
  let app: TestApp;
  let reader: AlertRelayClient;
  let writer: AlertRelayClient;
  before(async () => {
    app = await startTestApp();
    reader = sdk(app.url);
    writer = sdk(app.url, WRITE_API_KEY);
  });
  after(async () => {
    await app?.close();
  });

  /** Opens a StackState notification and returns its id. */
  const open = async (overrides: { title?: string; state?: string; tags?: string[] } = {}) => {
    const body = stackStateOpen({ title: overrides.title, state: overrides.state }) as Record<string, any>;
    if (overrides.tags) body.component.tags = overrides.tags;
    const response = await call(app.url, 'receiveStackStateEvent', {
      body,
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.notificationId as string;
  };
  const get = async (id: string) => {
    const { data, response } = await reader.GET('/api/v1/notifications/{id}', { params: { path: { id } } });
    assert.ok(data, `GET ${id} answered ${response.status}`);
    return { notification: data, etag: response.headers.get('etag') };
  };
  const history = async (id: string) => {
    const { data } = await reader.GET('/api/v1/notifications/{id}/events', { params: { path: { id } } });
    assert.ok(data);
    return data.items;
  };

  describe('finding notifications', () => {
    const marker = `m${randomUUID().slice(0, 8)}`;
    const ids: Record<string, string> = {};
    before(async () => {
      ids.critical = await open({ title: `${marker} disk full on db-1`, state: 'CRITICAL', tags: [`team:${marker}`] });
      ids.warning = await open({
        title: `${marker} latency high`,
        state: 'DEVIATING',
        tags: [`team:${marker}`, 'env:prod'],
      });
      const alarm = monascaAlarm({ message: `${marker} cpu above threshold on compute7` });
      const monasca = await call(app.url, 'receiveMonascaAlarm', { params: { key: MONASCA_KEY }, body: alarm });
      assert.equal(monasca.status, 200);
      ids.monasca = monasca.body.notificationId;
    });
    const find = async (query: Record<string, unknown>) => {
      const { data, error, response } = await reader.GET('/api/v1/notifications', {
        params: { query: { q: marker, ...query } },
      });
      assert.ok(data, `${response.status} ${JSON.stringify(error)}`);
      return data.items.map((n) => n.id).sort();
    };

    it('filters by severity, source, status, tag, externalId, text and time', async () => {
      assert.deepEqual(await find({}), [ids.critical, ids.warning, ids.monasca].sort());
      assert.deepEqual(await find({ severity: 'warning' }), [ids.warning]);
      assert.deepEqual(await find({ source: 'monasca' }), [ids.monasca]);
      assert.deepEqual(await find({ status: 'closed' }), []);
      assert.deepEqual(await find({ tag: [`team:${marker}`] }), [ids.critical, ids.warning].sort());
      assert.deepEqual(await find({ tag: [`team:${marker}`, 'env:prod'] }), [ids.warning]);
      assert.deepEqual(await find({ q: `${marker} compute7` }), [ids.monasca]);
      assert.deepEqual(await find({ q: `${marker} -latency -compute7` }), [ids.critical]);
      const { notification } = await get(ids.warning);
      assert.deepEqual(await find({ externalId: notification.externalId }), [ids.warning]);
      assert.deepEqual(await find({ openedAfter: notification.openedAt }), [ids.warning, ids.monasca].sort());
      assert.deepEqual(await find({ openedBefore: notification.openedAt }), [ids.critical]);
      assert.deepEqual(await find({ updatedAfter: new Date(Date.now() + 60_000).toISOString() }), []);
    });

    it('filters by host, and lists the most recently changed first with sort=-updatedAt', async () => {
      assert.deepEqual(await find({ host: 'catalogue' }), [ids.critical, ids.warning].sort());
      assert.deepEqual(await find({ host: 'no-such-host' }), []);
      const { notification } = await get(ids.critical);
      const update = stackStateOpen({
        notificationId: notification.externalId,
        state: 'DEVIATING',
        title: notification.title,
        triggeredTimeMs: Date.now(),
      });
      const updated = await call(app.url, 'receiveStackStateEvent', {
        body: update,
        headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
      });
      assert.equal(updated.body.result, 'updated');
      const order: string[] = [];
      let cursor: string | undefined;
      do {
        const { data } = await reader.GET('/api/v1/notifications', {
          params: { query: { q: marker, sort: '-updatedAt', limit: 1, cursor } },
        });
        assert.ok(data);
        order.push(...data.items.map((n) => n.id));
        cursor = data.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(order, [ids.critical, ids.monasca, ids.warning]);
    });

    it('pages with a cursor in either order without repeating or skipping while notifications are added', async () => {
      for (const sort of ['-openedAt', 'openedAt'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const { data } = await reader.GET('/api/v1/notifications', { params: { query: { limit: 2, cursor, sort } } });
          assert.ok(data);
          seen.push(...data.items.map((n) => n.id));
          // Written between pages: may show up at the end of an oldest-first pass, never out of order.
          await open({ title: `added while paging ${sort}` });
          if (!data.nextCursor) break;
          cursor = data.nextCursor;
        }
        assert.equal(new Set(seen).size, seen.length, `${sort}: an item was repeated`);
        const all: string[] = [];
        let next: string | undefined;
        do {
          const { data } = await reader.GET('/api/v1/notifications', {
            params: { query: { limit: 200, cursor: next, sort } },
          });
          assert.ok(data);
          all.push(...data.items.map((n) => n.id));
          next = data.nextCursor ?? undefined;
        } while (next);
        const existingBefore = all.filter((id) => seen.includes(id));
        assert.deepEqual(existingBefore, seen, `${sort}: pages are not in the full order`);
        if (sort === '-openedAt') {
          // Every item that existed when the pass started was returned.
          assert.ok(seen.includes(ids.critical) && seen.includes(ids.monasca));
        }
      }
    });

    it('answers 400 past the page size limit, for a foreign cursor, and for a bad date', async () => {
      const tooMany = await reader.GET('/api/v1/notifications', { params: { query: { limit: 201 } } });
      assert.equal(tooMany.response.status, 400);
      assert.deepEqual(tooMany.error?.details, [
        { field: 'limit', problem: 'must be at most 200; follow nextCursor for more' },
      ]);
      const page = await reader.GET('/api/v1/notifications', { params: { query: { limit: 1 } } });
      assert.ok(page.data?.nextCursor);
      const foreign = await reader.GET('/api/v1/notifications', {
        params: { query: { cursor: page.data.nextCursor, sort: 'openedAt' } },
      });
      assert.equal(foreign.response.status, 400);
      assert.match(foreign.error?.details?.[0].problem ?? '', /returned for sort=-openedAt, not sort=openedAt/);
      const garbage = await reader.GET('/api/v1/notifications', { params: { query: { cursor: 'bm90IGEgY3Vyc29y' } } });
      assert.equal(garbage.error?.error, 'bad_request');
      const badDate = await reader.GET('/api/v1/notifications', { params: { query: { openedAfter: 'yesterday' } } });
      assert.equal(badDate.error?.details?.[0].field, 'openedAfter');
    });
  });

  describe('ETag and conditional requests', () => {
    it('answers 304 to If-None-Match while nothing changed, and 412 to a stale If-Match', async () => {
      const id = await open();
      const first = await get(id);
      assert.equal(first.etag, `"${first.notification.version}"`);
      const notModified = await reader.GET('/api/v1/notifications/{id}', {
        params: { path: { id }, header: { 'If-None-Match': first.etag ?? '' } },
      });
      assert.equal(notModified.response.status, 304);

      const acked = await writer.POST('/api/v1/notifications/{id}/acknowledge', {
        params: { path: { id }, header: { 'If-Match': first.etag ?? '' } },
        body: { by: 'alice', reason: 'looking' },
      });
      assert.equal(acked.response.status, 200);
      const newEtag = acked.response.headers.get('etag');
      assert.notEqual(newEtag, first.etag);
      assert.equal((await get(id)).etag, newEtag);
      const changed = await reader.GET('/api/v1/notifications/{id}', {
        params: { path: { id }, header: { 'If-None-Match': first.etag ?? '' } },
      });
      assert.equal(changed.response.status, 200);

      const stale = await writer.POST('/api/v1/notifications/{id}/close', {
        params: { path: { id }, header: { 'If-Match': first.etag ?? '' } },
        body: { reason: 'fixed' },
      });
      assert.equal(stale.response.status, 412);
      assert.equal(stale.error?.error, 'precondition_failed');
      assert.equal((await get(id)).notification.status, 'open');
    });
  });

  describe('writes', () => {
    it('refuses writes with a read key (403, naming the scope) and without a key (401)', async () => {
      const id = await open();
      const forbidden = await reader.POST('/api/v1/notifications/{id}/acknowledge', {
        params: { path: { id } },
        body: { by: 'mallory' },
      });
      assert.equal(forbidden.response.status, 403);
      assert.equal(forbidden.error?.error, 'forbidden');
      assert.match(forbidden.error?.message ?? '', /"ticketing" has the scopes \[read\]; this operation needs "write"/);
      const anonymous = await call(app.url, 'closeNotification', { params: { id }, body: { reason: 'x' } });
      assert.equal(anonymous.status, 401);
      assert.equal((await history(id)).length, 1);
    });

    it('links a ticket idempotently, replaces it per system, and records each change', async () => {
      const id = await open();
      const link = () =>
        writer.PUT('/api/v1/notifications/{id}/external-refs/{system}', {
          params: { path: { id, system: 'jira' } },
          body: { id: 'OPS-1', url: 'https://jira.example.com/browse/OPS-1' },
        });
      const first = await link();
      assert.deepEqual(first.data?.externalRefs, [
        { system: 'jira', id: 'OPS-1', url: 'https://jira.example.com/browse/OPS-1' },
      ]);
      const again = await link();
      assert.equal(again.data?.version, first.data?.version);
      const replaced = await writer.PUT('/api/v1/notifications/{id}/external-refs/{system}', {
        params: { path: { id, system: 'jira' } },
        body: { id: 'OPS-2' },
      });
      assert.deepEqual(replaced.data?.externalRefs, [{ system: 'jira', id: 'OPS-2' }]);
      const linked = (await history(id)).filter((e) => e.type === 'ticket_linked');
      assert.equal(linked.length, 2);
      assert.deepEqual(linked[1].details.previous, {
        system: 'jira',
        id: 'OPS-1',
        url: 'https://jira.example.com/browse/OPS-1',
      });
      const badUrl = await writer.PUT('/api/v1/notifications/{id}/external-refs/{system}', {
        params: { path: { id, system: 'jira' } },
        body: { id: 'OPS-3', url: 'not a url' },
      });
      assert.deepEqual(badUrl.error?.details, [{ field: 'url', problem: 'must be a URL address' }]);
      const badSystem = await writer.PUT('/api/v1/notifications/{id}/external-refs/{system}', {
        params: { path: { id, system: 'no spaces' } },
        body: { id: 'OPS-3' },
      });
      assert.equal(badSystem.error?.details?.[0].field, 'system');
    });

    it('acknowledges and unacknowledges with who and why', async () => {
      const id = await open();
      const acked = await writer.POST('/api/v1/notifications/{id}/acknowledge', {
        params: { path: { id } },
        body: { by: 'alice', reason: 'on it' },
      });
      assert.equal(acked.data?.acknowledgement?.by, 'alice');
      assert.equal(acked.data?.acknowledgement?.reason, 'on it');
      assert.equal(acked.data?.revision, 1, 'an acknowledgement is not a delivered revision');
      const unacked = await writer.POST('/api/v1/notifications/{id}/unacknowledge', {
        params: { path: { id } },
        body: { by: 'bob', reason: 'handing over' },
      });
      assert.equal(unacked.data?.acknowledgement, null);
      const twice = await writer.POST('/api/v1/notifications/{id}/unacknowledge', {
        params: { path: { id } },
        body: { by: 'bob' },
      });
      assert.equal(twice.response.status, 409);
      assert.deepEqual(
        (await history(id)).map((e) => e.type),
        ['opened', 'acknowledged', 'unacknowledged'],
      );
    });

    it('answers 400 for a null where a write body field may only be left out, and writes nothing', async () => {
      const id = await open();
      const headers = { Authorization: `Bearer ${WRITE_API_KEY}` };
      const refused = [
        await call(app.url, 'acknowledgeNotification', { params: { id }, headers, body: { by: 'a', reason: null } }),
        await call(app.url, 'closeNotification', { params: { id }, headers, body: { by: null, reason: 'done' } }),
        await call(app.url, 'putExternalRef', {
          params: { id, system: 'jira' },
          headers,
          body: { id: 'OPS-1', url: null },
        }),
      ];
      for (const answer of refused) {
        assert.equal(answer.status, 400, JSON.stringify(answer.body));
        assert.match(JSON.stringify(answer.body.details), /"field":"(reason|by|url)"/);
      }
      assert.deepEqual(
        (await history(id)).map((e) => e.type),
        ['opened'],
      );
    });

    it('closes by hand as a new revision with a closed event, and refuses to close twice', async () => {
      const id = await open();
      const closed = await writer.POST('/api/v1/notifications/{id}/close', {
        params: { path: { id } },
        body: { reason: 'fixed by a restart' },
      });
      assert.equal(closed.response.status, 200);
      assert.equal(closed.data?.status, 'closed');
      assert.equal(closed.data?.closeReason, 'fixed by a restart');
      assert.equal(closed.data?.revision, 2);
      const events = await history(id);
      assert.deepEqual(
        events.map((e) => e.type),
        ['opened', 'closed'],
      );
      assert.deepEqual(events[1].details, { manual: true, by: 'ticket-sync', apiKey: 'ticket-sync' });
      assert.deepEqual(events[1].payload, { reason: 'fixed by a restart' });
      const again = await writer.POST('/api/v1/notifications/{id}/close', {
        params: { path: { id } },
        body: { reason: 'again' },
      });
      assert.equal(again.response.status, 409);
      assert.match(again.error?.message ?? '', /already closed/);
      const missing = await writer.POST('/api/v1/notifications/{id}/close', {
        params: { path: { id: randomUUID() } },
        body: { reason: 'x' },
      });
      assert.equal(missing.response.status, 404);
    });

    it('returns the first answer for a retried Idempotency-Key, and 422 for the key with another body', async () => {
      const id = await open();
      const key = randomUUID();
      const close = (reason: string) =>
        writer.POST('/api/v1/notifications/{id}/close', {
          params: { path: { id }, header: { 'Idempotency-Key': key } },
          body: { by: 'carol', reason },
        });
      const first = await close('done');
      assert.equal(first.response.status, 200);
      assert.equal(first.response.headers.get('idempotent-replayed'), null);
      const retry = await close('done');
      assert.equal(retry.response.status, 200);
      assert.equal(retry.response.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(retry.data, first.data);
      assert.equal((await history(id)).filter((e) => e.type === 'closed').length, 1);
      const other = await close('something else');
      assert.equal(other.response.status, 422);
      assert.equal(other.error?.error, 'idempotency_key_reused');
      // Keys belong to one API key's requests; a failed request leaves no answer behind.
      const otherPath = await writer.POST('/api/v1/notifications/{id}/acknowledge', {
        params: { path: { id }, header: { 'Idempotency-Key': key } },
        body: { by: 'carol', reason: 'done' },
      });
      assert.equal(otherPath.response.status, 422);
      const failingKey = randomUUID();
      const failed = await writer.POST('/api/v1/notifications/{id}/unacknowledge', {
        params: { path: { id }, header: { 'Idempotency-Key': failingKey } },
        body: { by: 'carol' },
      });
      assert.equal(failed.response.status, 409);
      await writer.POST('/api/v1/notifications/{id}/acknowledge', { params: { path: { id } }, body: { by: 'carol' } });
      const retried = await writer.POST('/api/v1/notifications/{id}/unacknowledge', {
        params: { path: { id }, header: { 'Idempotency-Key': failingKey } },
        body: { by: 'carol' },
      });
      assert.equal(retried.response.status, 200);
    });
  });
});
