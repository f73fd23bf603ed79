import { IsIn, IsInt, IsObject, IsOptional, Matches, Max, Min } from 'class-validator';
import { BaseChannelConfig, IsHttpUrl, Secret } from '../../config/channels.config';
import { IsEmailAddress } from '../../common/patterns';

export class WebhookChannelConfig extends BaseChannelConfig {
  @IsIn(['webhook'])
  type: 'webhook';

  @IsHttpUrl()
  @Secret('url')
  url: string;

  /** Standard Webhooks secret `whsec_<base64 of 24-64 bytes>`; without it requests are not signed. */
  @IsOptional()
  @Matches(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, { message: 'must be whsec_ followed by base64 of 24-64 bytes' })
  @Secret()
  secret?: string;

  /** More than 1 sends a JSON array of up to this many deliveries that are ready together. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  batchSize: number = 1;

  /** `notification`: our JSON; `smtp-http-proxy`: `{envelope, data}` for a mail gateway (docs/channels.md). */
  @IsOptional()
  @IsIn(['notification', 'smtp-http-proxy'])
  format: 'notification' | 'smtp-http-proxy' = 'notification';

  /** `smtp-http-proxy` format: the envelope sender and recipient the receiver sees. */
  @IsOptional()
  @IsEmailAddress()
  mailFrom: string = 'alert-relay@localhost';

  @IsOptional()
  @IsEmailAddress()
  mailTo: string = 'alerts@localhost';

  /** Extra request headers (e.g. an x-api-key the receiver checks). */
  @IsOptional()
  @IsObject()
  @Secret('map')
  headers: Record<string, string> = {};
}
