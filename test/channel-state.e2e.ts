import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, STACKSTATE_TOKEN, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { createPostgresDatabase, TEST_DB, TestDatabase } from './support/test-database';

const read = { Authorization: `Bearer ${API_KEY}` };
const write = { Authorization: `Bearer ${WRITE_API_KEY}` };
const METRICS_TOKEN = 'metrics-token-0123456789';

describe(`channel life cycle: disabled by 410 Gone, enabled, removed, /metrics token (${TEST_DB})`, () => {
  const gone = new FakeChannel();
  const other = new FakeChannel();
  const held = new FakeChannel();
  let database: TestDatabase | undefined;
  let dir: string;
  let app: TestApp;
  const config = (channels: Record<string, unknown>) => ({
    ...defaultTestConfig(),
    channels,
    defaultChannels: Object.keys(channels),
    delivery: { ...FAST_DELIVERY, backoff: { base: '1h', max: '1h', jitter: 0 } },
    metrics: { token: METRICS_TOKEN },
  });
  const start = (channels: Record<string, unknown>) =>
    startTestApp({ config: config(channels), dir, databaseUrl: database?.url });
  const open = () =>
    call(app.url, 'receiveStackStateEvent', {
      body: stackStateOpen({ notificationId: randomUUID() }),
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
  const deliveriesOf = async (id: string) =>
    (await call(app.url, 'listNotificationDeliveries', { params: { id }, headers: read })).body.items as {
      id: string;
      channel: string;
      status: string;
      lastError: string | null;
    }[];

  before(async () => {
    await Promise.all([gone.start(), other.start(), held.start()]);
    gone.answer = () => ({ status: 410, body: 'gone' });
    held.answer = () => ({ status: 503, body: 'later' });
    database = TEST_DB === 'postgres' ? await createPostgresDatabase() : undefined;
    dir = mkdtempSync(join(tmpdir(), 'alert-relay-channel-state-'));
    app = await start({
      gone: { type: 'webhook', url: `${gone.url}/hook` },
      other: { type: 'webhook', url: `${other.url}/hook` },
      held: { type: 'webhook', url: `${held.url}/hook` },
    });
  });
  after(async () => {
    await app?.close();
    await Promise.all([gone.close(), other.close(), held.close()]);
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('disables a channel whose webhook answers 410 Gone: listed, counted, its new deliveries dead-lettered', async () => {
    const first = await open();
    await gone.waitFor(1);
    const channel = await eventually(async () => {
      const items = (await call(app.url, 'listChannels', { headers: read })).body.items;
      const found = items.find((c: { name: string }) => c.name === 'gone');
      return found.disabled ? found : undefined;
    });
    assert.equal(channel.disabled.reason, 'the endpoint answered 410 Gone');
    assert.ok(Date.parse(channel.disabled.at) <= Date.now());
    assert.equal(
      (await call(app.url, 'listChannels', { headers: read })).body.items.find(
        (c: { name: string }) => c.name === 'other',
      ).disabled,
      null,
    );
    const [firstGone] = (await deliveriesOf(first.body.notificationId)).filter((d) => d.channel === 'gone');
    assert.equal(firstGone.status, 'dead');

    const second = await open();
    await other.waitFor(2);
    const secondGone = await eventually(async () => {
      const d = (await deliveriesOf(second.body.notificationId)).find((x) => x.channel === 'gone');
      return d?.status === 'dead' ? d : undefined;
    });
    assert.equal(secondGone.lastError, 'channel disabled: the endpoint answered 410 Gone');
    assert.equal(gone.requests.length, 1, 'nothing more is sent to it');
    // Replaying into a disabled channel is refused until it is enabled.
    const replay = await call(app.url, 'retryDelivery', { params: { id: secondGone.id }, headers: write });
    assert.equal(replay.status, 409);

    const metrics = await call<string>(app.url, 'getMetrics', {
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
    });
    assert.match(metrics.body, /alert_relay_channel_disabled\{channel="gone"\} 1/);
    assert.match(metrics.body, /alert_relay_channel_disabled\{channel="other"\} 0/);
  });

  it('enables it again through the API (write scope); a replay then goes out', async () => {
    assert.equal((await call(app.url, 'enableChannel', { params: { name: 'gone' }, headers: read })).status, 403);
    assert.equal((await call(app.url, 'enableChannel', { params: { name: 'nope' }, headers: write })).status, 404);
    const enabled = await call(app.url, 'enableChannel', { params: { name: 'gone' }, headers: write });
    assert.equal(enabled.status, 200);
    assert.equal(enabled.body.disabled, null);
    gone.answer = () => ({ status: 200 });
    const dead = (await call(app.url, 'listDeliveries', { query: { status: 'dead', channel: 'gone' }, headers: read }))
      .body.items;
    assert.equal((await call(app.url, 'retryDelivery', { params: { id: dead[0].id }, headers: write })).status, 202);
    await gone.waitFor(2);
    // Scrapes share one read of the state for half a second.
    await eventually(async () => {
      const metrics = await call<string>(app.url, 'getMetrics', {
        headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
      });
      return /alert_relay_channel_disabled\{channel="gone"\} 0/.test(metrics.body) ? true : undefined;
    });
  });

  it('puts /metrics behind metrics.token', async () => {
    assert.equal((await call(app.url, 'getMetrics')).status, 401);
    assert.equal(
      (await call(app.url, 'getMetrics', { headers: { Authorization: 'Bearer wrong-token-0123456' } })).status,
      401,
    );
    assert.equal(
      (await call(app.url, 'getMetrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).status,
      200,
    );
  });

  it('dead-letters at start the deliveries of a channel no longer configured, and replays them once it is back', async () => {
    const opened = await open();
    await held.waitFor(held.requests.length + 1);
    const pending = await eventually(async () => {
      const d = (await deliveriesOf(opened.body.notificationId)).find((x) => x.channel === 'held');
      return d?.status === 'pending' ? d : undefined;
    });
    await app.close();
    app = await start({
      gone: { type: 'webhook', url: `${gone.url}/hook` },
      other: { type: 'webhook', url: `${other.url}/hook` },
    });
    const dead = (await deliveriesOf(opened.body.notificationId)).find((x) => x.id === pending.id)!;
    assert.equal(dead.status, 'dead');
    assert.equal(dead.lastError, 'channel "held" is no longer configured');
    assert.equal((await call(app.url, 'retryDelivery', { params: { id: dead.id }, headers: write })).status, 409);

    await app.close();
    held.answer = () => ({ status: 200 });
    app = await start({
      gone: { type: 'webhook', url: `${gone.url}/hook` },
      held: { type: 'webhook', url: `${held.url}/hook` },
    });
    const sent = held.requests.length;
    assert.equal((await call(app.url, 'retryDelivery', { params: { id: dead.id }, headers: write })).status, 202);
    await held.waitFor(sent + 1);
    await eventually(async () => {
      const d = (await deliveriesOf(opened.body.notificationId)).find((x) => x.id === dead.id);
      return d?.status === 'delivered' ? true : undefined;
    });
  });
});
