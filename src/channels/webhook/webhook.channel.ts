import { defineChannelType } from '../common/channel';
import { WebhookChannelConfig } from './webhook.config';
import { WebhookSender } from './webhook.sender';

export const webhook = defineChannelType({
  type: 'webhook',
  configClass: WebhookChannelConfig,
  // Our own receivers: limited by what they answer (429, Retry-After), not by a guess here.
  defaultRateLimit: { perSecond: 1000, burst: 1000 },
  sender: WebhookSender,
});
