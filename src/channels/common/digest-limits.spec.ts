import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { emailDigest } from '../email/email.digest';
import { EmailChannelConfig } from '../email/email.config';
import { MattermostChannelConfig } from '../mattermost/mattermost.config';
import { mattermostDigestBody } from '../mattermost/mattermost.sender';
import { PushoverChannelConfig } from '../pushover/pushover.config';
import { pushoverDigestForm } from '../pushover/pushover.digest';
import { signalDigestText } from '../signal/signal.sender';
import { SlackChannelConfig } from '../slack/slack.config';
import { slackDigestBody } from '../slack/slack.sender';
import { buildDigest } from './digest';
import { sampleChange as change } from './sample-message';

// Every layout keeps its service's limits (docs/channels.md) however big the storm and its titles.
const storm = (n: number, maxItems: number, title = (i: number) => `${'<&>'.repeat(100)} ${i}`) =>
  buildDigest({
    id: '00000000-0000-4000-8000-0000000000d1',
    route: 'storm',
    labels: [{ key: 'host', value: 'db-7' }],
    maxItems,
    messages: Array.from({ length: n }, (_, i) => change('opened', i % 2 ? 'warning' : 'critical', title(i))),
  });
const chars = (text: string) => [...text].length;
const moreCount = (text: string) => Number(/… and (\d+) more/.exec(text)?.[1] ?? 0);

describe('digest layouts within limits', () => {
  it('Slack: every attachment text ≤ 3,000, the message < 40,000, listed + more = all', () => {
    const config = plainToInstance(SlackChannelConfig, { type: 'slack', url: 'http://127.0.0.1:1/x' });
    const body = slackDigestBody(storm(2000, 500), config);
    const texts = body.attachments.map((a) => a.text);
    assert.ok(texts.every((t) => chars(t) <= 3000));
    const total = chars(body.text) + texts.reduce((sum, t) => sum + chars(t), 0);
    assert.ok(total < 40_000, `${total} characters`);
    const all = texts.join('\n').split('\n');
    assert.equal(all.length - 1 + moreCount(all[all.length - 1]), 2000);
    assert.ok(!all.join('').includes('<&>'), 'the titles are escaped');
  });

  it('Mattermost: the post stays below 16,383', () => {
    const config = plainToInstance(MattermostChannelConfig, { type: 'mattermost', url: 'http://127.0.0.1:1/x' });
    const body = mattermostDigestBody(storm(500, 500), config);
    const total = chars(body.text) + body.attachments.reduce((sum, a) => sum + chars(a.text), 0);
    assert.ok(total < 16_383, `${total} characters`);
    assert.ok(body.attachments.every((a) => chars(a.text) <= 8000));
  });

  it('Pushover: title ≤ 250, message ≤ 1,024; Signal ≤ 2,000; e-mail lists maxItems', () => {
    const pushover = pushoverDigestForm(
      storm(300, 50),
      plainToInstance(PushoverChannelConfig, { type: 'pushover', token: 't'.repeat(30), user: 'u'.repeat(30) }),
    );
    assert.ok(chars(pushover.title) <= 250 && chars(pushover.message) <= 1024);
    assert.equal(pushover.priority, '1');
    assert.ok(moreCount(pushover.message) > 0);
    const signal = signalDigestText(storm(300, 50));
    assert.ok(chars(signal) <= 2000);
    assert.match(signal, /^300 opened · host db-7\n/);
    const mail = emailDigest(
      storm(300, 50, (i) => `alert ${i}`),
      plainToInstance(EmailChannelConfig, {
        type: 'email',
        smtp: { host: 'localhost' },
        from: 'a@example.com',
        to: ['b@example.com'],
      }),
    );
    assert.equal(mail.html.match(/<tr>/g)?.length, 50);
    assert.match(mail.html, /… and 250 more/);
    assert.equal(moreCount(mail.text), 250);
  });
});
