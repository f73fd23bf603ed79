import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { BaseChannelConfig, IsHttpUrl, Secret } from '../../config/channels.config';

export class PushoverPrioritiesConfig {
  @IsInt() @Min(-2) @Max(2) critical: number = 1;
  @IsInt() @Min(-2) @Max(2) warning: number = 0;
  @IsInt() @Min(-2) @Max(2) info: number = -1;
  @IsInt() @Min(-2) @Max(2) unknown: number = 0;
  /** Priority of resolved messages. */
  @IsInt() @Min(-2) @Max(2) resolved: number = -1;
}

export class PushoverChannelConfig extends BaseChannelConfig {
  @IsIn(['pushover'])
  type: 'pushover';

  @Matches(/^[A-Za-z0-9]{20,40}$/, { message: 'must be the application token (30 letters and digits)' })
  @Secret()
  token: string;

  @Matches(/^[A-Za-z0-9]{20,40}$/, { message: 'must be the user or group key (30 letters and digits)' })
  @Secret()
  user: string;

  // A proxy in front of Pushover may take a token of its own in the URL.
  @IsOptional()
  @IsHttpUrl()
  @Secret('url')
  apiUrl: string = 'https://api.pushover.net';

  @IsOptional() @IsString() @IsNotEmpty() device?: string;
  @IsOptional() @IsString() @IsNotEmpty() sound?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => PushoverPrioritiesConfig)
  priorities: PushoverPrioritiesConfig = new PushoverPrioritiesConfig();

  /** Priority 2 (emergency) repeats every `emergencyRetry` seconds (≥ 30) until acknowledged or expired. */
  @IsOptional() @IsInt() @Min(30) @Max(10800) emergencyRetry: number = 60;
  @IsOptional() @IsInt() @Min(30) @Max(10800) emergencyExpire: number = 3600;
}
