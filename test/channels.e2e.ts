import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { stackStateClose, stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import { API_KEY, WRITE_API_KEY, defaultTestConfig, STACKSTATE_TOKEN, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

const auth = { Authorization: `Bearer ${API_KEY}` };
const writeAuth = { Authorization: `Bearer ${WRITE_API_KEY}` };
const PUSHOVER_TOKEN = 'azGDORePK8gMaC0QOYAMyEEuzJnyUi';
const PUSHOVER_USER = 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG';
const TITLE = 'HTTP - response time - is above 3.0 seconds';
const MONITOR_LINK =
  'https://play.stackstate.com/#/monitors/urn%3Astackpack%3Akubernetes-v2%3Ashared%3Amonitor%3Akubernetes-v2%3Ahttp-response-time';

interface Mail {
  from: string;
  to: string[];
  data: string;
  secure: boolean;
  user: string | undefined;
}

describe(`channels (${TEST_DB})`, () => {
  let app: TestApp;
  const http = new FakeChannel();
  let smtp: SMTPServer;
  let smtpPort = 0;
  const mails: Mail[] = [];
  let dir: string;
  let signalLog: string;

  before(async () => {
    await http.start();
    http.answer = (r) => {
      if (r.path === '/1/messages.json') return { status: 200, body: '{"status":1,"request":"abc"}' };
      if (r.path === '/api/v1/rpc')
        return { status: 200, body: JSON.stringify({ jsonrpc: '2.0', result: { timestamp: 1 }, id: r.json?.id }) };
      return {};
    };
    smtp = new SMTPServer({
      secure: false,
      authMethods: ['PLAIN', 'LOGIN'],
      disableReverseLookup: true,
      logger: false,
      onAuth: (a, _s, cb) =>
        a.username === 'relay' && a.password === 'secret-pass'
          ? cb(null, { user: 'relay' })
          : cb(Object.assign(new Error('Bad creds'), { responseCode: 535 })),
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks).toString('utf8'),
            secure: session.secure,
            user: session.user as string | undefined,
          });
          cb();
        });
      },
    });
    smtp.on('error', () => undefined);
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as { port: number }).port;

    // A fake signal-cli: records its argv, exits with the code in exit-code (0 unless told).
    dir = mkdtempSync(join(tmpdir(), 'alert-relay-signal-'));
    signalLog = join(dir, 'calls.jsonl');
    const script = join(dir, 'signal-cli');
    writeFileSync(
      script,
      `#!${process.execPath}\nconst fs = require('fs');\n` +
        `fs.appendFileSync(${JSON.stringify(signalLog)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n` +
        `let code = 0; try { code = Number(fs.readFileSync(${JSON.stringify(join(dir, 'exit-code'))}, 'utf8')); } catch {}\n` +
        `if (code) process.stderr.write('Failed: rate limited'); else process.stdout.write('1700000000000\\n');\n` +
        `process.exit(code);\n`,
    );
    chmodSync(script, 0o755);

    app = await startTestApp({
      config: {
        ...defaultTestConfig(),
        channels: {
          slack: {
            type: 'slack',
            url: `${http.url}/services/T000/B000/XXXX`,
            channel: '#ops',
            username: 'alert-relay',
            iconEmoji: ':rotating_light:',
          },
          mattermost: {
            type: 'mattermost',
            url: `${http.url}/hooks/mm-key`,
            channel: 'devops-alerts',
            username: 'alert-relay',
          },
          pushover: { type: 'pushover', token: PUSHOVER_TOKEN, user: PUSHOVER_USER, apiUrl: http.url },
          signal: { type: 'signal', cliPath: script, account: '+12025551234', recipients: ['+12025555678'] },
          signal_rpc: {
            type: 'signal',
            mode: 'jsonrpc',
            rpcUrl: `${http.url}/api/v1/rpc`,
            account: '+12025551234',
            groupId: 'Z3JvdXA=',
          },
          email: {
            type: 'email',
            smtp: {
              host: '127.0.0.1',
              port: smtpPort,
              requireTLS: true,
              user: 'relay',
              password: 'secret-pass',
              rejectUnauthorized: false,
            },
            from: 'relay@example.com',
            to: ['ops@example.com', 'oncall@example.com'],
          },
          email_bad_login: {
            type: 'email',
            smtp: { host: '127.0.0.1', port: smtpPort, user: 'relay', password: 'wrong', rejectUnauthorized: false },
            from: 'relay@example.com',
            to: ['ops@example.com'],
          },
        },
        defaultChannels: ['slack', 'mattermost', 'pushover', 'signal', 'signal_rpc', 'email'],
        delivery: FAST_DELIVERY,
      },
    });
  });
  after(async () => {
    await app?.close();
    await http.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const signalCalls = () =>
    readFileSync(signalLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);

  it('sends each channel its exact request for an open, then for the resolve', async () => {
    const id = randomUUID();
    const opened = await call(app.url, 'receiveStackStateEvent', {
      body: stackStateOpen({ notificationId: id, state: 'CRITICAL' }),
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
    await http.waitFor(4);
    await eventually(() => Promise.resolve(mails.length >= 1 ? true : undefined));
    await eventually(() => Promise.resolve(signalCalls().length >= 1 ? true : undefined));

    const slack = http.requests.find((r) => r.path === '/services/T000/B000/XXXX')!;
    assert.equal(slack.headers['content-type'], 'application/json');
    assert.equal(slack.json.channel, '#ops');
    assert.equal(slack.json.username, 'alert-relay');
    assert.equal(slack.json.icon_emoji, ':rotating_light:');
    assert.equal(slack.json.text, `[CRITICAL] ${TITLE}`);
    const [attachment] = slack.json.attachments;
    assert.equal(attachment.color, '#d00000');
    assert.equal(attachment.title_link, MONITOR_LINK);
    assert.deepEqual(attachment.fields[0], { title: 'Source', value: 'stackstate/prod', short: true });
    assert.ok(
      attachment.fields.some((f: { title: string; value: string }) => f.title === 'Host' && f.value === 'catalogue'),
    );

    const mm = http.requests.find((r) => r.path === '/hooks/mm-key')!;
    assert.equal(mm.json.channel, 'devops-alerts');
    assert.equal(mm.json.username, 'alert-relay');
    assert.equal(mm.json.text, `**[CRITICAL] ${TITLE}**`);
    assert.equal(mm.json.attachments[0].color, '#d00000');

    const push = http.requests.find((r) => r.path === '/1/messages.json')!;
    assert.equal(push.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = Object.fromEntries(new URLSearchParams(push.body));
    assert.equal(form.token, PUSHOVER_TOKEN);
    assert.equal(form.user, PUSHOVER_USER);
    assert.equal(form.priority, '1');
    assert.equal(form.title, `[CRITICAL] ${TITLE}`);
    assert.equal(form.url, MONITOR_LINK);
    assert.equal(form.url_title, 'monitor');
    assert.match(form.message, /^Source: stackstate\/prod\nHost: catalogue\nState: CRITICAL\n/);

    const rpc = http.requests.find((r) => r.path === '/api/v1/rpc')!;
    assert.equal(rpc.json.jsonrpc, '2.0');
    assert.equal(rpc.json.method, 'send');
    assert.deepEqual(Object.keys(rpc.json.params).sort(), ['account', 'groupId', 'message']);
    assert.equal(rpc.json.params.groupId, 'Z3JvdXA=');
    assert.match(rpc.json.params.message, new RegExp(`^\\[CRITICAL\\] ${TITLE}\\n`));

    const [argv] = signalCalls();
    assert.deepEqual(argv.slice(0, 4), ['-a', '+12025551234', 'send', '-m']);
    assert.match(argv[4], new RegExp(`^\\[CRITICAL\\] ${TITLE}\\n`));
    assert.deepEqual(argv.slice(5), ['+12025555678']);

    const [mail] = mails;
    assert.equal(mail.secure, true, 'STARTTLS was used');
    assert.equal(mail.user, 'relay');
    assert.equal(mail.from, 'relay@example.com');
    assert.deepEqual(mail.to, ['ops@example.com', 'oncall@example.com']);
    assert.match(mail.data, new RegExp(`Subject: \\[CRITICAL\\] ${TITLE}`));
    assert.match(mail.data, /Content-Type: text\/plain/);
    assert.match(mail.data, /Content-Type: text\/html/);

    await call(app.url, 'receiveStackStateEvent', {
      body: stackStateClose(id),
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
    const deliveries = await eventually(async () => {
      const items = (
        await call(app.url, 'listNotificationDeliveries', { params: { id: opened.body.notificationId }, headers: auth })
      ).body.items;
      return items.length === 12 && items.every((d: { status: string }) => d.status === 'delivered')
        ? items
        : undefined;
    });
    assert.deepEqual(
      deliveries
        .filter((d: { kind: string }) => d.kind === 'resolved')
        .map((d: { channel: string }) => d.channel)
        .sort(),
      ['email', 'mattermost', 'pushover', 'signal', 'signal_rpc', 'slack'],
    );
    // The last request of each: ordered delivery sends the resolve after the open (and after any retry of
    // the open, which a loaded machine can cause with a timeout).
    const resolvedSlack = http.requests.filter((r) => r.path === '/services/T000/B000/XXXX').at(-1)!;
    assert.equal(resolvedSlack.json.text, `[RESOLVED] ${TITLE}`);
    assert.equal(resolvedSlack.json.attachments[0].color, '#2eb67d');
    const resolvedPush = Object.fromEntries(
      new URLSearchParams(http.requests.filter((r) => r.path === '/1/messages.json').at(-1)!.body),
    );
    assert.equal(resolvedPush.priority, '-1');
    assert.match(resolvedPush.message, /Reason: HealthStateResolved/);
    assert.equal(mails.length, 2);
  });

  it('shows each target without secrets, the same in the channel list and in route previews', async () => {
    const list = await call(app.url, 'listChannels', { headers: auth });
    const targets = Object.fromEntries(
      list.body.items.map((c: { name: string; target: string }) => [c.name, c.target]),
    );
    const host = new URL(http.url).host;
    assert.equal(targets.signal_rpc, `http://${host}/[redacted]`);
    assert.equal(targets.pushover, `http://${host}/[redacted]`);
    assert.equal(targets.slack, `http://${host}/[redacted]`);
    assert.equal(targets.email, `smtp://127.0.0.1:${smtpPort}`);
    const preview = await call(app.url, 'testRoutes', {
      headers: auth,
      body: { notification: { source: 'monasca', severity: 'warning', title: 'Disk @channel <!here>' } },
    });
    const byChannel = Object.fromEntries(
      preview.body.deliveries.map((d: { channel: string; target: string; request: any }) => [d.channel, d]),
    );
    for (const name of ['slack', 'mattermost', 'pushover', 'signal', 'signal_rpc', 'email']) {
      assert.equal(byChannel[name].target, targets[name], name);
    }
    assert.equal(byChannel.slack.request.body.text, '[WARNING] Disk @channel &lt;!here&gt;');
    assert.equal(byChannel.mattermost.request.body.text, '**[WARNING] Disk @\u200bchannel &lt;!here&gt;**');
    assert.equal(byChannel.pushover.request.form.token, '[redacted]');
    assert.ok(!JSON.stringify(preview.body).includes('/api/v1/rpc'), 'the daemon URL stays hidden');
  });

  it('classifies signal-cli exit codes: 5 (rate limited) retries, 1 (user error) is permanent', async () => {
    writeFileSync(join(dir, 'exit-code'), '5');
    const limited = await call(app.url, 'testChannel', { params: { name: 'signal' }, headers: writeAuth });
    assert.equal(limited.body.outcome, 'retry');
    assert.equal(limited.body.statusCode, 5);
    writeFileSync(join(dir, 'exit-code'), '1');
    const broken = await call(app.url, 'testChannel', { params: { name: 'signal' }, headers: writeAuth });
    assert.equal(broken.body.outcome, 'permanent');
    writeFileSync(join(dir, 'exit-code'), '0');
  });

  it('reports a Pushover refusal and a refused SMTP login as permanent', async () => {
    const pushover = http.answer;
    http.answer = (r) =>
      r.path === '/1/messages.json'
        ? { status: 400, body: '{"status":0,"errors":["user identifier is invalid"]}' }
        : {};
    const push = await call(app.url, 'testChannel', { params: { name: 'pushover' }, headers: writeAuth });
    http.answer = pushover;
    assert.equal(push.body.outcome, 'permanent');
    assert.equal(push.body.statusCode, 400);
    assert.match(push.body.response, /user identifier is invalid/);
    const mail = await call(app.url, 'testChannel', { params: { name: 'email' }, headers: writeAuth });
    assert.equal(mail.body.outcome, 'success');
    assert.equal(mail.body.statusCode, 250);
    const refused = await call(app.url, 'testChannel', { params: { name: 'email_bad_login' }, headers: writeAuth });
    assert.equal(refused.body.outcome, 'permanent');
    assert.equal(refused.body.statusCode, 535);
    assert.match(refused.body.error, /EAUTH/);
  });
});
