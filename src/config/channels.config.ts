import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
  validateSync,
  ValidationError,
} from 'class-validator';
import { IsDuration } from './duration';
import { IsE164, IsEmailAddress, NAME_PATTERN, NAME_RULE } from '../common/patterns';

// Channel definitions (`channels:` in the YAML): one class per `type`. Every base URL / host is
// configurable so that tests point channels at fakes on 127.0.0.1.

const HTTP_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/;
const HTTP_URL_MESSAGE = 'must be an http(s) URL';

export class RateLimitConfig {
  /** Tokens added per second. */
  @IsNumber()
  @Min(0.001)
  @Max(10_000)
  perSecond: number;

  /** Bucket size: how many messages may go out back to back. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  burst: number = 1;
}

/** Keys every channel type accepts. */
export abstract class BaseChannelConfig {
  abstract type: ChannelType;

  /** Overrides `delivery.rateLimits.<type>`; omit for the type's default. */
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitConfig)
  rateLimit?: RateLimitConfig;

  /** Overrides `delivery.maxAge`: after this a delivery still failing is dead-lettered. */
  @IsOptional()
  @IsDuration('1s')
  maxAge?: string;

  /** Overrides `delivery.timeout`: one attempt's time limit. */
  @IsOptional()
  @IsDuration('100ms')
  timeout?: string;
}

/** A Slack-compatible incoming webhook: its URL and the post overrides both services take. */
abstract class IncomingWebhookChannelConfig extends BaseChannelConfig {
  @Matches(HTTP_URL, { message: HTTP_URL_MESSAGE })
  url: string;

  // Slack: only legacy (custom-integration) webhooks honour these. Mattermost: the server's "override"
  // settings must allow them.
  @IsOptional() @IsString() @IsNotEmpty() channel?: string;
  @IsOptional() @IsString() @IsNotEmpty() username?: string;
  @IsOptional() @IsString() @IsNotEmpty() iconEmoji?: string;
  @IsOptional() @Matches(HTTP_URL, { message: HTTP_URL_MESSAGE }) iconUrl?: string;
}

export class SlackChannelConfig extends IncomingWebhookChannelConfig {
  @IsIn(['slack'])
  type: 'slack';
}

export class MattermostChannelConfig extends IncomingWebhookChannelConfig {
  @IsIn(['mattermost'])
  type: 'mattermost';
}

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
  token: string;

  @Matches(/^[A-Za-z0-9]{20,40}$/, { message: 'must be the user or group key (30 letters and digits)' })
  user: string;

  @IsOptional()
  @Matches(HTTP_URL, { message: HTTP_URL_MESSAGE })
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

export class SignalChannelConfig extends BaseChannelConfig {
  @IsIn(['signal'])
  type: 'signal';

  /** `cli`: run `signal-cli -a ACCOUNT send …` per message; `jsonrpc`: POST to a signal-cli HTTP daemon. */
  @IsOptional()
  @IsIn(['cli', 'jsonrpc'])
  mode: 'cli' | 'jsonrpc' = 'cli';

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  cliPath: string = 'signal-cli';

  /** The daemon's JSON-RPC endpoint, e.g. http://127.0.0.1:8080/api/v1/rpc (`daemon --http`). */
  @IsOptional()
  @Matches(HTTP_URL, { message: HTTP_URL_MESSAGE })
  rpcUrl?: string;

  @IsE164()
  account: string;

  @IsOptional()
  @IsArray()
  @IsE164({ each: true })
  recipients: string[] = [];

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  groupId?: string;
}

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

export class WebhookChannelConfig extends BaseChannelConfig {
  @IsIn(['webhook'])
  type: 'webhook';

  @Matches(HTTP_URL, { message: HTTP_URL_MESSAGE })
  url: string;

  /** Standard Webhooks secret `whsec_<base64 of 24-64 bytes>`; without it requests are not signed. */
  @IsOptional()
  @Matches(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, { message: 'must be whsec_ followed by base64 of 24-64 bytes' })
  secret?: string;

  /** More than 1 sends a JSON array of up to this many deliveries that are ready together. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  batchSize: number = 1;

  /** `notification`: our JSON; `smtp-http-proxy`: remko/smtp-http-proxy's `{envelope, data}`. */
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
  headers: Record<string, string> = {};
}

export const CHANNEL_CLASSES = {
  slack: SlackChannelConfig,
  mattermost: MattermostChannelConfig,
  pushover: PushoverChannelConfig,
  signal: SignalChannelConfig,
  email: EmailChannelConfig,
  webhook: WebhookChannelConfig,
};
export type ChannelType = keyof typeof CHANNEL_CLASSES;
export const CHANNEL_TYPES = Object.keys(CHANNEL_CLASSES) as ChannelType[];

export type ChannelConfig =
  | SlackChannelConfig
  | MattermostChannelConfig
  | PushoverChannelConfig
  | SignalChannelConfig
  | EmailChannelConfig
  | WebhookChannelConfig;

/**
 * Turns the raw `channels:` map into typed configs, one class per `type`, collecting every problem
 * as `channels.<name>.<key>: problem`.
 */
export function parseChannels(
  raw: unknown,
  toProblems: (errors: ValidationError[], parent: string) => string[],
): { channels: Record<string, ChannelConfig>; problems: string[] } {
  const channels: Record<string, ChannelConfig> = {};
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { channels, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { channels, problems: ['channels: must be a mapping of channel name to channel definition'] };
  }
  for (const [name, value] of Object.entries(raw)) {
    const path = `channels.${name}`;
    if (!NAME_PATTERN.test(name)) problems.push(`${path}: the name ${NAME_RULE}`);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${path}: must be a mapping with a type`);
      continue;
    }
    const type = (value as { type?: unknown }).type;
    const cls = typeof type === 'string' ? CHANNEL_CLASSES[type as ChannelType] : undefined;
    if (!cls) {
      problems.push(`${path}.type: must be one of ${CHANNEL_TYPES.join(', ')}`);
      continue;
    }
    const instance = plainToInstance(cls as new () => ChannelConfig, value);
    const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
    problems.push(...toProblems(errors, path));
    if (instance instanceof SignalChannelConfig) {
      if (instance.mode === 'jsonrpc' && !instance.rpcUrl)
        problems.push(`${path}.rpcUrl: required when mode is jsonrpc`);
      if (instance.recipients.length === 0 && !instance.groupId) {
        problems.push(`${path}.recipients: give at least one recipient or a groupId`);
      }
    }
    channels[name] = instance;
  }
  return { channels, problems };
}
