import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { WebhookChannelConfig } from './webhook.config';
import { testNotification } from '../common/render';
import { signStandardWebhook, webhookRequest } from './webhook.sender';

describe('webhook channel', () => {
  it('signs with the Standard Webhooks test vector', () => {
    assert.equal(
      signStandardWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('sends one event, or an array when batching, with the first delivery id as webhook-id', () => {
    const n = testNotification(new Date('2026-01-01T00:00:00Z'));
    const now = new Date('2026-01-02T00:00:00Z');
    const single = plainToInstance(WebhookChannelConfig, { type: 'webhook', url: 'http://127.0.0.1:1/h' });
    const one = webhookRequest([{ id: 'd1', kind: 'opened', notification: n }], single, now);
    assert.equal(one.headers['webhook-id'], 'd1');
    assert.equal(one.headers['webhook-timestamp'], String(now.getTime() / 1000));
    assert.equal(one.headers['webhook-signature'], undefined);
    assert.deepEqual(JSON.parse(one.body), {
      type: 'notification.opened',
      timestamp: now.toISOString(),
      data: { deliveryId: 'd1', kind: 'opened', notification: n },
    });
    const batch = plainToInstance(WebhookChannelConfig, { type: 'webhook', url: 'http://x/h', batchSize: 10 });
    const many = webhookRequest(
      [
        { id: 'd1', kind: 'opened', notification: n },
        { id: 'd2', kind: 'resolved', notification: n },
      ],
      batch,
      now,
    );
    assert.equal(many.headers['webhook-id'], 'd1');
    assert.deepEqual(
      JSON.parse(many.body).map((e: { data: { deliveryId: string } }) => e.data.deliveryId),
      ['d1', 'd2'],
    );
  });

  it('speaks smtp-http-proxy when asked', () => {
    const n = testNotification(new Date('2026-01-01T00:00:00Z'));
    const config = plainToInstance(WebhookChannelConfig, {
      type: 'webhook',
      url: 'http://127.0.0.1:1/h',
      format: 'smtp-http-proxy',
      mailFrom: 'relay@example.com',
      mailTo: 'ops@example.com',
    });
    const { body } = webhookRequest([{ id: 'd1', kind: 'opened', notification: n }], config, new Date());
    const parsed = JSON.parse(body);
    assert.deepEqual(parsed.envelope, { from: '<relay@example.com>', to: ['<ops@example.com>'] });
    assert.match(
      parsed.data,
      /^From: relay@example.com\nTo: ops@example.com\nDate: .+\nSubject: \[INFO\] Alert Relay test message\n/,
    );
    assert.ok(parsed.data.endsWith('\n'));
    assert.ok(!parsed.data.includes('\r'));
  });
});
