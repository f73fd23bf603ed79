import { isIP } from 'node:net';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  ArrayUnique,
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
  MinLength,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { BaseChannelConfig, RateLimitConfig } from './channels.config';
import { IsDuration } from './duration';
import { SIGNAL_ACTIONS, SignalAction } from '../domain/alert-signal';
import { NOTIFICATION_STATUSES, NotificationStatus, SEVERITIES, Severity } from '../domain/notification';
import { IsName } from '../common/patterns';

// The YAML file's shape (docs/configuration.md). Every class here is validated at boot; unknown keys are errors so
// that a typo in a key path is caught instead of silently ignored.

export class StackStateTokenConfig {
  @IsName()
  name: string;

  @IsString()
  @MinLength(8, { message: 'must be at least 8 characters' })
  token: string;
}

export class StackStateIngressConfig {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => StackStateTokenConfig)
  tokens: StackStateTokenConfig[] = [];
}

export class MonascaKeyConfig {
  @IsName()
  name: string;

  // The key travels in the URL path (Monasca's webhook plugin sends no secret header).
  @Matches(/^[A-Za-z0-9_-]{16,256}$/, { message: 'must be 16-256 URL-safe characters (A-Z a-z 0-9 _ -)' })
  key: string;

  // Monasca's webhook body carries no severity; ALARM maps to this one.
  @IsOptional()
  @IsIn(SEVERITIES)
  alarmSeverity?: Severity;
}

export class MonascaIngressConfig {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => MonascaKeyConfig)
  keys: MonascaKeyConfig[] = [];
}

/** `a.b.c.d/n` or `x:y::z/n`; a bare address means that one host. */
export function isCidr(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const [address, bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

function IsCidr(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCidr',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'each value must be an IP address or CIDR block like 10.0.0.0/8 or ::1/128', ...options },
      validator: { validate: isCidr },
    });
}

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

export class IngressConfig {
  @IsOptional()
  @ValidateNested()
  @Type(() => StackStateIngressConfig)
  stackstate: StackStateIngressConfig = new StackStateIngressConfig();

  @IsOptional()
  @ValidateNested()
  @Type(() => MonascaIngressConfig)
  monasca: MonascaIngressConfig = new MonascaIngressConfig();

  @IsOptional()
  @ValidateNested()
  @Type(() => SmtpIngressConfig)
  smtp: SmtpIngressConfig = new SmtpIngressConfig();
}

export const API_SCOPES = ['read', 'write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export class ApiKeyConfig {
  @IsName()
  name: string;

  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  key: string;

  @IsArray()
  @ArrayUnique()
  @IsIn(API_SCOPES, { each: true })
  scopes: ApiScope[] = ['read'];
}

export class ApiConfig {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ApiKeyConfig)
  keys: ApiKeyConfig[] = [];
}

export class HttpConfig {
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  bodyLimitBytes: number = 1024 * 1024;
}

// A single value or a list; a list matches when any of its values does.
const toList = ({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value);

/**
 * What a route matches. Every given key must match (AND); a key's list matches when any value does
 * (OR). Values may use `*` as a wildcard (`prod-web-*`, `cluster-name:prod-*`).
 */
export class RouteMatchConfig {
  @IsOptional() @Transform(toList) @IsArray() @IsString({ each: true }) source?: string[];
  @IsOptional() @Transform(toList) @IsArray() @IsString({ each: true }) sourceInstance?: string[];
  @IsOptional() @Transform(toList) @IsArray() @IsIn(SEVERITIES, { each: true }) severity?: Severity[];
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @IsIn(NOTIFICATION_STATUSES, { each: true })
  status?: NotificationStatus[];
  /** Component tags (`key:value`); every listed tag must be present. */
  @IsOptional() @Transform(toList) @IsArray() @IsString({ each: true }) tags?: string[];
  /** Metadata key -> value (or list of values, or `*` for "present"); every key must match. */
  @IsOptional() @IsObject() metadata?: Record<string, string | string[]>;
  /** Component name, HAProxy `backend/server`, Monasca `hostname` dimension. */
  @IsOptional() @Transform(toList) @IsArray() @IsString({ each: true }) host?: string[];
}

export class RouteConfig {
  @IsOptional()
  @IsName()
  name?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => RouteMatchConfig)
  match: RouteMatchConfig = new RouteMatchConfig();

  @IsArray()
  @ArrayUnique()
  @IsString({ each: true })
  channels: string[] = [];

  /** Keep evaluating the routes after this one when it matches. */
  @IsOptional()
  @IsBoolean()
  continue: boolean = false;

  /** Re-send still-open notifications to this route's channels this often. */
  @IsOptional()
  @IsDuration('1s')
  remindEvery?: string;
}

