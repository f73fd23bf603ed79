import { OutgoingMessage, SingleMessageSender } from './channel';
import { Digest } from './digest';
import { HttpChannel, jsonRequest } from './http';
import { incomingWebhookDigestBody, IncomingWebhookDigestStyle } from './incoming-webhook-digest';
import { IncomingWebhookChannelConfig } from './incoming-webhook.config';
import { colorOf, RenderedMessage, render, truncate } from './render';
import { SendResult } from './send-result';
import { fitText, headline, httpUrl, TextFormat } from './text-format';

/** What differs between Slack's and Mattermost's incoming webhooks; the rest is one builder. */
export interface IncomingWebhookStyle {
  /** How the source's text is escaped and how links are written. */
  format: TextFormat;
  /** The post's own `text` line. */
  text(m: RenderedMessage): string;
  /** Longest attachment text (the source's message). */
  bodyMax: number;
  /** Slack shows `ts` as the attachment's time; Mattermost has no such field. */
  timestamp: boolean;
  /** A digest's layout and limits. */
  digest: IncomingWebhookDigestStyle;
}

/**
 * An incoming-webhook body: `text` (the notification line), and one attachment for the coloured bar,
 * title link and fields. docs/channels.md has each service's limits.
 */
export function incomingWebhookBody(
  style: IncomingWebhookStyle,
  message: OutgoingMessage,
  config: IncomingWebhookChannelConfig,
) {
  const m = render(message.kind, message.notification);
  const { format } = style;
  const link = m.links.map((l) => httpUrl(l.url)).find((url) => url !== null);
  return {
    ...(config.channel ? { channel: config.channel } : {}),
    ...(config.username ? { username: config.username } : {}),
    ...(config.iconEmoji ? { icon_emoji: config.iconEmoji } : {}),
    ...(config.iconUrl ? { icon_url: config.iconUrl } : {}),
    text: style.text(m),
    attachments: [
      {
        color: colorOf(m),
        // Plain text for notifications and clients that cannot show attachments.
        fallback: truncate(m.headline, 300),
        title: headline(format, m, 300),
        ...(link ? { title_link: link } : {}),
        ...(m.body ? { text: fitText(format, m.body, style.bodyMax) } : {}),
        // Both services show field titles as plain text (Slack escapes them itself).
        fields: m.fields.slice(0, 20).map((f) => ({
          title: truncate(f.label, 100),
          value: fitText(format, f.value, 300),
          short: f.value.length < 40,
        })),
        ...(m.links.length > 1
          ? {
              footer: joinWithin(
                m.links.map((l) => format.link(l.url, l.title)),
                ' · ',
                1000,
              ),
            }
          : {}),
        ...(style.timestamp ? { ts: Math.floor(Date.parse(message.notification.updatedAt) / 1000) } : {}),
      },
    ],
  };
}

/** As many whole parts as fit in `max` characters (a cut link would be broken markup). */
function joinWithin(parts: string[], separator: string, max: number): string {
  let joined = '';
  for (const part of parts) {
    const next = joined ? `${joined}${separator}${part}` : part;
    if ([...next].length > max) break;
    joined = next;
  }
  return joined;
}

/** Slack and Mattermost: one POST of the incoming-webhook body per message. */
export abstract class IncomingWebhookSender<C extends IncomingWebhookChannelConfig>
  extends HttpChannel<C>
  implements SingleMessageSender<C>
{
  readonly shape = 'single' as const;
  protected abstract readonly style: IncomingWebhookStyle;

  url(config: C): string {
    return config.url;
  }

  body(message: OutgoingMessage, config: C) {
    return incomingWebhookBody(this.style, message, config);
  }

  preview(message: OutgoingMessage, config: C): unknown {
    return { method: 'POST', body: this.body(message, config) };
  }

  send(message: OutgoingMessage, config: C, timeoutMs: number): Promise<SendResult> {
    return this.post(config, jsonRequest(this.body(message, config)), timeoutMs);
  }

  sendDigest(digest: Digest, config: C, timeoutMs: number): Promise<SendResult> {
    return this.post(config, jsonRequest(incomingWebhookDigestBody(this.style.digest, digest, config)), timeoutMs);
  }
}
