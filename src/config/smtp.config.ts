import { Type } from 'class-transformer';
import {
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
  MinLength,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { SIGNAL_ACTIONS, SignalAction } from '../domain/alert-signal';
import { SEVERITIES, Severity } from '../domain/notification';
import { IsName } from '../common/patterns';
import { IsCidr } from '../common/cidr';

// `ingress.smtp`: alert e-mail (docs/smtp.md).

function isRegExpSource(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    new RegExp(value, 'u');
    return true;
  } catch {
    return false;
  }
}

function IsRegExpSource(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isRegExpSource',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be a valid JavaScript regular expression (u flag)', ...options },
      validator: { validate: isRegExpSource },
    });
}

export class SmtpUserConfig {
  @IsString()
  @IsNotEmpty()
  username: string;

  @IsString()
  @MinLength(8, { message: 'must be at least 8 characters' })
  password: string;
}

export class SmtpAuthConfig {
  // Off by default: HAProxy's mailers cannot authenticate.
  @IsBoolean()
  required: boolean = false;

  // AUTH over a connection that did not STARTTLS sends the password in clear text.
  @IsBoolean()
  allowInsecure: boolean = false;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SmtpUserConfig)
  users: SmtpUserConfig[] = [];
}

export class SmtpTlsConfig {
  @IsString()
  @IsNotEmpty()
  certFile: string;

  @IsString()
  @IsNotEmpty()
  keyFile: string;
}

export class HaproxyMailConfig {
  @IsBoolean()
  enabled: boolean = true;

  @IsIn(SEVERITIES)
  downSeverity: Severity = 'critical';
}

export class MailRuleMatchConfig {
  @IsOptional()
  @IsRegExpSource()
  from?: string;

  @IsOptional()
  @IsRegExpSource()
  to?: string;

  @IsOptional()
  @IsRegExpSource()
  subject?: string;

  @IsOptional()
  @IsRegExpSource()
  body?: string;

  @IsBoolean()
  ignoreCase: boolean = true;
}

export class MailRuleConfig {
  @IsName()
  name: string;

  @ValidateNested()
  @Type(() => MailRuleMatchConfig)
  match: MailRuleMatchConfig;

  @Matches(/^[a-z0-9_.-]{1,64}$/, { message: 'must be 1-64 lower-case letters, digits, "_", "-" or "."' })
  source: string = 'email';

  @IsString()
  @IsNotEmpty()
  externalId: string;

  @IsIn(SIGNAL_ACTIONS)
  action: SignalAction;

  @IsIn(SEVERITIES)
  severity: Severity = 'warning';

  @IsString()
  @IsNotEmpty()
  title: string = '{subject}';

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  sourceState?: string;

  @IsOptional()
  @IsString()
  host?: string;

  // After a close, does the next open of the same id start a new notification (like Monasca)?
  @IsBoolean()
  reopenAfterClose: boolean = true;
}

export class SmtpIngressConfig {
  @IsBoolean()
  enabled: boolean = true;

  // Checked at connect, before the greeting: anyone else gets 554.
  @IsArray()
  @IsCidr({ each: true })
  allowedClients: string[] = ['127.0.0.1/32', '::1/128'];

  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  maxMessageBytes: number = 1024 * 1024;

  // How much of the raw message is kept in the notification event.
  @IsInt()
  @Min(0)
  @Max(1024 * 1024)
  storedRawBytes: number = 64 * 1024;

  // Greeting and HELO reply name.
  @Matches(/^[A-Za-z0-9.-]{1,253}$/, { message: 'must be a host name' })
  hostname: string = 'alert-relay';

  @IsInt()
  @Min(1)
  @Max(10000)
  maxClients: number = 100;

  // RCPT TO past this many in one transaction get 452 (RFC 5321 asks servers to take at least 100).
  @IsInt()
  @Min(1)
  @Max(10000)
  maxRecipients: number = 100;

  @IsInt()
  @Min(1000)
  socketTimeoutMs: number = 60_000;

  // On shutdown, mails being received get this long to finish; idle sessions get 421 at once.
  @IsInt()
  @Min(0)
  shutdownGraceMs: number = 10_000;

  @IsOptional()
  @ValidateNested()
  @Type(() => SmtpTlsConfig)
  tls?: SmtpTlsConfig;

  @IsOptional()
  @ValidateNested()
  @Type(() => SmtpAuthConfig)
  auth: SmtpAuthConfig = new SmtpAuthConfig();

  @IsOptional()
  @ValidateNested()
  @Type(() => HaproxyMailConfig)
  haproxy: HaproxyMailConfig = new HaproxyMailConfig();

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => MailRuleConfig)
  rules: MailRuleConfig[] = [];
}
