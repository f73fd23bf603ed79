import { Digest, digestHeadline, plainDigest } from '../common/digest';
import { PLAIN } from '../common/text-format';
import { WebhookChannelConfig } from './webhook.config';

/**
 * A digest as one event (docs/channels.md): `type: notification.digest`, the digest's id, route, group
 * labels and counts, and every change it carries with its own `deliveryId` (not only the listed lines:
 * a receiver keeps its own records).
 */
export function webhookDigestEvent(digest: Digest, now: Date) {
  return {
    type: 'notification.digest',
    timestamp: now.toISOString(),
    data: {
      digestId: digest.id,
      route: digest.route,
      group: digest.labels,
      counts: digest.countsByKind,
      changes: digest.messages.map((m) => ({ deliveryId: m.id, kind: m.kind, notification: m.notification })),
    },
  };
}

/** `format: smtp-http-proxy`: the digest as one mail, the headline as its subject. */
export function smtpHttpProxyDigest(digest: Digest, config: WebhookChannelConfig, now: Date) {
  const data =
    [
      `From: ${config.mailFrom}`,
      `To: ${config.mailTo}`,
      `Date: ${now.toUTCString()}`,
      `Subject: ${digestHeadline(PLAIN, digest).replace(/[\r\n]+/g, ' ')}`,
      `Message-ID: <${digest.id}@alert-relay>`,
      '',
      plainDigest(digest, 100_000, false),
    ].join('\n') + '\n';
  return { envelope: { from: `<${config.mailFrom}>`, to: [`<${config.mailTo}>`] }, data };
}
