import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { BaseChannelConfig, Secret } from '../../config/channels.config';
import { IsEmailAddress } from '../../common/patterns';

export class SmtpClientConfig {
  // A host name or an IP address: nothing else (no user:password@) may hide in it.
  @Matches(/^(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\[?[0-9A-Fa-f:.]+\]?)$/, {
    message: 'must be a host name or an IP address',
  })
  host: string;

  @IsOptional() @IsInt() @Min(1) @Max(65535) port: number = 587;

  /** true: implicit TLS (port 465). false: plain, upgraded with STARTTLS when offered. */
  @IsOptional() @IsBoolean() secure?: boolean;

  /** Insist on STARTTLS (fail when the server does not offer it). */
  @IsOptional() @IsBoolean() requireTLS: boolean = false;

  @IsOptional() @IsString() @IsNotEmpty() @Secret() user?: string;
  @IsOptional() @IsString() @IsNotEmpty() @Secret() password?: string;

  /** Verify the server's certificate (turn off only for a self-signed relay you trust). */
  @IsOptional() @IsBoolean() rejectUnauthorized: boolean = true;
}

export class EmailChannelConfig extends BaseChannelConfig {
  @IsIn(['email'])
  type: 'email';

  @ValidateNested()
  @Type(() => SmtpClientConfig)
  smtp: SmtpClientConfig;

  @IsEmailAddress()
  from: string;

  @IsArray()
  @ArrayMinSize(1)
  @IsEmailAddress({ each: true })
  to: string[];
}
