import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { call } from './support/spec-client';
import { sendLikeHaproxy } from './support/smtp-client';
import { TcpProxy } from './support/tcp-proxy';
import { API_KEY, startTestApp, TestApp } from './support/test-app';
import { createPostgresDatabase, TEST_DB, TestDatabase } from './support/test-database';

// Real PostgreSQL only: the embedded database runs in-process and cannot be cut from outside.
describe(
  'SMTP ingress while the database is down',
  { skip: TEST_DB !== 'postgres' && 'runs in the TEST_DB=postgres pass' },
  () => {
    let database: TestDatabase & { url: string };
    let proxy: TcpProxy;
    let app: TestApp;

    before(async () => {
      database = await createPostgresDatabase();
      proxy = new TcpProxy('127.0.0.1', 5432);
      await proxy.start();
      const url = new URL(database.url);
      url.port = String(proxy.port);
      app = await startTestApp({ databaseUrl: url.toString() });
    });
    after(async () => {
      await app?.close();
      await proxy?.cut();
      await database?.drop();
    });

    const auth = { Authorization: `Bearer ${API_KEY}` };

    it('answers 451, and the same mail re-sent after recovery is stored exactly once', async () => {
      assert.ok(app.smtpPort);
      const port = app.smtpPort;
      const server = `web-${randomUUID().slice(0, 8)}`;
      const down = `[HAProxy Alert] Server be_db/${server} is DOWN, reason: Layer4 timeout, check duration: 2001ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue`;
      const messageId = `<${randomUUID()}@mta.example.com>`;
      const mta = () => nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
      const raw = [
        'From: cron@example.com',
        'To: alerts@example.com',
        `Message-ID: ${messageId}`,
        'Date: Sat, 21 Nov 2026 10:00:00 +0000',
        'Subject: nightly backup failed',
        '',
        'exit code 2',
        '',
      ].join('\r\n');
      const sendMta = () => mta().sendMail({ envelope: { from: 'cron@example.com', to: ['alerts@example.com'] }, raw });

      await proxy.cut();
      assert.match(await sendLikeHaproxy(port, { subject: down }), /^451 Database unavailable, try again later/);
      await assert.rejects(sendMta(), (error: { responseCode?: number }) => error.responseCode === 451);

      // The server kept serving: still 451 while down, not a crash.
      assert.match(await sendLikeHaproxy(port, { subject: down }), /^451 /);

      await proxy.restore();
      // The pool may hold connections cut during the outage; the service answers 451 until it has fresh
      // ones, which is what a retrying sender sees.
      let reply = '';
      for (let attempt = 0; attempt < 20 && !reply.startsWith('250'); attempt++) {
        reply = await sendLikeHaproxy(port, { subject: down });
      }
      assert.match(reply, /^250 OK: opened notification /);
      const resent = await sendMta();
      assert.match(resent.response, /^250 OK: recorded notification /);
      // A second copy (another retry) changes nothing.
      assert.match((await sendMta()).response, /^250 OK: duplicate notification /);

      const haproxy = (
        await call(app.url, 'listNotifications', {
          query: { source: 'haproxy', externalId: `be_db/${server}` },
          headers: auth,
        })
      ).body.items;
      assert.equal(haproxy.length, 1);
      assert.equal(haproxy[0].status, 'open');
      const mails = (
        await call(app.url, 'listNotifications', { query: { source: 'email', externalId: messageId }, headers: auth })
      ).body.items;
      assert.equal(mails.length, 1);
      assert.equal(mails[0].duplicateCount, 1);
      const events = (await call(app.url, 'listNotificationEvents', { params: { id: mails[0].id }, headers: auth }))
        .body.items;
      assert.equal(events.length, 1);
    });
  },
);
