import { Injectable } from '@nestjs/common';
import { OutgoingMessage } from '../common/channel';
import { Digest } from '../common/digest';
import { incomingWebhookDigestBody } from '../common/incoming-webhook-digest';
import { incomingWebhookBody, IncomingWebhookSender, IncomingWebhookStyle } from '../common/incoming-webhook';
import { headline, MATTERMOST_MARKDOWN } from '../common/text-format';
import { MattermostChannelConfig } from './mattermost.config';

// Mattermost splits posts above 16,383 characters: the whole message stays below that, a digest too (a
// Markdown list, the severity in bold, in attachments of 8,000 characters at most, 16,000 in all).
const MATTERMOST: IncomingWebhookStyle = {
  format: MATTERMOST_MARKDOWN,
  text: (m) => `**${headline(MATTERMOST_MARKDOWN, m, 996)}**`,
  bodyMax: 8000,
  timestamp: false,
  digest: {
    format: MATTERMOST_MARKDOWN,
    lines: { bullet: '- ', strong: (s) => `**${s}**` },
    text: (headline) => `**${headline}**`,
    blockMax: 8000,
    messageMax: 16_000,
    markdownIn: false,
  },
};

export function mattermostBody(message: OutgoingMessage, config: MattermostChannelConfig) {
  return incomingWebhookBody(MATTERMOST, message, config);
}

export function mattermostDigestBody(digest: Digest, config: MattermostChannelConfig) {
  return incomingWebhookDigestBody(MATTERMOST.digest, digest, config);
}

@Injectable()
export class MattermostSender extends IncomingWebhookSender<MattermostChannelConfig> {
  protected readonly style = MATTERMOST;
  // Its rate limiter (off by default) also says when to come back in X-RateLimit-Reset.
  protected override readonly retryAfterHeaders = ['retry-after', 'x-ratelimit-reset'];
}
