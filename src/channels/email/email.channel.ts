import { defineChannelType } from '../common/channel';
import { EmailChannelConfig } from './email.config';
import { EmailSender } from './email.sender';

export const email = defineChannelType({
  type: 'email',
  configClass: EmailChannelConfig,
  // One SMTP connection per mail; relays throttle senders that open many at once.
  defaultRateLimit: { perSecond: 5, burst: 10 },
  sender: EmailSender,
});
