import { Injectable } from '@nestjs/common';
import { MattermostChannelConfig } from '../../config/channels.config';
import { ChannelPreview, ChannelSender, OutgoingMessage, SendResult } from '../common/channel';
import { httpSend, redactUrl } from '../common/http';
import { colorOf, render, truncate } from '../common/render';

/**
 * An incoming-webhook body (Slack-compatible attachments). Mattermost splits posts above 16,383
 * characters; we keep the whole message below that. `username`/`icon_*` need the server's
 * "override" settings.
 */
export function mattermostBody(message: OutgoingMessage, config: MattermostChannelConfig) {
  const m = render(message.kind, message.notification);
  const link = m.links[0]?.url;
  return {
    ...(config.channel ? { channel: config.channel } : {}),
    ...(config.username ? { username: config.username } : {}),
    ...(config.iconEmoji ? { icon_emoji: config.iconEmoji } : {}),
    ...(config.iconUrl ? { icon_url: config.iconUrl } : {}),
    text: truncate(`**${m.headline}**`, 1000),
    attachments: [
      {
        color: colorOf(m),
        fallback: truncate(m.headline, 300),
        title: truncate(m.headline, 300),
        ...(link ? { title_link: link } : {}),
        ...(m.body ? { text: truncate(m.body, 8000) } : {}),
        fields: m.fields.slice(0, 20).map((f) => ({
          title: truncate(f.label, 100),
          value: truncate(f.value, 300),
          short: f.value.length < 40,
        })),
        ...(m.links.length > 1
          ? { footer: truncate(m.links.map((l) => `[${l.title}](${l.url})`).join(' · '), 1000) }
          : {}),
      },
    ],
  };
}

@Injectable()
export class MattermostSender implements ChannelSender<MattermostChannelConfig> {
  readonly type = 'mattermost' as const;

  batchSize(): number {
    return 1;
  }

  preview(messages: OutgoingMessage[], config: MattermostChannelConfig): ChannelPreview {
    return { target: redactUrl(config.url), request: { method: 'POST', body: mattermostBody(messages[0], config) } };
  }

  send(messages: OutgoingMessage[], config: MattermostChannelConfig, timeoutMs: number): Promise<SendResult> {
    return httpSend(
      config.url,
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify(mattermostBody(messages[0], config)) },
      timeoutMs,
      ['retry-after', 'x-ratelimit-reset'],
    );
  }
}
