import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { FAST_DELIVERY } from './support/delivery-config';
import { closeOn, found, openOn, sendStackState } from './support/digests';
import { eventually, FakeChannel, RecordedRequest } from './support/fake-channel';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

const auth = { Authorization: `Bearer ${API_KEY}` };
const MONITOR_LINK =
  'https://play.stackstate.com/#/monitors/urn%3Astackpack%3Akubernetes-v2%3Ashared%3Amonitor%3Akubernetes-v2%3Ahttp-response-time';
const CHANNELS = ['slack', 'mattermost', 'pushover', 'signal', 'email', 'hook'];

// One storm, one digest per channel type, each checked at the channel's boundary: the fake servers
// record the exact request (the SMTP sink the exact mail).
describe(`digest contents per channel type (${TEST_DB})`, () => {
  let app: TestApp;
  const http = new FakeChannel();
  let smtp: SMTPServer;
  const mails: string[] = [];
  const ids: string[] = [];

  before(async () => {
    await http.start();
    http.answer = (r) => {
      if (r.path === '/1/messages.json') return { status: 200, body: '{"status":1,"request":"abc"}' };
      if (r.path === '/api/v1/rpc')
        return { status: 200, body: JSON.stringify({ jsonrpc: '2.0', result: { timestamp: 1 }, id: r.json?.id }) };
      return {};
    };
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      onData: (stream, _session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push(Buffer.concat(chunks).toString('utf8'));
          cb();
        });
      },
    });
    smtp.on('error', () => undefined);
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as { port: number }).port;
    app = await startTestApp({
      config: {
        ...defaultTestConfig(),
        channels: {
          slack: { type: 'slack', url: `${http.url}/services/T000/B000/XXXX` },
          mattermost: { type: 'mattermost', url: `${http.url}/hooks/mm-key` },
          pushover: {
            type: 'pushover',
            token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi',
            user: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG',
            apiUrl: http.url,
          },
          signal: {
            type: 'signal',
            mode: 'jsonrpc',
            rpcUrl: `${http.url}/api/v1/rpc`,
            account: '+12025551234',
            recipients: ['+12025555678'],
          },
          email: {
            type: 'email',
            smtp: { host: '127.0.0.1', port: smtpPort },
            from: 'relay@example.com',
            to: ['ops@example.com'],
          },
          hook: { type: 'webhook', url: `${http.url}/hook`, batchSize: 10 },
        },
        routes: [
          {
            name: 'shop',
            match: { source: 'stackstate' },
            channels: CHANNELS,
            // `by: []`: one group for the route; two lines listed, the rest counted.
            group: { by: [], wait: '1s', interval: '1m', maxItems: 2 },
          },
        ],
        delivery: FAST_DELIVERY,
      },
    });
    // A storm of four: three opened (one with markup in its title), one opened and resolved at once.
    ids.push(await sendStackState(app.url, openOn('db-1', { title: 'Disk full <!channel> @all', state: 'CRITICAL' })));
    ids.push(await sendStackState(app.url, openOn('web-2', { title: 'Slow answers', state: 'DEVIATING' })));
    ids.push(await sendStackState(app.url, openOn('db-2', { title: 'Replication lag', state: 'CRITICAL' })));
    const flapping = randomUUID();
    ids.push(await sendStackState(app.url, openOn('db-3', { notificationId: flapping, title: 'Link down' })));
    await sendStackState(app.url, closeOn('db-3', flapping));
    await http.waitFor(5, 10_000);
    await found(() => (mails.length >= 1 ? true : undefined));
  });
  after(async () => {
    await app?.close();
    await http.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  const one = (path: string): RecordedRequest => {
    const found = http.requests.filter((r) => r.path === path);
    assert.equal(found.length, 1, `one request to ${path}`);
    return found[0];
  };

  it('sends every channel one message, and records every change delivered under that channel digest id', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(http.requests.length, 5, 'one request per HTTP channel');
    assert.equal(mails.length, 1);
    const digestIds = new Map<string, string>();
    for (const id of ids) {
      const items = await eventually(async () => {
        const list = (await call(app.url, 'listNotificationDeliveries', { params: { id }, headers: auth })).body.items;
        return list.every((d: { status: string }) => d.status !== 'pending') ? list : undefined;
      });
      for (const channel of CHANNELS) {
        const told = items.filter(
          (d: { channel: string; status: string }) => d.channel === channel && d.status === 'delivered',
        );
        assert.equal(told.length, 1, `${id} told once on ${channel}`);
        assert.ok(!digestIds.has(channel) || digestIds.get(channel) === told[0].digestId, `one digest on ${channel}`);
        digestIds.set(channel, told[0].digestId);
      }
    }
    assert.equal(new Set(digestIds.values()).size, CHANNELS.length, 'a digest id per channel');
    assert.equal(one('/hook').headers['webhook-id'], digestIds.get('hook'));
    assert.equal(one('/api/v1/rpc').json.id, digestIds.get('signal'));
  });

  it('Slack: the counts as text, two lines in a coloured attachment, escaped, "… and 2 more" with the API filter', () => {
    const { json } = one('/services/T000/B000/XXXX');
    assert.equal(json.text, '3 opened · 1 resolved · route shop');
    assert.equal(json.attachments.length, 1);
    const [attachment] = json.attachments;
    assert.equal(attachment.color, '#d00000');
    assert.deepEqual(attachment.mrkdwn_in, ['text']);
    const lines = attachment.text.split('\n');
    assert.equal(lines.length, 3);
    assert.match(
      lines[0],
      /^• \*CRITICAL\* <https:\/\/play\.stackstate\.com\/[^|]+\|(Disk full &lt;!channel&gt; @all|Replication lag)> — opened · db-\d$/,
    );
    assert.match(lines[2], /^… and 2 more: GET \/api\/v1\/deliveries\?digestId=[0-9a-f-]{36}$/);
    assert.ok(!attachment.text.includes('<!channel>'));
    assert.ok([...JSON.stringify(json)].length < 40_000);
  });

  it('Mattermost: the counts in bold, a Markdown list, mentions broken', () => {
    const { json } = one('/hooks/mm-key');
    assert.equal(json.text, '**3 opened · 1 resolved · route shop**');
    const text: string = json.attachments[0].text;
    assert.match(
      text,
      /^- \*\*CRITICAL\*\* \[Replication lag\]\(https:\/\/play\.stackstate\.com\/[^)]+\) — opened · db-2\n/,
    );
    assert.ok(text.includes('Disk full &lt;!channel&gt; @\u200ball'), 'no mention left whole');
    assert.match(text, /\n… and 2 more: GET \/api\/v1\/deliveries\?digestId=/);
    assert.ok(text.length + json.text.length < 16_383);
  });

  it('Pushover: the counts as title, the lines as message, the priority of the worst severity', () => {
    const form = Object.fromEntries(new URLSearchParams(one('/1/messages.json').body));
    assert.equal(form.title, '3 opened · 1 resolved · route shop');
    assert.equal(form.priority, '1');
    const lines = form.message.split('\n');
    assert.match(
      lines[0],
      /^CRITICAL (Disk full <!channel> @all|Replication lag) — opened · db-\d · https:\/\/play\.stackstate\.com\//,
    );
    assert.match(lines[lines.length - 1], /^… and 2 more: /);
    assert.ok([...form.message].length <= 1024);
  });

  it('Signal: plain text within 2,000 characters, the digest id as the JSON-RPC id', () => {
    const { json } = one('/api/v1/rpc');
    assert.equal(json.method, 'send');
    const message: string = json.params.message;
    assert.match(message, /^3 opened · 1 resolved · route shop\nCRITICAL /);
    assert.match(message, /\n… and 2 more: GET \/api\/v1\/deliveries\?digestId=/);
    assert.ok([...message].length <= 2000);
  });

  it('E-mail: the counts as subject, a text part and an HTML table with the source text escaped', async () => {
    const mail = await PostalMime.parse(mails[0]);
    assert.equal(mail.subject, '3 opened · 1 resolved · route shop');
    assert.match(mail.headers.find((h) => h.key === 'x-alert-relay-digest')?.value ?? '', /^[0-9a-f-]{36}$/);
    const text = mail.text!.trim().split('\n');
    assert.equal(text[0], '3 opened · 1 resolved · route shop');
    assert.match(text[1], /^CRITICAL Replication lag — opened · db-2 · https:/);
    assert.match(text[3], /^… and 2 more: GET \/api\/v1\/deliveries\?digestId=/);
    assert.match(
      mail.html!,
      /<td><a href="https:\/\/play\.stackstate\.com\/[^"]+">Disk full &lt;!channel&gt; @all<\/a><\/td><td>opened<\/td><td>db-1<\/td>/,
    );
    assert.ok(!mail.html!.includes('<!channel>'));
  });

  it('Webhook: one request whatever its batchSize, carrying all four changes with their delivery ids', () => {
    const { json } = one('/hook');
    assert.equal(json.type, 'notification.digest');
    assert.deepEqual(json.data.counts, { opened: 3, resolved: 1 });
    assert.deepEqual(json.data.group, []);
    assert.equal(json.data.changes.length, 4);
    assert.deepEqual(
      json.data.changes.map((c: { notification: { id: string } }) => c.notification.id).sort(),
      [...ids].sort(),
    );
    const resolved = json.data.changes.find((c: { kind: string }) => c.kind === 'resolved');
    assert.equal(resolved.notification.title, 'Link down');
    assert.equal(resolved.notification.status, 'closed');
    assert.equal(
      json.data.changes[0].notification.links.find((l: { rel: string }) => l.rel === 'monitor').href,
      MONITOR_LINK,
    );
  });
});
