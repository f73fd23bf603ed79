import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { stackStateClose, stackStateOpen } from './support/fixtures';
import { ManualClock } from './support/manual-clock';
import { sdk } from './support/sdk';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, STACKSTATE_TOKEN, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { TEST_DB } from './support/test-database';

const auth = { Authorization: `Bearer ${API_KEY}` };
const writeAuth = { Authorization: `Bearer ${WRITE_API_KEY}` };
const HOUR = 3_600_000;

describe(`silences (${TEST_DB})`, () => {
  let app: TestApp;
  const hook = new FakeChannel();
  // Time as silences see it: moved on by the tests, never slept through.
  const clock = new ManualClock('2026-03-10T08:00:00Z');
  const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();

  before(async () => {
    await hook.start();
    app = await startTestApp({
      clock,
      config: {
        ...defaultTestConfig(),
        channels: { hook: { type: 'webhook', url: `${hook.url}/hook` } },
        routes: [{ name: 'stackstate', match: { source: 'stackstate' }, channels: ['hook'] }],
        delivery: { ...FAST_DELIVERY, releaseInterval: '100ms' },
      },
    });
  });
  after(async () => {
    await app?.close();
    await hook.close();
  });
  beforeEach(() => {
    hook.answer = () => ({});
  });

  // Each test's notifications carry their own metadata value, which its silences match.
  const send = (body: unknown) =>
    call(app.url, 'receiveStackStateEvent', { body, headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN } });
  const open = (scope: string, notificationId: string, state = 'CRITICAL', triggeredTimeMs = 1) =>
    send({ ...stackStateOpen({ notificationId, state, triggeredTimeMs }), metadata: { scope } });
  const close = (notificationId: string) => send(stackStateClose(notificationId));
  const silence = (scope: string, overrides: Record<string, unknown> = {}) =>
    call(app.url, 'createSilence', {
      headers: writeAuth,
      body: {
        matchers: { metadata: { scope } },
        endsAt: at(HOUR),
        comment: 'maintenance',
        createdBy: 'ops',
        ...overrides,
      },
    });
  const end = (id: string) => call(app.url, 'deleteSilence', { params: { id }, headers: writeAuth });
  const deliveriesOf = async (notificationId: string) =>
    (await call(app.url, 'listNotificationDeliveries', { params: { id: notificationId }, headers: auth })).body.items;
  const notification = async (id: string) =>
    (await call(app.url, 'getNotification', { params: { id }, headers: auth })).body;
  const requestsFor = (notificationId: string) =>
    hook.requests.filter((r) => r.json?.data?.notification?.id === notificationId);
  // Something sent after `action` arrives: whatever the worker would have sent with it has gone too.
  const sentinel = async () => {
    const id = randomUUID();
    const sent = await open(`sentinel-${id}`, id);
    await eventually(() => Promise.resolve(requestsFor(sent.body.notificationId).length > 0 ? true : undefined));
  };

  describe('the API', () => {
    it('creates a silence (201), reads it back, lists it by state and pages newest first', async () => {
      const scope = randomUUID();
      const created = await silence(scope, { matchers: { metadata: { scope }, severity: 'critical', host: 'db-*' } });
      assert.equal(created.status, 201);
      assert.equal(created.body.state, 'active');
      assert.equal(created.body.startsAt, clock.now().toISOString());
      assert.deepEqual(created.body.matchers, { metadata: { scope }, severity: ['critical'], host: ['db-*'] });
      assert.equal(created.body.createdBy, 'ops');

      const read = await call(app.url, 'getSilence', { params: { id: created.body.id }, headers: auth });
      assert.deepEqual(read.body, created.body);

      clock.advance(1000);
      const later = await silence(scope, { startsAt: at(2 * HOUR), endsAt: at(3 * HOUR) });
      assert.equal(later.body.state, 'pending');
      const pending = await call(app.url, 'listSilences', { query: { state: 'pending' }, headers: auth });
      assert.ok(pending.body.items.some((s: { id: string }) => s.id === later.body.id));
      assert.ok(pending.body.items.every((s: { state: string }) => s.state === 'pending'));

      const first = await call(app.url, 'listSilences', { query: { limit: 1 }, headers: auth });
      assert.equal(first.body.items[0].id, later.body.id);
      const second = await call(app.url, 'listSilences', {
        query: { limit: 1, cursor: first.body.nextCursor },
        headers: auth,
      });
      assert.equal(second.body.items[0].id, created.body.id);
      await end(created.body.id);
      await end(later.body.id);
    });

    it('answers 400 naming the field: bad time, endsAt past or before startsAt, no matchers, unknown key, null', async () => {
      const bad = async (body: Record<string, unknown>, field: string, problem: RegExp) => {
        const answer = await call(app.url, 'createSilence', {
          headers: writeAuth,
          body: { matchers: { host: 'x' }, endsAt: at(HOUR), comment: 'c', createdBy: 'ops', ...body },
        });
        assert.equal(answer.status, 400, JSON.stringify(answer.body));
        const detail = answer.body.details.find((d: { field: string }) => d.field === field);
        assert.ok(detail, `no detail for ${field}: ${JSON.stringify(answer.body.details)}`);
        assert.match(detail.problem, problem);
      };
      await bad({ endsAt: 'tomorrow' }, 'endsAt', /RFC 3339/);
      await bad({ startsAt: '2026-03-10 10:00' }, 'startsAt', /RFC 3339/);
      await bad({ endsAt: at(-1000) }, 'endsAt', /in the past/);
      await bad({ startsAt: at(2 * HOUR), endsAt: at(HOUR) }, 'endsAt', /after startsAt/);
      await bad({ matchers: {} }, 'matchers', /at least one key/);
      await bad({ matchers: { hostname: 'db-07' } }, 'matchers', /unknown matcher key "hostname"/);
      await bad({ matchers: { host: 'x', status: null } }, 'matchers', /matcher "status" must not be null/);
      await bad({ matchers: { severity: 'fatal' } }, 'matchers.severity', /must be one of/);
      await bad({ matchers: { metadata: { k: 1 } } }, 'matchers.metadata', /string or a list of strings/);
      await bad({ matchers: { host: [] } }, 'matchers.host', /at least 1/);
    });

    it('needs the write scope to create and end, read to list; 404 for an unknown silence', async () => {
      const refused = await call(app.url, 'createSilence', {
        headers: auth,
        body: { matchers: { host: 'x' }, endsAt: at(HOUR), comment: 'c', createdBy: 'ops' },
      });
      assert.equal(refused.status, 403);
      assert.match(refused.body.message, /needs "write"/);
      const unknown = randomUUID();
      assert.equal((await call(app.url, 'getSilence', { params: { id: unknown }, headers: auth })).status, 404);
      assert.equal((await end(unknown)).status, 404);
      assert.equal((await call(app.url, 'listSilences', { headers: {} })).status, 401);
    });

    it('works through the TypeScript SDK', async () => {
      const relay = sdk(app.url, WRITE_API_KEY);
      const { data: created } = await relay.POST('/api/v1/silences', {
        body: { matchers: { host: 'db-07' }, endsAt: at(HOUR), comment: 'CHG-1234', createdBy: 'alice' },
      });
      assert.equal(created?.state, 'active');
      const { data: listed } = await relay.GET('/api/v1/silences', { params: { query: { state: 'active' } } });
      assert.ok(listed?.items.some((x) => x.id === created?.id));
      const { data: ended } = await relay.DELETE('/api/v1/silences/{id}', { params: { path: { id: created.id } } });
      assert.equal(ended?.state, 'expired');
    });

    it('ends a silence with DELETE (expired from now on), and answers a second DELETE unchanged', async () => {
      const created = await silence(randomUUID());
      const ended = await end(created.body.id);
      assert.equal(ended.status, 200);
      assert.equal(ended.body.state, 'expired');
      assert.equal(ended.body.endsAt, clock.now().toISOString());
      const again = await end(created.body.id);
      assert.deepEqual(again.body, ended.body);
      const pending = await silence(randomUUID(), { startsAt: at(HOUR), endsAt: at(2 * HOUR) });
      const cancelled = await end(pending.body.id);
      assert.equal(cancelled.body.state, 'expired', 'a pending silence ended early never starts');
    });
  });

  it('gives a held notification an ETag of its own, so a cached copy does not keep a stale heldBy', async () => {
    const scope = randomUUID();
    const id = (await open(scope, randomUUID())).body.notificationId;
    const get = (ifNoneMatch: string) =>
      call(app.url, 'getNotification', { params: { id }, headers: { ...auth, 'If-None-Match': ifNoneMatch } });
    const free = await get('"none"');
    const freeTag = free.headers.get('etag') ?? '';
    assert.equal(freeTag, `"${free.body.version}"`);
    assert.equal((await get(freeTag)).status, 304);
    const s = await silence(scope);
    const held = await get(freeTag);
    assert.equal(held.status, 200, 'the holds changed: not 304');
    assert.equal(held.body.version, free.body.version);
    assert.equal(held.body.heldBy.length, 1);
    const heldTag = held.headers.get('etag') ?? '';
    assert.match(heldTag, new RegExp(`^"${free.body.version}-`));
    assert.equal((await get(heldTag)).status, 304);
    await end(s.body.id);
    const released = await get(heldTag);
    assert.equal(released.status, 200);
    assert.deepEqual(released.body.heldBy, []);
    assert.equal(released.headers.get('etag'), freeTag);
    // If-Match on a write compares the version only: either tag of this version is current.
    const acknowledged = await call(app.url, 'acknowledgeNotification', {
      params: { id },
      headers: { ...writeAuth, 'If-Match': heldTag },
      body: { by: 'ops', reason: 'looking' },
    });
    assert.equal(acknowledged.status, 200, JSON.stringify(acknowledged.body));
  });

  it('holds a matching change (stored, shown as held, not sent) and tells its current state at once on DELETE', async () => {
    const scope = randomUUID();
    const s = await silence(scope);
    const id = randomUUID();
    const opened = await open(scope, id, 'DEVIATING', 1);
    assert.equal(opened.body.result, 'opened');
    await open(scope, id, 'CRITICAL', 2);
    const notificationId = opened.body.notificationId;
    const shown = await notification(notificationId);
    assert.equal(shown.revision, 2);
    assert.deepEqual(shown.heldBy, [{ kind: 'silence', id: s.body.id, endsAt: s.body.endsAt }]);

    await sentinel();
    assert.equal(requestsFor(notificationId).length, 0);
    const held = await deliveriesOf(notificationId);
    assert.deepEqual(
      held.map((d: any) => [d.kind, d.revision, d.status, d.attempts]),
      [
        ['opened', 1, 'held', 0],
        ['updated', 2, 'held', 0],
      ],
    );
    assert.deepEqual(held[0].hold, { by: shown.heldBy, releasedAt: null, releasedAs: null });
    const listed = await call(app.url, 'listDeliveries', { query: { status: 'held' }, headers: auth });
    assert.ok(listed.body.items.some((d: { notificationId: string }) => d.notificationId === notificationId));

    await end(s.body.id);
    await eventually(
      () => Promise.resolve(requestsFor(notificationId).length > 0 ? true : undefined),
      5000,
      'the release',
    );
    const [told] = requestsFor(notificationId);
    assert.equal(told.json.type, 'notification.opened', 'the channel never heard of it: opened, as it is now');
    assert.equal(told.json.data.notification.revision, 2);
    assert.equal(told.json.data.notification.sourceState, 'CRITICAL');
    assert.deepEqual((await notification(notificationId)).heldBy, []);
    const after = await eventually(async () => {
      const items = await deliveriesOf(notificationId);
      return items.length === 3 && items[2].status === 'delivered' ? items : undefined;
    });
    assert.deepEqual(
      after.map((d: any) => [d.kind, d.revision, d.status]),
      [
        ['opened', 1, 'released'],
        ['updated', 2, 'released'],
        ['opened', 2, 'delivered'],
      ],
    );
    assert.equal(after[0].hold.releasedAs, after[2].id);
    assert.equal(after[1].hold.releasedAs, after[2].id);
    assert.equal(after[2].hold, null);
    await sentinel();
    assert.equal(requestsFor(notificationId).length, 1, 'told once');
  });

  it('starts a pending silence at its startsAt and releases by time at its endsAt, without waiting for a reminder', async () => {
    const scope = randomUUID();
    const s = await silence(scope, { startsAt: at(HOUR), endsAt: at(2 * HOUR) });
    const before = await open(scope, randomUUID());
    await eventually(() => Promise.resolve(requestsFor(before.body.notificationId).length > 0 ? true : undefined));

    clock.advance(HOUR);
    assert.equal(
      (await call(app.url, 'getSilence', { params: { id: s.body.id }, headers: auth })).body.state,
      'active',
    );
    const during = await open(scope, randomUUID());
    await sentinel();
    assert.equal(requestsFor(during.body.notificationId).length, 0);

    clock.advance(HOUR);
    const told = await eventually(
      () => Promise.resolve(requestsFor(during.body.notificationId)[0]),
      5000,
      'the release when the silence ends by time',
    );
    assert.equal(told.json.type, 'notification.opened');
    const expired = await call(app.url, 'listSilences', { query: { state: 'expired' }, headers: auth });
    assert.ok(expired.body.items.some((x: { id: string }) => x.id === s.body.id));
  });

  it('keeps a notification that opened and closed while silenced quiet (it is in the API and the feed)', async () => {
    const scope = randomUUID();
    const s = await silence(scope);
    const id = randomUUID();
    const opened = await open(scope, id);
    await close(id);
    await end(s.body.id);
    const released = await eventually(async () => {
      const items = await deliveriesOf(opened.body.notificationId);
      return items.every((d: { status: string }) => d.status === 'released') ? items : undefined;
    });
    assert.deepEqual(
      released.map((d: any) => [d.kind, d.status, d.hold.releasedAs]),
      [
        ['opened', 'released', null],
        ['resolved', 'released', null],
      ],
    );
    await sentinel();
    assert.equal(requestsFor(opened.body.notificationId).length, 0);
    assert.equal((await notification(opened.body.notificationId)).status, 'closed');
    const events = await call(app.url, 'listNotificationEvents', {
      params: { id: opened.body.notificationId },
      headers: auth,
    });
    assert.deepEqual(
      events.body.items.map((e: { type: string }) => e.type),
      ['opened', 'closed'],
    );
  });

  it('resolves once a notification whose channel was told it opened before the silence and that closed during it', async () => {
    const scope = randomUUID();
    const id = randomUUID();
    const opened = await open(scope, id);
    await eventually(() => Promise.resolve(requestsFor(opened.body.notificationId).length === 1 ? true : undefined));
    const s = await silence(scope);
    await close(id);
    await sentinel();
    assert.equal(requestsFor(opened.body.notificationId).length, 1);
    await end(s.body.id);
    const resolved = await eventually(
      () => Promise.resolve(requestsFor(opened.body.notificationId)[1]),
      5000,
      'the resolve',
    );
    assert.equal(resolved.json.type, 'notification.resolved');
    await sentinel();
    assert.equal(requestsFor(opened.body.notificationId).length, 2);
  });

  it('holds a delivery planned before the silence began when the worker gets to it (a backlog), and updates it later', async () => {
    const scope = randomUUID();
    const id = randomUUID();
    let answerFirst!: () => void;
    const first = new Promise<void>((resolve) => (answerFirst = resolve));
    hook.answer = (r) => (r.json?.data?.notification?.metadata?.scope === scope ? { until: first } : {});
    const opened = await open(scope, id, 'DEVIATING', 1);
    const notificationId = opened.body.notificationId;
    // Revision 1 is being sent; revision 2 waits behind it, planned before any silence.
    await eventually(() => Promise.resolve(requestsFor(notificationId).length === 1 ? true : undefined));
    await open(scope, id, 'CRITICAL', 2);
    const s = await silence(scope);
    answerFirst();
    const held = await eventually(async () => {
      const items = await deliveriesOf(notificationId);
      return items[1]?.status === 'held' ? items : undefined;
    });
    assert.equal(held[0].status, 'delivered');
    assert.equal(held[1].attempts, 0, 'holding is not an attempt');
    assert.deepEqual(held[1].hold.by, [{ kind: 'silence', id: s.body.id, endsAt: s.body.endsAt }]);
    assert.equal(requestsFor(notificationId).length, 1);

    await end(s.body.id);
    const updated = await eventually(() => Promise.resolve(requestsFor(notificationId)[1]), 5000, 'the release');
    assert.equal(updated.json.type, 'notification.updated', 'the channel knew it opened');
    assert.equal(updated.json.data.notification.revision, 2);
  });

  it('shows what would hold a notification in the route dry run', async () => {
    const scope = randomUUID();
    const s = await silence(scope);
    const dry = await call(app.url, 'testRoutes', {
      headers: auth,
      body: { stackstate: { ...stackStateOpen(), metadata: { scope } } },
    });
    assert.deepEqual(dry.body.notification.heldBy, [{ kind: 'silence', id: s.body.id, endsAt: s.body.endsAt }]);
    await end(s.body.id);
  });
});
