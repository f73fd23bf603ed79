import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { PushoverChannelConfig, SlackChannelConfig } from '../../config/channels.config';
import { pushoverForm } from '../pushover/pushover.sender';
import { slackBody } from '../slack/slack.sender';

import { plainText, render, testNotification, truncate } from './render';
import { NotificationSnapshot } from '../../domain/notification';

const notification = (overrides: Partial<NotificationSnapshot> = {}): NotificationSnapshot => ({
  ...testNotification(new Date('2026-01-01T00:00:00Z')),
  severity: 'critical',
  title: 'Server be_app/web1 is DOWN',
  host: 'be_app/web1',
  links: [{ rel: 'monitor', href: 'https://example.com/m/1' }],
  ...overrides,
});

describe('message rendering', () => {
  it('labels opened, updated, resolved and reminder messages', () => {
    const n = notification();
    assert.equal(render('opened', n).headline, '[CRITICAL] Server be_app/web1 is DOWN');
    assert.equal(render('updated', n).headline, '[CRITICAL · UPDATED] Server be_app/web1 is DOWN');
    assert.equal(render('resolved', { ...n, closeReason: 'UP' }).headline, '[RESOLVED] Server be_app/web1 is DOWN');
    assert.equal(render('reminder', n).headline, '[REMINDER · CRITICAL] Server be_app/web1 is DOWN');
    assert.ok(
      render('resolved', { ...n, closeReason: 'UP' }).fields.some((f) => f.label === 'Reason' && f.value === 'UP'),
    );
    assert.deepEqual(render('opened', n).links, [{ title: 'monitor', url: 'https://example.com/m/1' }]);
  });

  it('cuts by code points and marks the cut', () => {
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(truncate('ab', 4), 'ab');
    assert.equal([...truncate('🔥'.repeat(10), 5)].length, 5);
    assert.ok(plainText(render('opened', notification({ message: 'x'.repeat(5000) })), 1024).length <= 1024);
  });

  it('keeps Pushover within 1024/250/512/100 and picks the priority by severity', () => {
    const config = plainToInstance(PushoverChannelConfig, {
      type: 'pushover',
      token: 'a'.repeat(30),
      user: 'u'.repeat(30),
      priorities: { critical: 2 },
    });
    const long = notification({ title: 'T'.repeat(400), message: 'M'.repeat(3000) });
    const form = pushoverForm({ id: 'd', kind: 'opened', notification: long }, config);
    assert.equal([...form.message].length, 1024);
    assert.equal([...form.title].length, 250);
    assert.equal(form.priority, '2');
    assert.equal(form.retry, '60');
    assert.equal(form.expire, '3600');
    const resolved = pushoverForm({ id: 'd', kind: 'resolved', notification: long }, config);
    assert.equal(resolved.priority, '-1');
    assert.equal(resolved.retry, undefined);
    const tooLongUrl = pushoverForm(
      {
        id: 'd',
        kind: 'opened',
        notification: notification({ links: [{ rel: 'x', href: `https://e.com/${'a'.repeat(600)}` }] }),
      },
      config,
    );
    assert.equal(tooLongUrl.url, undefined);
  });

  it('escapes Slack markup the source wrote', () => {
    const config = plainToInstance(SlackChannelConfig, { type: 'slack', url: 'http://127.0.0.1:1/s' });
    const body = slackBody(
      { id: 'd', kind: 'opened', notification: notification({ title: '<!channel> & <http://x|y>' }) },
      config,
    );
    assert.equal(body.text, '[CRITICAL] &lt;!channel&gt; &amp; &lt;http://x|y&gt;');
    assert.equal(body.attachments[0].color, '#d00000');
  });
});
