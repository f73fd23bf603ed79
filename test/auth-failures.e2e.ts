import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import { RawSmtp } from './support/smtp-client';
import { API_KEY, defaultTestConfig, MONASCA_KEY, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';
import { assertMatchesSpec } from './support/spec-client';
import { stackStateOpen } from './support/fixtures';

const SMTP_USER = { username: 'relay', password: 'smtp-password-123' };

// Each case comes from its own loopback address, so that their failure counts stay apart.
function from(localAddress: string) {
  const dispatcher = new Agent({ localAddress });
  return (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    undiciFetch(url, { ...init, dispatcher });
}

describe(`Repeated authentication failures are slowed (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({
      config: {
        ...defaultTestConfig(),
        http: { bodyLimitBytes: 65536, trustProxy: ['127.0.0.9'] },
        authFailures: { burst: 5, perSecond: 2 },
        ingress: {
          ...(defaultTestConfig().ingress as object),
          smtp: { allowedClients: ['127.0.0.0/8'], auth: { users: [SMTP_USER], allowInsecure: true } },
        },
      },
    });
  });
  after(async () => {
    await app?.close();
  });

  it('answers 429 with Retry-After once a client has used its failures, without checking even a right key', async () => {
    const client = from('127.0.0.2');
    const get = (key: string) =>
      client(`${app.url}/api/v1/notifications`, { headers: { Authorization: `Bearer ${key}` } });
    for (let i = 0; i < 5; i++) assert.equal((await get('wrong-key-0123456789')).status, 401);
    const blocked = await get('wrong-key-0123456789');
    assert.equal(blocked.status, 429);
    const body = (await blocked.json()) as { error: string };
    assertMatchesSpec('listNotifications', 429, body);
    assert.equal(body.error, 'too_many_requests');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    assert.ok(retryAfter >= 1, `Retry-After ${retryAfter}`);
    assert.equal((await get(API_KEY)).status, 429, 'a right key is not even checked');
    // Another client is not affected.
    assert.equal(
      (await from('127.0.0.3')(`${app.url}/api/v1/notifications`, { headers: { Authorization: `Bearer ${API_KEY}` } }))
        .status,
      200,
    );
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    assert.equal((await get(API_KEY)).status, 200);
  });

  it('slows 500 wrong tokens from one client to a handful of checks', async () => {
    const client = from('127.0.0.4');
    const statuses = new Map<number, number>();
    const started = Date.now();
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          client(`${app.url}/webhooks/stackstate`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-stackstate-webhook-token': `wrong-token-${round}-${i}` },
            body: JSON.stringify(stackStateOpen()),
          }),
        ),
      );
      for (const a of answers) {
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        await a.arrayBuffer();
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const checked = statuses.get(401) ?? 0;
    assert.equal(checked + (statuses.get(429) ?? 0), 500, JSON.stringify([...statuses]));
    // The burst, plus what came back at 2/s while the loop ran.
    assert.ok(checked <= 5 + Math.ceil(seconds * 2) + 1, `${checked} checked in ${seconds} s`);
  });

  it('counts Monasca keys in the path too', async () => {
    const client = from('127.0.0.5');
    const post = (key: string) =>
      client(`${app.url}/webhooks/monasca/${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    for (let i = 0; i < 5; i++) assert.equal((await post(`wrong-key-${i}-0123456789`)).status, 401);
    assert.equal((await post(MONASCA_KEY)).status, 429);
  });

  it('counts the client a trusted proxy names (http.trustProxy), not the proxy', async () => {
    const proxy = from('127.0.0.9');
    const get = (forwardedFor: string, key: string) =>
      proxy(`${app.url}/api/v1/notifications`, {
        headers: { Authorization: `Bearer ${key}`, 'X-Forwarded-For': forwardedFor },
      });
    for (let i = 0; i < 6; i++) await get('198.51.100.7', 'wrong-key-0123456789');
    assert.equal((await get('198.51.100.7', API_KEY)).status, 429);
    assert.equal((await get('198.51.100.8', API_KEY)).status, 200);
  });

  it('answers SMTP AUTH from a client past its failures with 454, late, without checking it', async () => {
    assert.ok(app.smtpPort);
    const plain = (user: string, pass: string) => Buffer.from(`\u0000${user}\u0000${pass}`).toString('base64');
    const { client } = await RawSmtp.open(app.smtpPort, '127.0.0.6');
    try {
      await client.send('EHLO tester');
      for (let i = 0; i < 5; i++) assert.match(await client.send(`AUTH PLAIN ${plain('relay', 'wrong')}`), /^535 /);
      const started = Date.now();
      assert.match(await client.send(`AUTH PLAIN ${plain(SMTP_USER.username, SMTP_USER.password)}`), /^454 /);
      assert.ok(Date.now() - started >= 400, `answered after ${Date.now() - started} ms`);
    } finally {
      client.close();
    }
    // Another client authenticates.
    const other = await RawSmtp.open(app.smtpPort, '127.0.0.7');
    try {
      await other.client.send('EHLO tester');
      assert.match(await other.client.send(`AUTH PLAIN ${plain(SMTP_USER.username, SMTP_USER.password)}`), /^235 /);
    } finally {
      other.client.close();
    }
  });
});
