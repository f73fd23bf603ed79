import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeChannel } from './support/fake-channel';
import { call } from './support/spec-client';
import { defaultTestConfig, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { TEST_DB } from './support/test-database';

describe(`delivery.egress (${TEST_DB})`, () => {
  const sink = new FakeChannel();
  let app: TestApp;
  before(async () => {
    await sink.start();
    const port = new URL(sink.url).port;
    app = await startTestApp({
      config: {
        ...defaultTestConfig(),
        channels: {
          named: { type: 'webhook', url: `http://localhost:${port}/hook` },
          literal: { type: 'slack', url: `${sink.url}/services/x` },
          metadata: { type: 'webhook', url: 'http://169.254.169.254/latest/meta-data/' },
          mail: { type: 'email', smtp: { host: 'localhost', port: Number(port) }, from: 'a@b.c', to: ['d@e.f'] },
          allowed: { type: 'mattermost', url: `http://127.0.0.2:${port}/hooks/x` },
        },
        delivery: { egress: { deny: ['127.0.0.0/8', '::1/128'], allow: ['127.0.0.2/32'] } },
      },
    });
  });
  after(async () => {
    await app?.close();
    await sink.close();
  });

  it('refuses denied destinations (after DNS, for HTTP channels and the SMTP host), before connecting', async () => {
    const test = (name: string) =>
      call(app.url, 'testChannel', { params: { name }, headers: { Authorization: `Bearer ${WRITE_API_KEY}` } });
    for (const name of ['named', 'literal', 'metadata', 'mail']) {
      const answer = await test(name);
      assert.equal(answer.body.outcome, 'permanent', name);
      assert.match(answer.body.error, /is denied by delivery\.egress$/, name);
    }
    assert.equal(sink.requests.length, 0);
    // An exception (`allow`) is tried: nothing listens on 127.0.0.2 here, so the connection is refused.
    const allowed = await test('allowed');
    assert.deepEqual([allowed.body.outcome, allowed.body.error], ['retry', 'network error: ECONNREFUSED']);
  });
});
