import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { monascaAlarm, stackStateOpen } from './support/fixtures';
import { call } from './support/spec-client';
import {
  API_KEY,
  defaultTestConfig,
  MONASCA_KEY,
  STACKSTATE_TOKEN,
  startTestApp,
  TestApp,
  WRITE_API_KEY,
} from './support/test-app';
import { TEST_DB } from './support/test-database';

// Strings that SQL, JSON, shells, templates or terminals treat specially, and long or wide ones.
const TRICKY = [
  `it's`,
  `say "hi"`,
  `back\\slash \\\\ and \\n and \\u0041`,
  `$$ dollar $tag$ quoted $tag$ $1 ?`,
  `E'\\x41' and U&'\\0041'`,
  `'; DROP TABLE notifications; --`,
  `/* comment */ -- comment`,
  `%s %d %% {{x}} \${x} #{x}`,
  `line\nbreak\r\ntab\tend`,
  `\u2028\u2029 separators`,
  `emoji 👍🏽 👨‍👩‍👧‍👦 🇳🇱`,
  `RTL \u200F مرحبا \u202Eevil\u202C mark`,
  `zero\u200Bwidth and combining e\u0301`,
  `NULL`,
  `<script>alert(1)</script> & &amp;`,
  'x'.repeat(5000),
  '\u{1F525}'.repeat(2500),
];

describe(`Strings travel verbatim through the database and back (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ config: { ...defaultTestConfig(), http: { bodyLimitBytes: 1024 * 1024 } } });
  });
  after(async () => {
    await app?.close();
  });
  const read = { Authorization: `Bearer ${API_KEY}` };
  const write = { Authorization: `Bearer ${WRITE_API_KEY}` };
  const get = async (id: string) => (await call(app.url, 'getNotification', { params: { id }, headers: read })).body;
  const events = async (id: string) =>
    (await call(app.url, 'listNotificationEvents', { params: { id }, headers: read })).body.items;

  it('StackState: title, reason, component, tags and metadata (keys too), and the raw payload', async () => {
    for (const s of TRICKY) {
      const body = stackStateOpen({ title: s });
      Object.assign(body.event, { reason: s });
      body.component.name = s;
      body.component.tags = [`tag:${s}`, s];
      (body as { metadata: Record<string, string> }).metadata = { [s]: s, plain: s };
      body.monitor.name = s;
      const sent = await call(app.url, 'receiveStackStateEvent', {
        body,
        headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
      });
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      const n = await get(sent.body.notificationId);
      assert.equal(n.title, s);
      assert.equal(n.message, s);
      assert.equal(n.host, s);
      assert.equal(n.component.name, s);
      assert.deepEqual(n.tags, [`tag:${s}`, s]);
      assert.deepEqual(n.metadata, { [s]: s, plain: s });
      const [opened] = await events(n.id);
      assert.deepEqual(opened.payload, body);
      // Found by the fields that filter (a tag filter takes 500 characters).
      if (s.length > 490) continue;
      const byTag = await call(app.url, 'listNotifications', { query: { tag: `tag:${s}` }, headers: read });
      assert.deepEqual(
        byTag.body.items.map((x: { id: string }) => x.id),
        [n.id],
        `tag filter for ${JSON.stringify(s.slice(0, 40))}`,
      );
    }
  });

  it('StackState: keys named like the prototype machinery stay in the stored payload (found by the fuzzer)', async () => {
    // Parsed from JSON text, as a producer's parser makes it: __proto__ is then an own key.
    const body = JSON.parse(
      JSON.stringify(stackStateOpen()).replace(
        '"metadata":{',
        '"metadata":{"__proto__":"a","constructor":"b","prototype":"c","plain":"d",',
      ),
    ) as ReturnType<typeof stackStateOpen>;
    const metadata = (body as unknown as { metadata: Record<string, string> }).metadata;
    assert.deepEqual(Object.keys(metadata).slice(0, 4), ['__proto__', 'constructor', 'prototype', 'plain']);
    const sent = await call(app.url, 'receiveStackStateEvent', {
      body,
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const [opened] = await events(sent.body.notificationId);
    assert.deepEqual(opened.payload, body);
    const n = await get(sent.body.notificationId);
    // The notification's fields come from the DTO, copied without them (as Nest's ValidationPipe does).
    const { __proto__: _p, constructor: _c, prototype: _q, ...fields } = Object.fromEntries(Object.entries(metadata));
    assert.deepEqual({ ...n.metadata }, fields);
  });

  it('Monasca: alarm_id, name, message, dimensions; found again by externalId and by search', async () => {
    for (const s of TRICKY.filter((t) => Buffer.byteLength(t) <= 1000)) {
      const alarm = monascaAlarm({
        alarm_id: s,
        alarm_name: s,
        message: s,
        metrics: [{ dimensions: { hostname: s, [s]: s }, name: s }],
      });
      const sent = await call(app.url, 'receiveMonascaAlarm', { params: { key: MONASCA_KEY }, body: alarm });
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      const n = await get(sent.body.notificationId);
      assert.equal(n.externalId, s);
      assert.equal(n.title, s);
      assert.equal(n.host, s);
      const found = await call(app.url, 'listNotifications', { query: { externalId: s }, headers: read });
      assert.deepEqual(
        found.body.items.map((x: { id: string }) => x.id),
        [n.id],
      );
      const searched = await call(app.url, 'listNotifications', { query: { q: s.slice(0, 200) }, headers: read });
      assert.equal(searched.status, 200);
    }
  });

  it('API writes: acknowledgement, close reason and external refs', async () => {
    const opened = await call(app.url, 'receiveStackStateEvent', {
      body: stackStateOpen({ notificationId: randomUUID() }),
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
    const id = opened.body.notificationId as string;
    for (const s of TRICKY.filter((t) => t.length <= 200)) {
      const acked = await call(app.url, 'acknowledgeNotification', {
        params: { id },
        body: { by: s, reason: s },
        headers: write,
      });
      assert.equal(acked.status, 200, JSON.stringify(acked.body));
      assert.deepEqual([acked.body.acknowledgement.by, acked.body.acknowledgement.reason], [s, s]);
      const linked = await call(app.url, 'putExternalRef', {
        params: { id, system: 'jira' },
        body: { id: s },
        headers: write,
      });
      assert.equal(linked.status, 200, JSON.stringify(linked.body));
      assert.equal((await get(id)).externalRefs[0].id, s);
    }
    const reason = TRICKY.join(' | ').slice(0, 2000);
    const closed = await call(app.url, 'closeNotification', {
      params: { id },
      body: { reason, by: `it's "me"` },
      headers: write,
    });
    assert.equal(closed.status, 200);
    assert.equal((await get(id)).closeReason, reason);
  });

  it('SMTP: subject and body of a UTF-8 mail', async () => {
    assert.ok(app.smtpPort);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: app.smtpPort, ignoreTLS: true });
    for (const s of TRICKY) {
      const subject = s.replace(/[\r\n]+/g, ' ').slice(0, 900);
      const sent = await transport.sendMail({
        from: 'a@example.com',
        to: 'b@example.com',
        subject,
        text: s,
        messageId: `<${randomUUID()}@example.com>`,
      });
      const id = /notification ([0-9a-f-]{36})/.exec(sent.response)![1];
      const n = await get(id);
      assert.equal(n.title, subject.trim());
      // Mail bodies end in CRLF on the wire; the text is trimmed.
      assert.equal(n.message, s.replace(/\r?\n/g, '\n').trim());
    }
  });
});
