import { IsIn } from 'class-validator';
import { IncomingWebhookChannelConfig } from '../common/incoming-webhook.config';

export class SlackChannelConfig extends IncomingWebhookChannelConfig {
  @IsIn(['slack'])
  type: 'slack';
}
