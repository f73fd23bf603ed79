import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { BatchingSender, OutgoingMessage } from '../common/channel';
import { Digest } from '../common/digest';
import { HttpAnswer, HttpChannel } from '../common/http';
import { plainText, render } from '../common/render';
import { SendResult } from '../common/send-result';
import { WebhookChannelConfig } from './webhook.config';
import { smtpHttpProxyDigest, webhookDigestEvent } from './webhook.digest';

/**
 * Standard Webhooks signature over `id.timestamp.body` with the base64-decoded `whsec_` secret
 * (docs/channels.md).
 */
export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** Our JSON for one message: Standard Webhooks' recommended `{type, timestamp, data}`. */
export function webhookEvent(message: OutgoingMessage, now: Date) {
  return {
    type: `notification.${message.kind}`,
    timestamp: now.toISOString(),
    data: { deliveryId: message.id, kind: message.kind, notification: message.notification },
  };
}

/** The smtp-http-proxy JSON: `{envelope: {from, to[]}, data}` with a whole mail, LF endings (docs/channels.md). */
export function smtpHttpProxyBody(message: OutgoingMessage, config: WebhookChannelConfig, now: Date) {
  const rendered = render(message.kind, message.notification);
  const data =
    [
      `From: ${config.mailFrom}`,
      `To: ${config.mailTo}`,
      `Date: ${now.toUTCString()}`,
      `Subject: ${rendered.headline.replace(/[\r\n]+/g, ' ')}`,
      `Message-ID: <${message.id}@alert-relay>`,
      '',
      plainText(rendered, Infinity, false),
    ].join('\n') + '\n';
  return { envelope: { from: `<${config.mailFrom}>`, to: [`<${config.mailTo}>`] }, data };
}

export function webhookRequest(messages: readonly OutgoingMessage[], config: WebhookChannelConfig, now: Date) {
  const items = messages.map((m) =>
    config.format === 'smtp-http-proxy' ? smtpHttpProxyBody(m, config, now) : webhookEvent(m, now),
  );
  const body = JSON.stringify(config.batchSize > 1 ? items : items[0]);
  // A batch is identified by its first delivery; each item carries its own deliveryId.
  return signedRequest(messages[0].id, body, config, now);
}

/** A digest: one request, whatever `batchSize` says, identified by the digest's id. */
export function webhookDigestRequest(digest: Digest, config: WebhookChannelConfig, now: Date) {
  const event =
    config.format === 'smtp-http-proxy' ? smtpHttpProxyDigest(digest, config, now) : webhookDigestEvent(digest, now);
  return signedRequest(digest.id, JSON.stringify(event), config, now);
}

/** Standard Webhooks headers over `body`, `id` being what receivers deduplicate on. */
function signedRequest(id: string, body: string, config: WebhookChannelConfig, now: Date) {
  const timestamp = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = {
    ...config.headers,
    'content-type': 'application/json',
    'user-agent': 'alert-relay',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
  };
  if (config.secret) headers['webhook-signature'] = signStandardWebhook(config.secret, id, timestamp, body);
  return { headers, body };
}

@Injectable()
export class WebhookSender extends HttpChannel<WebhookChannelConfig> implements BatchingSender<WebhookChannelConfig> {
  readonly shape = 'batching' as const;

  url(config: WebhookChannelConfig): string {
    return config.url;
  }

  maxBatch(config: WebhookChannelConfig): number {
    return config.batchSize;
  }

  preview(messages: readonly OutgoingMessage[], config: WebhookChannelConfig): unknown {
    const { headers, body } = webhookRequest(messages, config, new Date());
    const shown = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, k in config.headers || k === 'webhook-signature' ? '[redacted]' : v]),
    );
    return { method: 'POST', headers: shown, body: JSON.parse(body) };
  }

  send(messages: readonly OutgoingMessage[], config: WebhookChannelConfig, timeoutMs: number): Promise<SendResult> {
    return this.post(config, webhookRequest(messages, config, new Date()), timeoutMs);
  }

  sendDigest(digest: Digest, config: WebhookChannelConfig, timeoutMs: number): Promise<SendResult> {
    return this.post(config, webhookDigestRequest(digest, config, new Date()), timeoutMs);
  }

  // Standard Webhooks: a receiver answers 410 Gone to say it wants nothing more from this sender.
  protected override read(answer: HttpAnswer): HttpAnswer {
    if (answer.statusCode !== 410) return answer;
    return { ...answer, outcome: 'permanent', disable: 'the endpoint answered 410 Gone' };
  }
}
