import { Type } from 'class-transformer';
import { IsArray, IsIn, IsOptional, IsString, Matches, MinLength, ValidateNested } from 'class-validator';
import { SEVERITIES, Severity } from '../domain/notification';
import { IsName } from '../common/patterns';
import { SmtpIngressConfig } from './smtp.config';
import { AlertmanagerIngressConfig, PagerDutyIngressConfig } from './webhook-ingress.config';

// `ingress`: who may send alerts, and how each source's messages are read (docs/configuration.md).

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

  @IsOptional()
  @ValidateNested()
  @Type(() => AlertmanagerIngressConfig)
  alertmanager: AlertmanagerIngressConfig = new AlertmanagerIngressConfig();

  @IsOptional()
  @ValidateNested()
  @Type(() => PagerDutyIngressConfig)
  pagerduty: PagerDutyIngressConfig = new PagerDutyIngressConfig();
}
