import { IsIn } from 'class-validator';
import { IncomingWebhookChannelConfig } from '../common/incoming-webhook.config';

export class MattermostChannelConfig extends IncomingWebhookChannelConfig {
  @IsIn(['mattermost'])
  type: 'mattermost';
}
