import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { stringify } from 'yaml';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { stackStateOpen } from './support/fixtures';
import { startService, ServiceProcess } from './support/service-process';
import { RawSmtp } from './support/smtp-client';
import { call, CallResult } from './support/spec-client';
import { createTestDatabase, TEST_DB, TestDatabase } from './support/test-database';

// A distinct marker in every field that holds a secret: every answer and every log line (at debug
// level) is searched for each of them.
const tag = randomBytes(4).toString('hex');
const S = {
  stackstateToken: `SECRETsstoken${tag}`,
  monascaKey: `SECRETmonascakey${tag}`,
  readKey: `SECRETreadapikey${tag}`,
  writeKey: `SECRETwriteapikey${tag}`,
  smtpUser: `smtpuser${tag}`,
  smtpPassword: `SECRETsmtppassword${tag}`,
  slackPath: `SECRETslackpath${tag}`,
  slackQuery: `SECRETslackquery${tag}`,
  mattermostPath: `SECRETmmpath${tag}`,
  mattermostQuery: `SECRETmmquery${tag}`,
  pushoverToken: `SECRETpushovertoken${tag}`,
  pushoverUser: `SECRETpushoveruser${tag}`,
  pushoverPath: `SECRETpushoverpath${tag}`,
  signalPath: `SECRETsignalpath${tag}`,
  signalQuery: `SECRETsignalquery${tag}`,
  mailUser: `SECRETmailuser${tag}`,
  mailPassword: `SECRETmailpassword${tag}`,
  webhookPath: `SECRETwebhookpath${tag}`,
  webhookQuery: `SECRETwebhookquery${tag}`,
  webhookHeader: `SECRETwebhookheader${tag}`,
  webhookSecret: `whsec_${Buffer.from(`SECRETsigningkey${tag}${tag}`).toString('base64')}`,
  wrongSmtpUser: `SECRETwrongsmtpuser${tag}`,
  wrongSmtpPassword: `SECRETwrongsmtppassword${tag}`,
};

