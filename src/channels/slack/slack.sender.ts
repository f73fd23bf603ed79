import { Injectable } from '@nestjs/common';
import { OutgoingMessage } from '../common/channel';
import { Digest } from '../common/digest';
import { incomingWebhookDigestBody } from '../common/incoming-webhook-digest';
import { incomingWebhookBody, IncomingWebhookSender, IncomingWebhookStyle } from '../common/incoming-webhook';
import { headline, SLACK_MRKDWN } from '../common/text-format';
import { SlackChannelConfig } from './slack.config';

// Slack cuts `text` at 40,000 characters; we stay far below (3,000 per block of text). A digest: a
// bulleted line per notification with the severity in bold, in attachments of 3,000 characters at most,
// the whole message below 40,000.
const SLACK: IncomingWebhookStyle = {
  format: SLACK_MRKDWN,
  text: (m) => headline(SLACK_MRKDWN, m, 3000),
  bodyMax: 3000,
  timestamp: true,
  digest: {
    format: SLACK_MRKDWN,
    lines: { bullet: '• ', strong: (s) => `*${s}*` },
    text: (headline) => headline,
    blockMax: 3000,
    messageMax: 39_000,
    markdownIn: true,
  },
};

export function slackBody(message: OutgoingMessage, config: SlackChannelConfig) {
  return incomingWebhookBody(SLACK, message, config);
}

export function slackDigestBody(digest: Digest, config: SlackChannelConfig) {
  return incomingWebhookDigestBody(SLACK.digest, digest, config);
}

@Injectable()
export class SlackSender extends IncomingWebhookSender<SlackChannelConfig> {
  protected readonly style = SLACK;
}
