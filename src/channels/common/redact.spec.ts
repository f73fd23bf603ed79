import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { EmailChannelConfig } from '../email/email.config';
import { PushoverChannelConfig } from '../pushover/pushover.config';
import { SlackChannelConfig } from '../slack/slack.config';
import { WebhookChannelConfig } from '../webhook/webhook.config';
import { channelSecrets, Redactor, redactUrl } from './redact';

describe('redaction', () => {
  it('shows a URL as its scheme and host', () => {
    assert.equal(
      redactUrl('https://user:pw@hooks.example.com:8443/services/T/B/secret?token=x#y'),
      'https://hooks.example.com:8443/[redacted]',
    );
    assert.equal(redactUrl('not a url'), '[redacted]');
  });

  it("finds every secret key of a channel's config: values, URLs in parts, maps, nested objects", () => {
    const slack = plainToInstance(SlackChannelConfig, {
      type: 'slack',
      url: 'https://hooks.example.com/services/T0001/B0002/slackSecretPath?token=slackQueryToken',
      username: 'alert-relay',
    });
    const secrets = channelSecrets(slack);
    for (const s of ['slackSecretPath', 'slackQueryToken', '/services/T0001/B0002/slackSecretPath']) {
      assert.ok(secrets.includes(s), s);
    }
    assert.ok(!secrets.includes('alert-relay'));
    const pushover = plainToInstance(PushoverChannelConfig, {
      type: 'pushover',
      token: 'a'.repeat(30),
      user: 'b'.repeat(30),
    });
    assert.deepEqual(
      ['a'.repeat(30), 'b'.repeat(30)].filter((s) => channelSecrets(pushover).includes(s)),
      ['a'.repeat(30), 'b'.repeat(30)],
    );
    const email = plainToInstance(EmailChannelConfig, {
      type: 'email',
      smtp: { host: 'smtp.example.com', user: 'relay-user', password: 'relay-password' },
      from: 'a@example.com',
      to: ['b@example.com'],
    });
    assert.ok(channelSecrets(email).includes('relay-password'));
    assert.ok(channelSecrets(email).includes('relay-user'));
    const webhook = plainToInstance(WebhookChannelConfig, {
      type: 'webhook',
      url: 'https://example.com/hook',
      secret: `whsec_${'c'.repeat(32)}`,
      headers: { 'x-api-key': 'headerSecret' },
    });
    assert.ok(channelSecrets(webhook).includes('headerSecret'));
    assert.ok(channelSecrets(webhook).includes(`whsec_${'c'.repeat(32)}`));
  });

  it('clears secrets from what a service answered, longest first', () => {
    const redactor = new Redactor(['abcdef-secret', 'abcdef-secret-and-more']);
    assert.equal(redactor.text('got abcdef-secret-and-more and abcdef-secret'), 'got [redacted] and [redacted]');
    assert.deepEqual(
      redactor.result({ outcome: 'retry', statusCode: 500, error: 'x abcdef-secret', response: 'abcdef-secret' }),
      {
        outcome: 'retry',
        statusCode: 500,
        error: 'x [redacted]',
        response: '[redacted]',
      },
    );
    assert.deepEqual(redactor.value({ a: ['abcdef-secret'] }), { a: ['[redacted]'] });
  });
});
