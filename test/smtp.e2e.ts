import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { assertMatchesSchema, call } from './support/spec-client';
import { RawSmtp, sendLikeHaproxy } from './support/smtp-client';
import { API_KEY, defaultTestConfig, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

const MAX_BYTES = 16 * 1024;
const SMTP_USER = { username: 'monitoring', password: 'smtp-secret-123' };

function smtpTestConfig(dir: string): Record<string, unknown> {
  const config = defaultTestConfig() as { ingress: Record<string, unknown> };
  config.ingress.smtp = {
    allowedClients: ['127.0.0.1/32', '::1/128'],
    maxMessageBytes: MAX_BYTES,
    storedRawBytes: 4096,
    shutdownGraceMs: 2000,
    tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
    auth: { users: [SMTP_USER] },
    rules: [
      {
        name: 'nagios-problem',
        match: { subject: '^\\*\\* PROBLEM Service Alert: (?<host>[^/]+)/(?<service>.+) is (?<state>\\w+) \\*\\*$' },
        source: 'nagios',
        externalId: '{host}/{service}',
        action: 'open',
        severity: 'critical',
        title: '{service} on {host}',
        sourceState: '{state}',
        host: '{host}',
      },
      {
        name: 'nagios-recovery',
        match: { subject: '^\\*\\* RECOVERY Service Alert: (?<host>[^/]+)/(?<service>.+) is (?<state>\\w+) \\*\\*$' },
        source: 'nagios',
        externalId: '{host}/{service}',
        action: 'close',
        sourceState: '{state}',
      },
    ],
  };
  return config;
}

const hasSwaks = existsSync('/usr/bin/swaks');

describe(`SMTP ingress (${TEST_DB})`, () => {
  let app: TestApp;
  let port: number;
  let dir: string;
  before(async () => {
    // STARTTLS needs a certificate of our own (the built-in one of smtp-server is public).
    dir = execFileSync('mktemp', ['-d']).toString().trim();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    app = await startTestApp({ config: smtpTestConfig(dir) });
    assert.ok(app.smtpPort);
    port = app.smtpPort;
  });
  after(async () => {
    await app?.close();
    execFileSync('rm', ['-rf', dir]);
  });

  const auth = { Authorization: `Bearer ${API_KEY}` };
  const list = async (query: Record<string, string>) =>
    (await call(app.url, 'listNotifications', { query, headers: auth })).body.items;
  const events = async (id: string) =>
    (await call(app.url, 'listNotificationEvents', { params: { id }, headers: auth })).body.items;
  const transport = (extra: Record<string, unknown> = {}) =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      ignoreTLS: true,
      connectionTimeout: 5000,
      greetingTimeout: 5000,
      ...extra,
    });

  it('HAProxy: DOWN opens backend/server, every mailer copy is a duplicate, the Lua-mailer UP closes it', async () => {
    const server = `web-${randomUUID().slice(0, 8)}`;
    const down = `[HAProxy Alert] Server be_app/${server} is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 7ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue`;
    // Two mailers configured: HAProxy sends the same alert to each.
    assert.match(await sendLikeHaproxy(port, { subject: down }), /^250 OK: opened notification /);
    assert.match(await sendLikeHaproxy(port, { subject: down }), /^250 OK: duplicate notification /);

    const [opened, ...others] = await list({ source: 'haproxy', externalId: `be_app/${server}` });
    assert.equal(others.length, 0);
    assert.equal(opened.status, 'open');
    assert.equal(opened.severity, 'critical');
    assert.equal(opened.sourceState, 'DOWN');
    assert.equal(opened.sourceInstance, 'haproxy');
    assert.equal(opened.title, `Server be_app/${server} is DOWN`);
    assert.equal(opened.duplicateCount, 1);
    assert.deepEqual(opened.component, { name: `be_app/${server}`, type: 'haproxy-server' });
    assert.deepEqual(opened.tags, ['haproxy-backend:be_app', `haproxy-server:${server}`]);
    assert.equal(opened.metadata['haproxy.reason'], 'Layer7 wrong status');
    assert.equal(opened.metadata['haproxy.code'], '503');
    assert.equal(opened.metadata['haproxy.info'], 'Service Unavailable');
    assert.equal(opened.metadata['haproxy.checkDurationMs'], '7');
    assert.equal(opened.metadata['haproxy.activeServers'], '0');
    assert.equal(opened.metadata['smtp.helo'], 'lb1.example.com');
    assert.equal(opened.metadata['smtp.mailFrom'], 'haproxy@example.com');
    assert.equal(opened.metadata['smtp.rcptTo'], 'alerts@example.com');
    assert.equal(opened.metadata['mail.subject'], down);

    const up = `[HAProxy Alert] Server be_app/${server} is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue`;
    assert.match(await sendLikeHaproxy(port, { subject: up, lua: true }), /^250 OK: closed notification /);
    assert.match(await sendLikeHaproxy(port, { subject: up, lua: true }), /^250 OK: duplicate notification /);

    const [closed] = await list({ source: 'haproxy', externalId: `be_app/${server}` });
    assert.equal(closed.id, opened.id);
    assert.equal(closed.status, 'closed');
    assert.equal(closed.revision, 2);
    assert.equal(closed.closeReason, up.replace('[HAProxy Alert] ', ''));
    const history = await events(opened.id);
    assert.deepEqual(
      history.map((e: { type: string }) => e.type),
      ['opened', 'closed'],
    );
    // The event keeps the envelope, the parsed fields and the raw message.
    const payload = history[1].payload;
    assertMatchesSchema('SmtpMailPayload', payload);
    assert.equal(payload.smtp.mailFrom, 'haproxy@example.com');
    assert.equal(payload.smtp.openingCommand, 'HELO');
    assert.equal(payload.haproxy.state, 'UP');
    assert.equal(payload.rawEncoding, 'utf8');
    assert.match(payload.raw, /^From: haproxy@example.com\r\n/);

    // The next DOWN is a new incident with the same id.
    assert.match(await sendLikeHaproxy(port, { subject: down }), /^250 OK: opened notification /);
    assert.equal((await list({ source: 'haproxy', externalId: `be_app/${server}` })).length, 2);
  });

  it('HAProxy health-check mails are recorded as one-shots; a copy from a second mailer is a duplicate', async () => {
    const server = `web-${randomUUID().slice(0, 8)}`;
    const check = `[HAProxy Alert] Health check for server be_app/${server} failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/1 DOWN`;
    assert.match(await sendLikeHaproxy(port, { subject: check }), /^250 OK: recorded notification /);
    assert.match(await sendLikeHaproxy(port, { subject: check }), /^250 OK: duplicate notification /);
    const records = (await list({ source: 'haproxy', status: 'closed' })).filter(
      (n: { metadata: Record<string, string> }) => n.metadata['haproxy.server'] === server,
    );
    assert.equal(records.length, 1);
    assert.equal(records[0].sourceState, 'HEALTH_CHECK_FAILED');
    assert.equal(records[0].severity, 'warning');
    assert.equal(records[0].metadata['haproxy.checkStatus'], '0/1 DOWN');
    assert.match(records[0].externalId, /^sha256:[0-9a-f]{64}$/);
  });

  it('mail rules open and close by named groups (nodemailer, STARTTLS and AUTH)', async () => {
    const host = `db-${randomUUID().slice(0, 8)}`;
    const secure = transport({
      ignoreTLS: false,
      requireTLS: true,
      tls: { ca: readFileSync(join(dir, 'cert.pem')), servername: 'localhost' },
      auth: { user: SMTP_USER.username, pass: SMTP_USER.password },
    });
    const problem = await secure.sendMail({
      from: 'nagios@monitor.example.com',
      to: 'alerts@relay.example.com',
      subject: `** PROBLEM Service Alert: ${host}/Disk is CRITICAL **`,
      text: 'Disk is 99% full',
    });
    assert.match(problem.response, /^250 OK: opened notification /);
    const [opened] = await list({ source: 'nagios', externalId: `${host}/Disk` });
    assert.equal(opened.status, 'open');
    assert.equal(opened.sourceInstance, 'nagios-problem');
    assert.equal(opened.severity, 'critical');
    assert.equal(opened.sourceState, 'CRITICAL');
    assert.equal(opened.title, `Disk on ${host}`);
    assert.equal(opened.host, host);
    assert.equal(opened.message, 'Disk is 99% full');
    assert.equal(opened.metadata['match.service'], 'Disk');
    assert.equal(opened.metadata['mail.rule'], 'nagios-problem');
    assert.equal(opened.metadata['mail.from'], 'nagios@monitor.example.com');
    assert.equal(opened.metadata['smtp.user'], SMTP_USER.username);
    const [openEvent] = await events(opened.id);
    assertMatchesSchema('SmtpMailPayload', openEvent.payload);
    assert.equal(openEvent.payload.smtp.secure, true);
    assert.equal(openEvent.payload.smtp.openingCommand, 'EHLO');

    const recovery = await transport().sendMail({
      from: 'nagios@monitor.example.com',
      to: 'alerts@relay.example.com',
      subject: `** RECOVERY Service Alert: ${host}/Disk is OK **`,
      text: 'Disk is 40% full',
    });
    assert.match(recovery.response, /^250 OK: closed notification /);
    const [closed] = await list({ source: 'nagios', externalId: `${host}/Disk` });
    assert.equal(closed.id, opened.id);
    assert.equal(closed.status, 'closed');
    assert.equal(closed.sourceState, 'OK');
  });

  it('wrong AUTH credentials get 535', async () => {
    const bad = transport({
      ignoreTLS: false,
      requireTLS: true,
      tls: { ca: readFileSync(join(dir, 'cert.pem')), servername: 'localhost' },
      auth: { user: SMTP_USER.username, pass: 'wrong-password' },
    });
    await assert.rejects(
      bad.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'x', text: 'x' }),
      (error: { responseCode?: number }) => error.responseCode === 535,
    );
  });

  it('mail no rule matches becomes a one-shot notification keyed by Message-ID, stored once when re-sent', async () => {
    const messageId = `<${randomUUID()}@cron.example.com>`;
    const mail = {
      from: 'Cron Daemon <root@cron.example.com>',
      to: 'alerts@relay.example.com',
      subject: 'Cron <root@host> /usr/local/bin/backup',
      text: 'backup: disk full',
      messageId,
      date: new Date('2026-11-21T10:00:00Z'),
    };
    const first = await transport().sendMail(mail);
    assert.match(first.response, /^250 OK: recorded notification /);
    const second = await transport().sendMail(mail);
    assert.match(second.response, /^250 OK: duplicate notification /);

    const [oneShot, ...others] = await list({ source: 'email', externalId: messageId });
    assert.equal(others.length, 0);
    assert.equal(oneShot.status, 'closed');
    assert.equal(oneShot.revision, 1);
    assert.equal(oneShot.sourceInstance, 'unmatched');
    assert.equal(oneShot.sourceState, 'MAIL');
    assert.equal(oneShot.severity, 'unknown');
    assert.equal(oneShot.title, mail.subject);
    assert.equal(oneShot.message, 'backup: disk full');
    assert.equal(oneShot.duplicateCount, 1);
    assert.match(oneShot.closeReason, /^one-shot/);
    assert.equal(oneShot.metadata['mail.from'], 'root@cron.example.com');
    assert.equal(oneShot.metadata['mail.messageId'], messageId);
    assert.equal(oneShot.metadata['smtp.client'], '127.0.0.1');
    const [event] = await events(oneShot.id);
    assert.equal(event.type, 'closed');
    assert.equal(event.details.note, 'one-shot: a message that opens nothing, recorded closed');
    assert.equal(event.payload.mail.fromName, 'Cron Daemon');
  });

  it('refuses a message over maxMessageBytes with 552 and keeps serving', async () => {
    const client = transport({ pool: true, maxConnections: 1 });
    try {
      await assert.rejects(
        client.sendMail({
          from: 'a@example.com',
          to: 'b@example.com',
          subject: 'big',
          text: 'x'.repeat(MAX_BYTES * 2),
        }),
        (error: { responseCode?: number; response?: string }) =>
          error.responseCode === 552 && /limit is 16384 bytes/.test(error.response ?? ''),
      );
      const subject = `small ${randomUUID()}`;
      const ok = await client.sendMail({ from: 'a@example.com', to: 'b@example.com', subject, text: 'fits' });
      assert.match(ok.response, /^250 /);
    } finally {
      client.close();
    }
  });

  it('stores binary garbage as an unparseable one-shot, raw kept as base64, and keeps serving', async () => {
    const { client, greeting } = await RawSmtp.open(port);
    try {
      assert.match(greeting, /^220 /);
      // A certificate is configured: STARTTLS is offered.
      assert.match(await client.send('EHLO garbage.example'), /^250-STARTTLS$/m);
      assert.match(await client.send('MAIL FROM:<x@y>'), /^250/);
      assert.match(await client.send('RCPT TO:<z@y>'), /^250/);
      assert.match(await client.send('DATA'), /^354/);
      const junk = Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe, 0, 0x80]), Buffer.from(randomUUID())]);
      const reply = await client.send(Buffer.concat([junk, Buffer.from('\r\n.\r\n')]));
      assert.match(reply, /^250 OK: recorded notification ([0-9a-f-]{36})$/);
      const id = /notification ([0-9a-f-]{36})$/.exec(reply)?.[1] ?? '';
      const notification = (await call(app.url, 'getNotification', { params: { id }, headers: auth })).body;
      assert.equal(notification.source, 'email');
      assert.equal(notification.status, 'closed');
      const [event] = await events(id);
      assertMatchesSchema('SmtpMailPayload', event.payload);
      assert.equal(event.payload.rawEncoding, 'base64');
      assert.ok(Buffer.from(event.payload.raw, 'base64').subarray(0, junk.length).equals(junk));
      // Same session, next message.
      assert.match(await client.send('MAIL FROM:<x@y>'), /^250/);
      assert.match(await client.send('QUIT'), /^221/);
    } finally {
      client.close();
    }
  });

  it('survives a client that disconnects in the middle of a message', async () => {
    const { client } = await RawSmtp.open(port);
    assert.match(await client.send('HELO gone.example'), /^250 /);
    assert.match(await client.send('MAIL FROM:<a@example.com>'), /^250/);
    assert.match(await client.send('RCPT TO:<b@example.com>'), /^250/);
    assert.match(await client.send('DATA'), /^354/);
    client.send(Buffer.from('Subject: half a message\r\n\r\nand then')).catch(() => undefined);
    client.close();
    const subject = `after ${randomUUID()}`;
    const ok = await transport().sendMail({ from: 'a@example.com', to: 'b@example.com', subject, text: 'x' });
    assert.match(ok.response, /^250 OK: recorded notification /);
    const stored = (await list({ source: 'email', status: 'closed' })).map((n: { title: string }) => n.title);
    assert.ok(stored.includes(subject));
    assert.ok(!stored.includes('half a message'));
  });

  it('refuses a client outside allowedClients with 554 at connect', async () => {
    // All of 127/8 is loopback on Linux: 127.0.0.2 is a different, not allowed, client.
    const { client, greeting } = await RawSmtp.open(port, '127.0.0.2');
    client.close();
    assert.match(greeting, /^554 /);
  });

  it(
    'swaks: a plain HELO session (as HAProxy 2.6+ speaks) is accepted',
    { skip: !hasSwaks && 'swaks is not installed (.ci/apt-packages)' },
    async () => {
      const server = `web-${randomUUID().slice(0, 8)}`;
      const text = `Server be_swaks/${server} is DOWN, reason: Layer4 timeout, check duration: 2001ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue`;
      const { stdout } = await promisify(execFile)('swaks', [
        '--server',
        `127.0.0.1:${port}`,
        '--protocol',
        'SMTP',
        '--helo',
        'lb2.example.com',
        '--from',
        'haproxy@example.com',
        '--to',
        'alerts@example.com',
        '--header',
        `Subject: [HAProxy Alert] ${text}`,
        '--body',
        text,
      ]);
      assert.match(stdout, /-> HELO lb2\.example\.com/);
      assert.match(stdout, /<- {2}250 OK: opened notification /);
      const [opened] = await list({ source: 'haproxy', externalId: `be_swaks/${server}` });
      assert.equal(opened.status, 'open');
      assert.equal(opened.metadata['haproxy.reason'], 'Layer4 timeout');
      assert.equal(opened.metadata['smtp.helo'], 'lb2.example.com');
    },
  );
});

