import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { BaseChannelConfig, IsHttpUrl, Secret } from '../../config/channels.config';

/** A Slack-compatible incoming webhook: its URL and the post overrides both services take. */
export abstract class IncomingWebhookChannelConfig extends BaseChannelConfig {
  // The webhook's key is its path.
  @IsHttpUrl()
  @Secret('url')
  url: string;

  // Slack: only legacy (custom-integration) webhooks honour these. Mattermost: the server's "override"
  // settings must allow them.
  @IsOptional() @IsString() @IsNotEmpty() channel?: string;
  @IsOptional() @IsString() @IsNotEmpty() username?: string;
  @IsOptional() @IsString() @IsNotEmpty() iconEmoji?: string;
  @IsOptional() @IsHttpUrl() iconUrl?: string;
}
