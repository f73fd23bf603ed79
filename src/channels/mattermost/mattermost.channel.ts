import { defineChannelType } from '../common/channel';
import { MattermostChannelConfig } from './mattermost.config';
import { MattermostSender } from './mattermost.sender';

export const mattermost = defineChannelType({
  type: 'mattermost',
  configClass: MattermostChannelConfig,
  // The server's own limiter is off by default, 10/s with bursts when on (docs/channels.md).
  defaultRateLimit: { perSecond: 10, burst: 20 },
  sender: MattermostSender,
});
