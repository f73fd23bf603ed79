import { Injectable } from '@nestjs/common';
import { OutgoingMessage } from '../common/channel';
import { incomingWebhookBody, IncomingWebhookSender, IncomingWebhookStyle } from '../common/incoming-webhook';
import { headline, MATTERMOST_MARKDOWN } from '../common/text-format';
import { MattermostChannelConfig } from './mattermost.config';

// Mattermost splits posts above 16,383 characters: the whole message stays below that.
const MATTERMOST: IncomingWebhookStyle = {
  format: MATTERMOST_MARKDOWN,
  text: (m) => `**${headline(MATTERMOST_MARKDOWN, m, 996)}**`,
  bodyMax: 8000,
  timestamp: false,
};

export function mattermostBody(message: OutgoingMessage, config: MattermostChannelConfig) {
  return incomingWebhookBody(MATTERMOST, message, config);
}

@Injectable()
export class MattermostSender extends IncomingWebhookSender<MattermostChannelConfig> {
  protected readonly style = MATTERMOST;
  // Its rate limiter (off by default) also says when to come back in X-RateLimit-Reset.
  protected override readonly retryAfterHeaders = ['retry-after', 'x-ratelimit-reset'];
}
