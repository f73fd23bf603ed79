import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { AlertmanagerProcess } from './support/alertmanager-process';
import { alertmanagerWebhook, grafanaWebhook } from './support/fixtures';
import { call } from './support/spec-client';
import { ALERTMANAGER_KEY, API_KEY, PAGERDUTY_ROUTING_KEY, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

describe(`Alertmanager / Grafana webhook (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  const bearer = { Authorization: `Bearer ${ALERTMANAGER_KEY}` };
  const send = (body: unknown, headers: Record<string, string> = bearer) =>
    call(app.url, 'receiveAlertmanagerAlerts', { body, headers });
  const auth = { Authorization: `Bearer ${API_KEY}` };
  const byExternalId = async (externalId: string) =>
    (await call(app.url, 'listNotifications', { query: { externalId, source: 'alertmanager' }, headers: auth })).body
      .items;
  const fresh = () => ({ alertname: 'Probe', id: randomUUID() });

  it('opens, repeats as duplicates, closes on resolved, and opens anew when the labels fire again', async () => {
    const firing = alertmanagerWebhook('firing');
    const opened = await send(firing);
    assert.equal(opened.status, 200);
    assert.equal(opened.body.results.length, 1);
    assert.equal(opened.body.results[0].result, 'opened');
    // Alertmanager sends the whole group again every group_interval.
    assert.equal((await send(firing)).body.results[0].result, 'duplicate');

    const resolved = await send(alertmanagerWebhook('resolved'));
    assert.deepEqual(resolved.body.results[0], { ...opened.body.results[0], result: 'closed', revision: 2 });
    // A firing flush that failed and comes back after the resolve is older than it.
    assert.equal((await send(firing)).body.results[0].result, 'stale');

    const again = await send(alertmanagerWebhook('firing', { startsAt: '2026-12-02T08:00:00Z' }));
    assert.equal(again.body.results[0].result, 'opened');

    const [newest, closed] = await byExternalId('prom/30c73b8e7f1054ab');
    assert.equal(newest.id, again.body.results[0].notificationId);
    assert.equal(closed.status, 'closed');
    assert.equal(closed.closeReason, 'resolved');
    assert.equal(closed.duplicateCount, 1, 'the repeat; the stale one changes nothing');
    assert.deepEqual(
      [closed.source, closed.sourceInstance, closed.title, closed.message, closed.severity, closed.host],
      ['alertmanager', 'prom', 'Filesystem /var on db-7 has less than 3% left', 'Only 2.1% left.', 'critical', 'db-7'],
    );
    assert.deepEqual(closed.tags, [
      'alertname:NodeFilesystemAlmostFull',
      'instance:db-7:9100',
      'job:node',
      'mountpoint:/var',
      'severity:critical',
    ]);
    assert.deepEqual(
      closed.links.map((l: { rel: string }) => l.rel),
      ['source', 'alertmanager', 'runbook'],
    );
    assert.equal(closed.metadata.runbook_url, 'https://runbooks.example.org/node/fs');
    assert.equal(closed.metadata.groupKey, firing.groupKey);

    const history = await call(app.url, 'listNotificationEvents', { params: { id: closed.id }, headers: auth });
    assert.deepEqual(
      history.body.items.map((e: { type: string; sourceTimestamp: string }) => [e.type, e.sourceTimestamp]),
      [
        ['opened', '2026-12-01T23:20:39.785Z'],
        ['closed', '2026-12-01T23:20:42.000Z'],
      ],
    );
    assert.deepEqual(history.body.items[0].payload, firing, 'the event keeps the message as sent');
  });

  it('computes the fingerprint from the labels when absent, as Alertmanager does', async () => {
    const labels = { alertname: 'NoFingerprint', instance: 'web-1:9100', run: randomUUID() };
    const computed = await send({ alerts: [{ status: 'firing', labels }] });
    const stored = await call(app.url, 'getNotification', {
      params: { id: computed.body.results[0].notificationId },
      headers: auth,
    });
    assert.match(stored.body.externalId, /^prom\/[0-9a-f]{16}$/);
    const fingerprint = stored.body.externalId.slice('prom/'.length);
    const repeat = await send({ alerts: [{ status: 'firing', labels, fingerprint }] });
    assert.equal(repeat.body.results[0].result, 'duplicate', 'the computed fingerprint is the one Alertmanager sends');
  });

  it("accepts Grafana's webhook body and keeps its extras", async () => {
    const body = grafanaWebhook();
    body.alerts[0].fingerprint = randomUUID().slice(0, 16);
    const response = await send(body);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const n = (
      await call(app.url, 'getNotification', { params: { id: response.body.results[0].notificationId }, headers: auth })
    ).body;
    assert.deepEqual(
      [n.title, n.message, n.severity, n.host],
      ['High memory usage', 'This is the alert rule checking high memory usage', 'unknown', null],
    );
    assert.deepEqual(
      n.links.map((l: { rel: string }) => l.rel),
      ['source', 'grafana', 'runbook', 'silence'],
    );
    assert.deepEqual(
      [n.metadata.orgId, n.metadata.state, n.metadata.version, n.metadata.values],
      ['1', 'alerting', '1', '{"B":44.23943737541908,"C":1}'],
    );
    const resolved = grafanaWebhook('resolved');
    resolved.alerts[0].fingerprint = body.alerts[0].fingerprint;
    assert.equal((await send(resolved)).body.results[0].result, 'closed');
  });

  it('applies 100 alerts of one request in one transaction, with one 200 and a result per alert in order', async () => {
    const alerts = Array.from({ length: 100 }, (_, i) => ({
      status: i % 10 === 9 ? 'resolved' : 'firing',
      labels: { ...fresh(), index: String(i) },
      startsAt: '2026-12-01T10:00:00Z',
      endsAt: i % 10 === 9 ? '2026-12-01T10:05:00Z' : '0001-01-01T00:00:00Z',
    }));
    const response = await send({ version: '4', status: 'firing', receiver: 'relay', alerts });
    assert.equal(response.status, 200);
    assert.deepEqual(
      response.body.results.map((r: { result: string }) => r.result),
      alerts.map((a) => (a.status === 'firing' ? 'opened' : 'recorded')),
    );
    const ids = response.body.results.map((r: { notificationId: string }) => r.notificationId);
    assert.equal(new Set(ids).size, 100);
    const db = new Client({ connectionString: app.database.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ xid: string }>(
        `SELECT DISTINCT xmin::text AS xid FROM notifications WHERE id = ANY($1::uuid[])
         UNION SELECT DISTINCT xmin::text FROM notification_events WHERE notification_id = ANY($1::uuid[])`,
        [ids],
      );
      assert.equal(rows.length, 1, 'every notification and event of the request written by one transaction');
    } finally {
      await db.end();
    }
  });

  it('stores the other alerts of a request when one cannot be stored, and names it', async () => {
    const good = fresh();
    const response = await send({
      alerts: [
        { status: 'firing', labels: good },
        { status: 'firing', labels: { ...fresh(), bad: 'a\u0000b' } },
      ],
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'bad_request');
    assert.match(response.body.message, /1 of 2 could not be stored.*the other 1 were stored/);
    assert.deepEqual(
      response.body.details.map((d: { field: string }) => d.field),
      ['alerts[1]'],
    );
    const stored = await call(app.url, 'listNotifications', { query: { tag: `id:${good.id}` }, headers: auth });
    assert.deepEqual(
      stored.body.items.map((n: { status: string }) => n.status),
      ['open'],
    );
  });

  it('stores a source time of the year 0 beside ordinary ones in one transaction, and refuses one an offset carries before it', async () => {
    const [ancient, ordinary] = [fresh(), fresh()];
    const response = await send({
      alerts: [
        { status: 'firing', labels: ancient, startsAt: '0000-06-01T00:00:00Z' },
        { status: 'firing', labels: ordinary, startsAt: '2026-12-02T08:00:00+01:00' },
      ],
    });
    assert.equal(response.status, 200);
    const results = response.body.results as { result: string; notificationId: string }[];
    const events = await Promise.all(
      results.map(
        async (r) =>
          (await call(app.url, 'listNotificationEvents', { params: { id: r.notificationId }, headers: auth })).body
            .items,
      ),
    );
    assert.deepEqual(
      events.map(([event]) => [event.type, event.sourceTimestamp]),
      [
        ['opened', '0000-06-01T00:00:00.000Z'],
        ['opened', '2026-12-02T07:00:00.000Z'],
      ],
    );
    // The year -1 in UTC has no RFC 3339 form: refused, not stored as something else.
    const before = await send({
      alerts: [{ status: 'firing', labels: fresh(), startsAt: '0000-01-01T00:00:00+01:00' }],
    });
    assert.equal(before.status, 400);
    assert.match(JSON.stringify(before.body.details), /startsAt/);
  });

  it('takes the key as a bearer token (any case of the scheme) or as the basic-auth password, and nothing else', async () => {
    const body = () => ({ alerts: [{ status: 'firing', labels: fresh() }] });
    const basic = `Basic ${Buffer.from(`alertmanager:${ALERTMANAGER_KEY}`).toString('base64')}`;
    assert.equal((await send(body(), { Authorization: `bearer ${ALERTMANAGER_KEY}` })).status, 200);
    assert.equal((await send(body(), { Authorization: basic })).status, 200);
    for (const headers of <Record<string, string>[]>[
      {},
      { Authorization: 'Bearer wrong-key-wrong-key-wrong' },
      { Authorization: `Token ${ALERTMANAGER_KEY}` },
      { Authorization: `Basic ${Buffer.from(ALERTMANAGER_KEY).toString('base64')}` },
    ]) {
      const labels = fresh();
      const refused = await send({ alerts: [{ status: 'firing', labels }] }, headers);
      assert.equal(refused.status, 401, JSON.stringify(headers));
      assert.equal(refused.body.error, 'unauthorized');
      const found = await call(app.url, 'listNotifications', { query: { tag: `id:${labels.id}` }, headers: auth });
      assert.equal(found.body.items.length, 0, 'nothing stored');
    }
  });

  it('answers 400, never 5xx, for what is not an Alertmanager payload', async () => {
    const cases: [unknown, string[]][] = [
      [{ text: 'a custom payload template' }, ['alerts']],
      [{ alerts: [{ status: 'pending', labels: {} }] }, ['alerts[0].status']],
      [{ alerts: [{ status: 'firing', labels: { a: 1 } }] }, ['alerts[0].labels']],
      [{ alerts: [{ status: 'firing', labels: {}, startsAt: 'yesterday' }] }, ['alerts[0].startsAt']],
      [{ alerts: [{ status: 'firing', labels: {}, fingerprint: '' }] }, ['alerts[0].fingerprint']],
      [{ alerts: ['firing'] }, ['alerts']],
      [{ alerts: [{ status: 'firing', labels: {} }], truncatedAlerts: -1 }, ['truncatedAlerts']],
    ];
    for (const [body, fields] of cases) {
      const response = await send(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.deepEqual(
        response.body.details.map((d: { field: string }) => d.field).filter((f: string) => fields.includes(f)),
        fields,
        JSON.stringify(response.body.details),
      );
    }
    for (const body of ['null', '[]', '"x"', '{"alerts": null}', '{"alerts": [null]}']) {
      assert.equal((await send(body)).status, 400, body);
    }
    assert.equal((await send('{"alerts": [')).body.error, 'malformed_json');
    const empty = await send({ alerts: [] });
    assert.deepEqual([empty.status, empty.body], [200, { results: [] }]);
  });

  it("works end to end with a real Alertmanager's webhook_configs and pagerduty_configs: open, then close when resolved", async () => {
    const alertname = `RelayE2E${randomUUID().slice(0, 8)}`;
    const am = await AlertmanagerProcess.start({
      route: {
        receiver: 'relay',
        group_by: ['alertname'],
        group_wait: '100ms',
        group_interval: '1s',
        repeat_interval: '1h',
      },
      receivers: [
        {
          name: 'relay',
          webhook_configs: [
            {
              url: `${app.url}/webhooks/alertmanager`,
              max_alerts: 100,
              http_config: { authorization: { type: 'Bearer', credentials: ALERTMANAGER_KEY } },
            },
          ],
          // routing_key, not service_key: only Events API v2 receivers take `url:`.
          pagerduty_configs: [{ url: `${app.url}/v2/enqueue`, routing_key: PAGERDUTY_ROUTING_KEY }],
        },
      ],
    });
    try {
      const startsAt = new Date(Date.now() - 60_000).toISOString();
      const alerts = ['web-1:9100', 'web-2:9100', 'web-3:9100'].map((instance) => ({
        labels: { alertname, instance, team: 'db', severity: 'warning' },
        annotations: { summary: `${instance} is slow`, description: 'p99 above 2 s' },
        startsAt,
        generatorURL: 'http://prometheus.example.org:9090/graph?g0.expr=up',
      }));
      await am.push(alerts);
      // One group (by alertname): three notifications by webhook, one by PagerDuty (its dedup_key is the
      // SHA-256 of the group key).
      const pdId = `grafana/${createHash('sha256').update(`{}:{alertname="${alertname}"}`).digest('hex')}`;
      const list = async (query: Record<string, string>) =>
        (await call(app.url, 'listNotifications', { query, headers: auth })).body.items;
      const settled = async (status: string) => {
        const deadline = Date.now() + 20_000;
        for (;;) {
          const webhook = await list({ tag: `alertname:${alertname}` });
          const [pd] = await list({ source: 'pagerduty', externalId: pdId });
          const done = webhook.length === 3 && webhook.every((n: { status: string }) => n.status === status);
          if (done && pd?.status === status) return { webhook, pd };
          if (Date.now() > deadline) assert.fail(`not ${status} in time:\n${am.log().slice(-3000)}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      const opened = await settled('open');
      assert.deepEqual(
        opened.webhook
          .map((n: { host: string; title: string; severity: string }) => [n.host, n.title, n.severity])
          .sort(),
        [
          ['web-1', 'web-1:9100 is slow', 'warning'],
          ['web-2', 'web-2:9100 is slow', 'warning'],
          ['web-3', 'web-3:9100 is slow', 'warning'],
        ],
      );
      assert.ok(opened.webhook.every((n: { tags: string[] }) => n.tags.includes('team:db')));
      assert.match(opened.pd.title, new RegExp(`^\\[FIRING:3\\] ${alertname}`));
      assert.deepEqual([opened.pd.severity, opened.pd.host], ['critical', 'Alertmanager']);

      // Prometheus resolves by sending the alert again with an endsAt in the past.
      const endsAt = new Date(Date.now() - 1000).toISOString();
      await am.push(alerts.map((a) => ({ ...a, endsAt })));
      const closed = await settled('closed');
      assert.ok(closed.webhook.every((n: { closeReason: string }) => n.closeReason === 'resolved'));
      assert.match(closed.pd.closeReason, new RegExp(`^\\[RESOLVED\\] ${alertname}`));
      assert.equal(closed.pd.id, opened.pd.id);
    } finally {
      await am.stop();
    }
  });
});