describe(`SMTP ingress shutdown (${TEST_DB})`, () => {
  it('answers 421 to an idle session when the app stops, and lets a message in flight finish', async () => {
    const app = await startTestApp();
    let closed = false;
    try {
      assert.ok(app.smtpPort);
      const { client: idle } = await RawSmtp.open(app.smtpPort);
      // The defaults: no certificate, no users, so neither STARTTLS nor AUTH is offered.
      const ehlo = await idle.send('EHLO idle.example');
      assert.match(ehlo, /^250[ -]/);
      assert.doesNotMatch(ehlo, /STARTTLS|AUTH/);
      const { client: busy } = await RawSmtp.open(app.smtpPort);
      assert.match(await busy.send('HELO busy.example'), /^250 /);
      assert.match(await busy.send('MAIL FROM:<a@example.com>'), /^250/);
      assert.match(await busy.send('RCPT TO:<b@example.com>'), /^250/);
      assert.match(await busy.send('DATA'), /^354/);
      const subject = `in flight ${randomUUID()}`;
      const stopping = app.close();
      closed = true;
      // The message started before the stop still gets its 250.
      const reply = await busy.send(`Subject: ${subject}\r\n\r\nbody\r\n.\r\n`);
      assert.match(reply, /^250 OK: recorded notification /);
      assert.match(await idle.next(), /^421 /);
      busy.close();
      idle.close();
      await stopping;
    } finally {
      if (!closed) await app.close();
    }
  });
});
