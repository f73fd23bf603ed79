import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import { defaultTestConfig, STACKSTATE_TOKEN, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { TEST_DB } from './support/test-database';

const writeAuth = { Authorization: `Bearer ${WRITE_API_KEY}` };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`reminders of acknowledged notifications (${TEST_DB})`, () => {
  let app: TestApp;
  const remind = new FakeChannel();

  before(async () => {
    await remind.start();
    app = await startTestApp({
      config: {
        ...defaultTestConfig(),
        channels: { remind: { type: 'webhook', url: `${remind.url}/r` } },
        routes: [{ match: { source: 'stackstate' }, channels: ['remind'], remindEvery: '1s' }],
        delivery: FAST_DELIVERY,
      },
    });
  });
  after(async () => {
    await app?.close();
    await remind.close();
  });

  const send = (notificationId: string, state: string, triggeredTimeMs: number) =>
    call(app.url, 'receiveStackStateEvent', {
      body: stackStateOpen({ notificationId, state, triggeredTimeMs }),
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
  const kinds = () => remind.requests.map((r) => r.json.type.replace('notification.', ''));

  it('sends none while acknowledged, again once unacknowledged, and again after a change', async () => {
    const externalId = randomUUID();
    const opened = await send(externalId, 'DEVIATING', 1);
    const id = opened.body.notificationId;
    await remind.waitFor(1);
    const ack = await call(app.url, 'acknowledgeNotification', {
      params: { id },
      headers: writeAuth,
      body: { by: 'alice', reason: 'on it' },
    });
    assert.equal(ack.status, 200);
    // remindEvery is 1s and reminders are looked for every 200ms: 2.5s is two reminders' worth.
    await sleep(2500);
    assert.deepEqual(kinds(), ['opened'], 'no reminder while acknowledged');

    await call(app.url, 'unacknowledgeNotification', { params: { id }, headers: writeAuth, body: { by: 'alice' } });
    await remind.waitFor(2, 5000);
    assert.deepEqual(kinds(), ['opened', 'reminder']);

    await call(app.url, 'acknowledgeNotification', { params: { id }, headers: writeAuth, body: { by: 'bob' } });
    await send(externalId, 'CRITICAL', 2);
    await eventually(() => Promise.resolve(kinds().includes('updated') ? true : undefined));
    await eventually(
      () => Promise.resolve(kinds().at(-1) === 'reminder' && kinds().length >= 4 ? true : undefined),
      5000,
      'a reminder after the change',
    );
    assert.deepEqual(kinds().slice(0, 4), ['opened', 'reminder', 'updated', 'reminder']);
  });
});
