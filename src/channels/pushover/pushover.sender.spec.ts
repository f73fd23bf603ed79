import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { sampleNotification as notification, sampleMessage } from '../common/sample-message';
import { PushoverChannelConfig } from './pushover.config';
import { pushoverForm, PushoverSender } from './pushover.sender';

const config = (overrides: Record<string, unknown> = {}) =>
  plainToInstance(PushoverChannelConfig, {
    type: 'pushover',
    token: 'a'.repeat(30),
    user: 'u'.repeat(30),
    priorities: { critical: 2 },
    ...overrides,
  });

describe('pushover channel', () => {
  it('keeps Pushover within 1024/250/512/100 and picks the priority by severity', () => {
    const long = notification({ title: 'T'.repeat(400), message: 'M'.repeat(3000) });
    const form = pushoverForm({ id: 'd', kind: 'opened', notification: long }, config());
    assert.equal([...form.message].length, 1024);
    assert.equal([...form.title].length, 250);
    assert.equal(form.priority, '2');
    assert.equal(form.retry, '60');
    assert.equal(form.expire, '3600');
    const resolved = pushoverForm({ id: 'd', kind: 'resolved', notification: long }, config());
    assert.equal(resolved.priority, '-1');
    assert.equal(resolved.retry, undefined);
    const tooLongUrl = pushoverForm(
      {
        id: 'd',
        kind: 'opened',
        notification: notification({ links: [{ rel: 'x', href: `https://e.com/${'a'.repeat(600)}` }] }),
      },
      config(),
    );
    assert.equal(tooLongUrl.url, undefined);
  });

  it('sends plain text (never html=1) and links only to http(s) URLs', () => {
    const form = pushoverForm(
      sampleMessage('opened', {
        title: '<b>bold</b> & <a href="x">',
        links: [
          { rel: 'evil', href: 'javascript:alert(1)' },
          { rel: 'monitor', href: 'https://example.com/m/1' },
        ],
      }),
      config(),
    );
    assert.equal(form.html, undefined);
    assert.equal(form.title, '[CRITICAL] <b>bold</b> & <a href="x">');
    assert.equal(form.url, 'https://example.com/m/1');
    assert.equal(form.url_title, 'monitor');
  });

  it('posts to one URL, computed once, which its preview shows redacted', () => {
    const sender = new PushoverSender();
    const withSlash = config({ apiUrl: 'https://user:pass@push.example.com/base/' });
    assert.equal(sender.url(withSlash), 'https://user:pass@push.example.com/base/1/messages.json');
    assert.equal(sender.target(withSlash), 'https://push.example.com/[redacted]');
    assert.equal(sender.url(config()), 'https://api.pushover.net/1/messages.json');
    const preview = sender.preview(sampleMessage(), config()) as { form: Record<string, string> };
    assert.equal(preview.form.token, '[redacted]');
    assert.equal(preview.form.user, '[redacted]');
  });
});
