import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { alertmanagerPagerDutyEvent, alertmanagerWebhook } from './support/fixtures';
import { call } from './support/spec-client';
import {
  ALERTMANAGER_KEY,
  API_KEY,
  defaultTestConfig,
  PAGERDUTY_ROUTING_KEY,
  startTestApp,
  TestApp,
} from './support/test-app';
import { TEST_DB } from './support/test-database';

const KEY = PAGERDUTY_ROUTING_KEY;

describe(`PagerDuty Events API v2 (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    // Routes by the new sources and their tags; nothing is sent (no workers), deliveries stay pending.
    const hook = (name: string) => ({ type: 'webhook', url: `http://127.0.0.1:9/${name}` });
    app = await startTestApp({
      config: {
        ...defaultTestConfig(),
        channels: { db_team: hook('db'), pager: hook('pager'), fallback: hook('fallback') },
        routes: [
          { name: 'am-db', match: { source: 'alertmanager', tags: ['team:db'] }, channels: ['db_team'] },
          { name: 'pd-critical', match: { source: 'pagerduty', severity: 'critical' }, channels: ['pager'] },
        ],
        defaultChannels: ['fallback'],
        delivery: { workers: false },
      },
    });
  });
  after(async () => {
    await app?.close();
  });

  const send = (body: unknown, headers?: Record<string, string>) =>
    call(app.url, 'enqueuePagerDutyEvent', { body, headers });
  const auth = { Authorization: `Bearer ${API_KEY}` };
  const byDedupKey = async (dedupKey: string) =>
    (
      await call(app.url, 'listNotifications', {
        query: { externalId: `grafana/${dedupKey}`, source: 'pagerduty' },
        headers: auth,
      })
    ).body.items;
  const trigger = (dedupKey: string | undefined, payload: Record<string, unknown> = {}) => ({
    routing_key: KEY,
    event_action: 'trigger',
    ...(dedupKey === undefined ? {} : { dedup_key: dedupKey }),
    payload: { summary: 'DISK at 99% on db-7', source: 'db-7', severity: 'critical', ...payload },
  });
  const followUp = (action: string, dedupKey: string, extra: Record<string, unknown> = {}) => ({
    routing_key: KEY,
    event_action: action,
    dedup_key: dedupKey,
    ...extra,
  });
  const accepted = (dedupKey: string) => ({ status: 'success', message: 'Event processed', dedup_key: dedupKey });

  it("takes Alertmanager's pagerduty_configs events: 202, opened, closed on resolve", async () => {
    const event = alertmanagerPagerDutyEvent(KEY, 'trigger');
    const response = await send(event);
    assert.equal(response.status, 202);
    assert.deepEqual(response.body, accepted(event.dedup_key));
    assert.equal((await send(event)).status, 202);
    const [n] = await byDedupKey(event.dedup_key);
    assert.deepEqual(
      [n.status, n.sourceInstance, n.title, n.severity, n.sourceState, n.host, n.duplicateCount],
      ['open', 'grafana', event.payload.summary, 'critical', 'error', 'Alertmanager', 1],
    );
    assert.deepEqual(n.tags, ['client:Alertmanager']);
    assert.deepEqual(n.links, [{ rel: 'client', href: event.client_url }]);
    assert.equal(n.metadata.num_firing, '1');

    const resolve = alertmanagerPagerDutyEvent(KEY, 'resolve');
    assert.deepEqual((await send(resolve)).body, accepted(event.dedup_key));
    const [closed] = await byDedupKey(event.dedup_key);
    assert.deepEqual([closed.status, closed.closeReason], ['closed', resolve.payload.summary]);
  });

  it('updates on a new summary or severity, and opens anew on a trigger after a resolve', async () => {
    const key = `srv01/HTTP ${randomUUID()}`;
    await send(trigger(key));
    await send(trigger(key, { summary: 'DISK at 100% on db-7' }));
    await send(trigger(key, { summary: 'DISK at 100% on db-7', severity: 'warning' }));
    const [n] = await byDedupKey(key);
    assert.deepEqual([n.revision, n.severity, n.title], [3, 'warning', 'DISK at 100% on db-7']);
    await send(followUp('resolve', key));
    await send(trigger(key));
    const [newest, old] = await byDedupKey(key);
    assert.deepEqual([newest.status, old.status, old.closeReason], ['open', 'closed', 'resolved']);
  });

  it('generates a dedup_key for a trigger without one (or an empty one) and returns it', async () => {
    const first = await send(trigger(undefined));
    const second = await send(trigger(''));
    for (const response of [first, second]) {
      assert.equal(response.status, 202);
      assert.match(response.body.dedup_key, /^[0-9a-f-]{36}$/);
    }
    assert.notEqual(first.body.dedup_key, second.body.dedup_key);
    assert.equal((await byDedupKey(first.body.dedup_key)).length, 1);
    assert.equal((await send(followUp('resolve', second.body.dedup_key))).status, 202);
    assert.equal((await byDedupKey(second.body.dedup_key))[0].status, 'closed');
  });

  it('records an acknowledge by the client (else the key name) once, and ignores one for no open alert', async () => {
    const key = randomUUID();
    await send(trigger(key));
    const ack = await send(followUp('acknowledge', key, { client: 'Checkmk', payload: { summary: 'on it' } }));
    assert.deepEqual([ack.status, ack.body], [202, accepted(key)]);
    assert.equal((await send(followUp('acknowledge', key))).status, 202);
    const [n] = await byDedupKey(key);
    assert.deepEqual([n.acknowledgement.by, n.acknowledgement.reason, n.status], ['Checkmk', 'on it', 'open']);
    const history = await call(app.url, 'listNotificationEvents', { params: { id: n.id }, headers: auth });
    assert.deepEqual(
      history.body.items.map((e: { type: string }) => e.type),
      ['opened', 'acknowledged'],
    );
    assert.equal(history.body.items[1].details.sourceInstance, 'grafana');

    const zabbix = randomUUID();
    await send(trigger(zabbix));
    await send(followUp('acknowledge', zabbix));
    assert.equal((await byDedupKey(zabbix))[0].acknowledgement.by, 'grafana');

    const unknown = randomUUID();
    assert.deepEqual((await send(followUp('acknowledge', unknown))).body, accepted(unknown));
    assert.equal((await byDedupKey(unknown)).length, 0);
    // A resolve for a key never seen is recorded closed, as every source's close for an unknown id is.
    assert.equal((await send(followUp('resolve', unknown))).status, 202);
    assert.deepEqual(
      (await byDedupKey(unknown)).map((x: { status: string; title: string }) => [x.status, x.title]),
      [['closed', unknown]],
    );
  });

  it('refuses an unknown or missing routing key with 400 and stores nothing; X-Routing-Key is a fallback', async () => {
    const key = randomUUID();
    const wrong = await send({ ...trigger(key), routing_key: 'bars0pd0routing0key0123456789abc' });
    assert.equal(wrong.status, 400);
    assert.deepEqual([wrong.body.status, wrong.body.errors], ['invalid event', ['Invalid routing key']]);
    const missing = await send({ ...trigger(key), routing_key: undefined });
    assert.deepEqual(missing.body.errors, ["'routing_key' is missing or blank"]);
    assert.equal((await byDedupKey(key)).length, 0);
    const viaHeader = await send({ ...trigger(key), routing_key: undefined }, { 'X-Routing-Key': KEY });
    assert.equal(viaHeader.status, 202);
    assert.equal((await byDedupKey(key)).length, 1);
  });

  it("answers invalid events with PagerDuty's 400 body, naming each problem, and never a 5xx", async () => {
    const cases: [unknown, string[]][] = [
      [{ ...trigger('k'), event_action: 'snooze' }, ["'event_action' must be one of trigger, acknowledge, resolve"]],
      [{ ...trigger('k'), payload: undefined }, ["'payload' is missing or blank"]],
      [trigger('k', { severity: 'fatal' }), ["'payload.severity' must be one of critical, error, warning, info"]],
      [trigger('k', { summary: 'x'.repeat(1025) }), ["'payload.summary' must be at most 1024 characters long"]],
      [trigger('k', { source: '' }), ["'payload.source' is missing or blank"]],
      [followUp('resolve', ''), ["'dedup_key' is missing or blank"]],
      [trigger('k'.repeat(256)), ["'dedup_key' must be at most 255 characters long"]],
      [
        trigger('k', { timestamp: 'yesterday' }),
        ["'payload.timestamp' must be an ISO 8601 date-time with a zone, e.g. 2026-12-01T23:20:39Z"],
      ],
      [
        { ...trigger('k'), links: 'https://x' },
        ["'links' must be an array; each value in nested property links must be either object or array"],
      ],
      [
        trigger('nul\u0000key'),
        [
          'The body holds a value that cannot be stored (a NUL character, an unpaired surrogate, or a value too long or out of range)',
        ],
      ],
    ];
    for (const [body, errors] of cases) {
      const response = await send(body);
      assert.equal(response.status, 400, JSON.stringify(body).slice(0, 200));
      assert.deepEqual(
        [response.body.status, response.body.message, response.body.errors],
        ['invalid event', 'Event object is invalid', errors],
      );
    }
    const notJson = await send('{"routing_key": ');
    assert.deepEqual(
      [notJson.status, notJson.body.status, notJson.body.errors],
      [400, 'Unrecognized object', ['JSON parse error']],
    );
    const form = await send('routing_key=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.deepEqual([form.status, form.body.status], [415, 'unsupported_media_type']);
    const tooLarge = await send(trigger('k', { custom_details: { blob: 'x'.repeat(70_000) } }));
    assert.deepEqual([tooLarge.status, tooLarge.body.status], [413, 'payload_too_large']);
    for (const body of ['null', '[]', '"x"', '42']) {
      const response = await send(body, { 'X-Routing-Key': KEY });
      assert.equal(response.status, 400, body);
    }
    // Change events are another API; a 202 there would acknowledge and drop them.
    const change = await fetch(`${app.url}/v2/change/enqueue`, { method: 'POST' });
    assert.equal(change.status, 404);
  });

  it('accepts what real senders send: any severity case, astral summaries of 1024, nulls, payloads on resolve', async () => {
    const key = randomUUID();
    const emoji = trigger(key, { summary: '🔥'.repeat(1024), severity: 'WARNING' });
    assert.equal((await send({ ...emoji, links: null, images: null })).status, 202);
    const [n] = await byDedupKey(key);
    assert.deepEqual([n.severity, [...n.title].length], ['warning', 1024]);
    const kapacitor = await send(trigger(randomUUID(), { timestamp: '2014-11-12T11:45:26.371000000Z', class: 'cpu' }));
    assert.equal(kapacitor.status, 202);
    const [k] = await byDedupKey(kapacitor.body.dedup_key);
    const [opened] = (await call(app.url, 'listNotificationEvents', { params: { id: k.id }, headers: auth })).body
      .items;
    assert.equal(opened.sourceTimestamp, '2014-11-12T11:45:26.371Z');
  });

  it('routes by source and labels-as-tags, and previews raw payloads of both sources', async () => {
    const labels = { alertname: 'PgReplicationLag', team: 'db', run: randomUUID() };
    const am = await call(app.url, 'receiveAlertmanagerAlerts', {
      body: { alerts: [{ status: 'firing', labels }] },
      headers: { Authorization: `Bearer ${ALERTMANAGER_KEY}` },
    });
    const pd = await send(trigger(randomUUID()));
    const [n] = await byDedupKey(pd.body.dedup_key);
    const channelsOf = async (id: string) =>
      (await call(app.url, 'listNotificationDeliveries', { params: { id }, headers: auth })).body.items.map(
        (d: { channel: string }) => d.channel,
      );
    assert.deepEqual(await channelsOf(am.body.results[0].notificationId), ['db_team']);
    assert.deepEqual(await channelsOf(n.id), ['pager']);

    const preview = (body: unknown) => call(app.url, 'testRoutes', { body, headers: auth });
    const amPreview = await preview({ alertmanager: alertmanagerWebhook('firing'), sourceInstance: 'prom' });
    assert.equal(amPreview.status, 200, JSON.stringify(amPreview.body));
    assert.deepEqual(amPreview.body.matchedRoutes, []);
    assert.equal(amPreview.body.notification.externalId, 'prom/30c73b8e7f1054ab');
    const dbPreview = await preview({ alertmanager: { alerts: [{ status: 'firing', labels }] } });
    assert.deepEqual(dbPreview.body.matchedRoutes, ['am-db']);
    const pdPreview = await preview({ pagerduty: alertmanagerPagerDutyEvent('not checked', 'trigger') });
    assert.deepEqual(
      [pdPreview.body.matchedRoutes, pdPreview.body.notification.severity],
      [['pd-critical'], 'critical'],
    );
    const two = await preview({
      alertmanager: {
        alerts: [
          { status: 'firing', labels },
          { status: 'firing', labels },
        ],
      },
    });
    assert.deepEqual([two.status, two.body.details[0].field], [400, 'alertmanager.alerts']);
    const ack = await preview({ pagerduty: followUp('acknowledge', 'k') });
    assert.deepEqual([ack.status, ack.body.details[0].field], [400, 'pagerduty.event_action']);
  });
});
