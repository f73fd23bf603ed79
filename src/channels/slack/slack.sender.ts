import { Injectable } from '@nestjs/common';
import { OutgoingMessage } from '../common/channel';
import { incomingWebhookBody, IncomingWebhookSender, IncomingWebhookStyle } from '../common/incoming-webhook';
import { headline, SLACK_MRKDWN } from '../common/text-format';
import { SlackChannelConfig } from './slack.config';

// Slack cuts `text` at 40,000 characters; we stay far below (3,000 per block of text).
const SLACK: IncomingWebhookStyle = {
  format: SLACK_MRKDWN,
  text: (m) => headline(SLACK_MRKDWN, m, 3000),
  bodyMax: 3000,
  timestamp: true,
};

export function slackBody(message: OutgoingMessage, config: SlackChannelConfig) {
  return incomingWebhookBody(SLACK, message, config);
}

@Injectable()
export class SlackSender extends IncomingWebhookSender<SlackChannelConfig> {
  protected readonly style = SLACK;
}
