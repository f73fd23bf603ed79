import { Injectable } from '@nestjs/common';
import { SlackChannelConfig } from '../../config/channels.config';
import { ChannelPreview, ChannelSender, OutgoingMessage, SendResult } from '../common/channel';
import { httpSend, redactUrl } from '../common/http';
import { colorOf, render, truncate } from '../common/render';

// Slack reads `<…>` as links and mentions (`<!channel>`): escape what the source wrote.
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * An incoming-webhook body: `text` (the notification line), and one attachment for the coloured bar,
 * title link and fields. Slack cuts `text` at 40,000 characters; we stay far below (3,000 per block).
 */
export function slackBody(message: OutgoingMessage, config: SlackChannelConfig) {
  const m = render(message.kind, message.notification);
  const link = m.links[0]?.url;
  return {
    ...(config.channel ? { channel: config.channel } : {}),
    ...(config.username ? { username: config.username } : {}),
    ...(config.iconEmoji ? { icon_emoji: config.iconEmoji } : {}),
    ...(config.iconUrl ? { icon_url: config.iconUrl } : {}),
    text: truncate(escape(m.headline), 3000),
    attachments: [
      {
        color: colorOf(m),
        fallback: truncate(m.headline, 300),
        title: truncate(escape(m.headline), 300),
        ...(link ? { title_link: link } : {}),
        ...(m.body ? { text: truncate(escape(m.body), 3000) } : {}),
        fields: m.fields.slice(0, 20).map((f) => ({
          title: truncate(f.label, 100),
          value: truncate(escape(f.value), 300),
          short: f.value.length < 40,
        })),
        ...(m.links.length > 1
          ? { footer: truncate(m.links.map((l) => `<${l.url}|${escape(l.title)}>`).join(' · '), 1000) }
          : {}),
        ts: Math.floor(Date.parse(message.notification.updatedAt) / 1000),
      },
    ],
  };
}

@Injectable()
export class SlackSender implements ChannelSender<SlackChannelConfig> {
  readonly type = 'slack' as const;

  batchSize(): number {
    return 1;
  }

  preview(messages: OutgoingMessage[], config: SlackChannelConfig): ChannelPreview {
    return { target: redactUrl(config.url), request: { method: 'POST', body: slackBody(messages[0], config) } };
  }

  send(messages: OutgoingMessage[], config: SlackChannelConfig, timeoutMs: number): Promise<SendResult> {
    return httpSend(
      config.url,
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackBody(messages[0], config)) },
      timeoutMs,
    );
  }
}