/** `hosts:` sugar: one route per host, evaluated after `routes`. */
export class HostConfig {
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsString({ each: true })
  notification_channels?: string[];

  @IsOptional()
  @IsDuration('1s')
  remindEvery?: string;
}

export class BackoffConfig {
  /** First retry delay; doubles per attempt, ±jitter. */
  @IsOptional() @IsDuration('1ms') base: string = '5s';
  @IsOptional() @IsDuration('1ms') max: string = '30m';
  /** ± fraction of the delay (0.2 = ±20%). */
  @IsOptional() @IsNumber() @Min(0) @Max(1) jitter: number = 0.2;
}

export class CircuitBreakerConfig {
  /** Consecutive failed attempts that open the circuit of a channel. */
  @IsOptional() @IsInt() @Min(1) @Max(1000) failureThreshold: number = 5;
  /** How long an open circuit holds that channel's deliveries before one probe is let through. */
  @IsOptional() @IsDuration('10ms') openFor: string = '30s';
}

export class DeliveryConfig {
  /** Concurrent sends per process. */
  @IsOptional() @IsInt() @Min(1) @Max(1000) concurrency: number = 16;
  /** How long a claimed delivery stays leased; a crashed worker's claims come back after it. */
  @IsOptional() @IsDuration('1s') lease: string = '60s';
  /** One attempt's time limit (the lease must outlast it). */
  @IsOptional() @IsDuration('100ms') timeout: string = '15s';
  /** A delivery still failing after this is dead-lettered. */
  @IsOptional() @IsDuration('1s') maxAge: string = '24h';
  /** Fallback poll; workers are woken at once on new work and at each retry's due time. */
  @IsOptional() @IsDuration('10ms') pollInterval: string = '5s';
  /** On shutdown, in-flight sends get this long before their leases are released. */
  @IsOptional() @IsDuration('0ms') shutdownGrace: string = '10s';
  /** How often open notifications are checked for due reminders. */
  @IsOptional() @IsDuration('100ms') reminderInterval: string = '30s';
  /** Off: this process only enqueues (another replica sends). */
  @IsOptional() @IsBoolean() workers: boolean = true;

  @IsOptional() @ValidateNested() @Type(() => BackoffConfig) backoff: BackoffConfig = new BackoffConfig();
  @IsOptional()
  @ValidateNested()
  @Type(() => CircuitBreakerConfig)
  circuitBreaker: CircuitBreakerConfig = new CircuitBreakerConfig();
  /** `{perSecond, burst}` per channel type; checked against the channel types in config.loader (parseRateLimits). */
  @Allow()
  rateLimits: Record<string, RateLimitConfig> = {};
}

export class AppConfigFile {
  @IsOptional()
  @ValidateNested()
  @Type(() => HttpConfig)
  http: HttpConfig = new HttpConfig();

  @IsOptional()
  @ValidateNested()
  @Type(() => IngressConfig)
  ingress: IngressConfig = new IngressConfig();

  @IsOptional()
  @ValidateNested()
  @Type(() => ApiConfig)
  api: ApiConfig = new ApiConfig();

  // Parsed by type in config.loader (parseChannels), so each channel is validated by its own class.
  @IsOptional()
  @IsObject()
  channels: Record<string, BaseChannelConfig> = {};

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RouteConfig)
  routes: RouteConfig[] = [];

  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsString({ each: true })
  defaultChannels: string[] = [];

  // Validated entry by entry in config.loader (host names are free-form keys).
  @IsOptional()
  @IsObject()
  hosts: Record<string, HostConfig> = {};

  @IsOptional()
  @ValidateNested()
  @Type(() => DeliveryConfig)
  delivery: DeliveryConfig = new DeliveryConfig();
}

export class EnvironmentConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  port: number;

  @IsString()
  @IsNotEmpty()
  host: string;

  // 0 picks a free port (tests).
  @IsInt()
  @Min(0)
  @Max(65535)
  smtpPort: number;

  @IsOptional()
  @IsString()
  databaseUrl?: string;

  // Connections to DATABASE_URL per process; the embedded database sets its own.
  @IsInt()
  @Min(2)
  @Max(500)
  databasePoolSize: number;

  @IsString()
  @IsNotEmpty()
  dataDir: string;

  @IsString()
  @IsNotEmpty()
  configPath: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  logLevel: string;
}
