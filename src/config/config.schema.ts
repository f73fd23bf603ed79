import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

// The YAML file's shape (DESIGN §3). Every class here is validated at boot; unknown keys are errors so
// that a typo in a key path is caught instead of silently ignored.

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const NAME_MESSAGE = 'must be 1-64 letters, digits, "_", "-" or "."';

export class StackStateTokenConfig {
  @Matches(NAME, { message: NAME_MESSAGE })
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

export const SEVERITIES = ['critical', 'warning', 'info', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

export class MonascaKeyConfig {
  @Matches(NAME, { message: NAME_MESSAGE })
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

export class IngressConfig {
  @IsOptional()
  @ValidateNested()
  @Type(() => StackStateIngressConfig)
  stackstate: StackStateIngressConfig = new StackStateIngressConfig();

  @IsOptional()
  @ValidateNested()
  @Type(() => MonascaIngressConfig)
  monasca: MonascaIngressConfig = new MonascaIngressConfig();
}

export const API_SCOPES = ['read', 'write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export class ApiKeyConfig {
  @Matches(NAME, { message: NAME_MESSAGE })
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
}

export class EnvironmentConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  port: number;

  @IsString()
  @IsNotEmpty()
  host: string;

  @IsOptional()
  @IsString()
  databaseUrl?: string;

  @IsString()
  @IsNotEmpty()
  dataDir: string;

  @IsString()
  @IsNotEmpty()
  configPath: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  logLevel: string;
}
