import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsName } from '../common/patterns';
import { IsCidr } from '../common/cidr';
import { AuthFailureLimit } from '../common/auth-failures';
import { BaseChannelConfig } from './channels.config';
import { DeliveryConfig } from './delivery.config';
import { IngressConfig } from './ingress.config';
import { MaintenanceWindowConfig } from './maintenance.config';
import { HostConfig, RouteConfig } from './routes.config';

// The YAML file's shape (docs/configuration.md), one file per section; every class is validated at boot;
// unknown keys are errors so that a typo in a key path is caught instead of silently ignored.

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

  // Proxies (addresses or CIDR blocks) whose X-Forwarded-For names the client: what the
  // authentication failure limit counts by. Empty: the peer address.
  @IsArray()
  @IsCidr({ each: true })
  trustProxy: string[] = [];
}

/** `metrics`: who may read /metrics. */
export class MetricsConfig {
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  token?: string;
}

/** `authFailures`: how fast one client may fail to authenticate (HTTP guards and SMTP AUTH). */
export class AuthFailuresConfig implements AuthFailureLimit {
  @IsInt()
  @Min(1)
  @Max(100_000)
  burst: number = 10;

  @IsNumber()
  @Min(0.001)
  @Max(10_000)
  perSecond: number = 1;

  @IsInt()
  @Min(100)
  @Max(10_000_000)
  maxClients: number = 100_000;
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

  @IsOptional()
  @ValidateNested()
  @Type(() => AuthFailuresConfig)
  authFailures: AuthFailuresConfig = new AuthFailuresConfig();

  @IsOptional()
  @ValidateNested()
  @Type(() => MetricsConfig)
  metrics: MetricsConfig = new MetricsConfig();

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

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => MaintenanceWindowConfig)
  maintenance: MaintenanceWindowConfig[] = [];
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

  // Every query's server statement_timeout (the client waits 2 s more); docs/production.md.
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  databaseStatementTimeoutMs: number;

  @IsString()
  @IsNotEmpty()
  dataDir: string;

  @IsString()
  @IsNotEmpty()
  configPath: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  logLevel: string;

  // HTTP+SMTP worker processes sharing the ports (node:cluster); more than 1 needs DATABASE_URL.
  @IsInt()
  @Min(1)
  @Max(64)
  workers: number;
}
