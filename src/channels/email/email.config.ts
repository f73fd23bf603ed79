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
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { BaseChannelConfig } from '../../config/channels.config';
import { IsEmailAddress } from '../../common/patterns';

export class SmtpClientConfig {
  @IsString()
  @IsNotEmpty()
  host: string;

  @IsOptional() @IsInt() @Min(1) @Max(65535) port: number = 587;

  /** true: implicit TLS (port 465). false: plain, upgraded with STARTTLS when offered. */
  @IsOptional() @IsBoolean() secure?: boolean;

  /** Insist on STARTTLS (fail when the server does not offer it). */
  @IsOptional() @IsBoolean() requireTLS: boolean = false;

  @IsOptional() @IsString() @IsNotEmpty() user?: string;
  @IsOptional() @IsString() @IsNotEmpty() password?: string;

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
