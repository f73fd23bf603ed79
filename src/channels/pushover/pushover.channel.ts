import { defineChannelType } from '../common/channel';
import { PushoverChannelConfig } from './pushover.config';
import { PushoverSender } from './pushover.sender';

export const pushover = defineChannelType({
  type: 'pushover',
  configClass: PushoverChannelConfig,
  // Pushover counts messages against a monthly quota; a page a second is plenty (docs/channels.md).
  defaultRateLimit: { perSecond: 2, burst: 5 },
  sender: PushoverSender,
});