describe(`No secret in any answer or log line (${TEST_DB})`, () => {
  // Every channel's service echoes the whole request it got (URL, headers, body) in a refusal.
  const echo = new FakeChannel();
  let relay: SMTPServer;
  let relayPort: number;
  let database: TestDatabase;
  let dir: string;
  let service: ServiceProcess & { url: string };
  const answers: string[] = [];
  const record = (r: CallResult) => {
    answers.push(JSON.stringify(r.body), JSON.stringify([...r.headers]));
    return r;
  };

  before(async () => {
    echo.answer = (r) => ({
      status: r.path.includes('services') ? 500 : 400,
      body: `${r.method} ${r.path}\n${JSON.stringify(r.headers)}\n${r.body}`,
    });
    await echo.start();
    // An SMTP relay that refuses the login, quoting what it was sent.
    relay = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      onAuth: (auth, _session, callback) =>
        callback(Object.assign(new Error(`no user ${auth.username} with ${auth.password}`), { responseCode: 535 })),
      logger: false,
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    relayPort = (relay.server.address() as AddressInfo).port;
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'alert-relay-secrets-'));
    const config = {
      ingress: {
        stackstate: { tokens: [{ name: 'prod', token: S.stackstateToken }] },
        monasca: { keys: [{ name: 'openstack', key: S.monascaKey }] },
        smtp: { auth: { users: [{ username: S.smtpUser, password: S.smtpPassword }], allowInsecure: true } },
      },
      api: {
        keys: [
          { name: 'reader', key: S.readKey, scopes: ['read'] },
          { name: 'writer', key: S.writeKey, scopes: ['read', 'write'] },
        ],
      },
      channels: {
        slack: { type: 'slack', url: `${echo.url}/services/T1/B2/${S.slackPath}?token=${S.slackQuery}` },
        mm: { type: 'mattermost', url: `${echo.url}/hooks/${S.mattermostPath}?key=${S.mattermostQuery}` },
        push: {
          type: 'pushover',
          token: S.pushoverToken,
          user: S.pushoverUser,
          apiUrl: `${echo.url}/${S.pushoverPath}`,
        },
        sig: {
          type: 'signal',
          mode: 'jsonrpc',
          rpcUrl: `${echo.url}/api/v1/rpc/${S.signalPath}?token=${S.signalQuery}`,
          account: '+12025551234',
          recipients: ['+12025555678'],
        },
        mail: {
          type: 'email',
          smtp: { host: '127.0.0.1', port: relayPort, user: S.mailUser, password: S.mailPassword },
          from: 'relay@example.com',
          to: ['ops@example.com'],
        },
        hook: {
          type: 'webhook',
          url: `${echo.url}/hook/${S.webhookPath}?sig=${S.webhookQuery}`,
          secret: S.webhookSecret,
          headers: { 'x-api-key': S.webhookHeader },
        },
      },
      defaultChannels: ['slack', 'mm', 'push', 'sig', 'mail', 'hook'],
      delivery: { ...FAST_DELIVERY, maxAge: '1s' },
    };
    const configPath = join(dir, 'alert-relay.yaml');
    writeFileSync(configPath, stringify(config));
    service = await startService({
      ALERT_RELAY_CONFIG: configPath,
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'debug',
      ...(database.url ? { DATABASE_URL: database.url } : {}),
    });
  });
  after(async () => {
    service?.child.kill('SIGKILL');
    await service?.exited;
    await echo.close();
    await new Promise<void>((resolve) => relay?.close(() => resolve()));
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps them out of channel lists, tests, previews, deliveries, attempts, errors, metrics and logs (and logs body-parser refusals with their request id)', async () => {
    const read = { Authorization: `Bearer ${S.readKey}` };
    const write = { Authorization: `Bearer ${S.writeKey}` };
    record(await call(service.url, 'listChannels', { headers: read }));
    for (const name of ['slack', 'mm', 'push', 'sig', 'mail', 'hook']) {
      const tested = record(await call(service.url, 'testChannel', { params: { name }, headers: write }));
      assert.notEqual(tested.body.outcome, 'success', name);
    }
    record(
      await call(service.url, 'testRoutes', {
        headers: read,
        body: { notification: { source: 'stackstate', severity: 'critical', title: 'preview' } },
      }),
    );
    const opened = record(
      await call(service.url, 'receiveStackStateEvent', {
        body: stackStateOpen(),
        headers: { 'X-StackState-Webhook-Token': S.stackstateToken },
      }),
    );
    assert.equal(opened.status, 200);
    record(await call(service.url, 'receiveMonascaAlarm', { params: { key: S.monascaKey }, body: { bad: 'alarm' } }));
    const id = opened.body.notificationId as string;
    const deliveries = await eventually(
      async () => {
        const list = await call(service.url, 'listNotificationDeliveries', { params: { id }, headers: read });
        return list.body.items.length === 6 && list.body.items.every((d: { status: string }) => d.status === 'dead')
          ? list
          : undefined;
      },
      30_000,
      'every delivery dead-lettered',
    );
    record(deliveries);
    // The services' answers (echoing every secret) were kept, cleared.
    const hook = deliveries.body.items.find((d: { channel: string }) => d.channel === 'hook');
    assert.match(hook.attemptLog[0].response, /\[redacted\]/);
    record(await call(service.url, 'listDeliveries', { query: { status: 'dead' }, headers: read }));
    record(await call(service.url, 'getMetrics'));
    record(await call(service.url, 'listNotifications', { headers: read }));
    record(await call(service.url, 'listNotificationEvents', { params: { id }, headers: read }));

    // SMTP: a failed AUTH logs neither what was sent as the user name nor the password.
    const smtpPort = Number(/SMTP accepting mail on 127\.0\.0\.1:(\d+)/.exec(service.output())![1]);
    const { client } = await RawSmtp.open(smtpPort);
    await client.send('EHLO tester');
    const plain = Buffer.from(`\u0000${S.wrongSmtpUser}\u0000${S.wrongSmtpPassword}`).toString('base64');
    answers.push(await client.send(`AUTH PLAIN ${plain}`));
    client.close();
    const sent = await nodemailer
      .createTransport({
        host: '127.0.0.1',
        port: smtpPort,
        ignoreTLS: true,
        auth: { user: S.smtpUser, pass: S.smtpPassword },
      })
      .sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'hello', text: 'hello' });
    answers.push(sent.response);
    record(await call(service.url, 'listNotifications', { headers: read }));
    await eventually(
      () => Promise.resolve(/SMTP AUTH PLAIN failed from 127\.0\.0\.1/.test(service.fullOutput()) ? true : undefined),
      5000,
      'the failed AUTH logged',
    );

    // The body parser's refusals carry a request id, and each has its log line with that id.
    for (const [body, type] of [
      ['{"notificationId":', 'application/json'],
      [`${'['.repeat(5000)}`, 'application/json'],
      ['x'.repeat(2 * 1024 * 1024), 'application/json'],
      ['<xml/>', 'application/xml'],
    ]) {
      const refused = await fetch(`${service.url}/webhooks/stackstate`, {
        method: 'POST',
        headers: { 'content-type': type, 'x-stackstate-webhook-token': S.stackstateToken },
        body,
      });
      const answer = (await refused.json()) as { requestId: string };
      assert.ok([400, 413, 415].includes(refused.status), String(refused.status));
      assert.equal(answer.requestId, refused.headers.get('x-request-id'));
      await eventually(
        () =>
          Promise.resolve(
            service
              .fullOutput()
              .split('\n')
              .some((l) => l.includes(answer.requestId) && l.includes(`"statusCode":${refused.status}`))
              ? true
              : undefined,
          ),
        5000,
        `a log line for the ${refused.status}`,
      );
    }

    const everything = `${answers.join('\n')}\n${service.fullOutput()}`;
    // The user name of a successful SMTP AUTH is who sent the mail: kept as its `smtp.user` metadata.
    const { smtpUser: _shown, ...hidden } = S;
    const secrets = [...Object.values(hidden), S.webhookSecret.slice('whsec_'.length)];
    const leaked = secrets.filter((secret) => everything.includes(secret));
    assert.deepEqual(leaked, [], `leaked: ${leaked.join(', ')}`);
    // The requests did carry them (so the search above could have found them).
    assert.ok(echo.requests.some((r) => r.body.includes(S.pushoverToken)));
    assert.ok(echo.requests.some((r) => r.headers['x-api-key'] === S.webhookHeader));
  });

  it('names the request on the log line of the change it made (its id, method and URL)', async () => {
    const requestId = `trace-${randomBytes(6).toString('hex')}`;
    const notificationId = '5d1e3f3a-7f0b-4c55-9a8e-1b2c3d4e5f60';
    const answer = await fetch(`${service.url}/webhooks/stackstate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-stackstate-webhook-token': S.stackstateToken,
        'x-request-id': requestId,
      },
      body: JSON.stringify(stackStateOpen({ notificationId })),
    });
    assert.equal(answer.status, 200);
    const line = await eventually(
      () =>
        Promise.resolve(
          service
            .fullOutput()
            .split('\n')
            .find((l) => l.includes(`${notificationId}: opened`)),
        ),
      5000,
      'the ingest line',
    );
    const parsed = JSON.parse(line) as { req?: { id: string; method: string; url: string } };
    assert.deepEqual(parsed.req, { id: requestId, method: 'POST', url: '/webhooks/stackstate' });
  });
});
