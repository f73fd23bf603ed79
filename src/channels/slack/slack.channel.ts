import { defineChannelType } from '../common/channel';
import { SlackChannelConfig } from './slack.config';
import { SlackSender } from './slack.sender';

export const slack = defineChannelType({
  type: 'slack',
  configClass: SlackChannelConfig,
  // About one message per second per webhook, short bursts allowed (docs/channels.md).
  defaultRateLimit: { perSecond: 1, burst: 3 },
  sender: SlackSender,
});
