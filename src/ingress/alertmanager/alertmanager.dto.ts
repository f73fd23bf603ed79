import { Type } from 'class-transformer';
import {
  Allow,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { AlertmanagerAlert, AlertmanagerWebhook } from '../../common/api-types';
import { IsNumberMapOrNull, IsStringMap, IsTimestamp } from '../common/validators';

// Mirrors components.schemas.AlertmanagerWebhook / AlertmanagerAlert in openapi/openapi.yaml: Alertmanager's
// webhook payload (version 4) and Grafana's webhook contact point (docs/sources.md, "Alertmanager" and
// "Grafana"). Strict where a field decides something (status, labels, times), liberal elsewhere.

export class AlertmanagerAlertDto implements AlertmanagerAlert {
  // Each alert's own status decides open or close, not the message's.
  @IsIn(['firing', 'resolved'])
  status: 'firing' | 'resolved';

  @IsStringMap()
  labels: Record<string, string>;

  @IsOptional()
  @IsStringMap()
  annotations?: Record<string, string>;

  @IsOptional()
  @IsTimestamp(false)
  startsAt?: string;

  // Go's zero time (0001-01-01T00:00:00Z) while the alert fires.
  @IsOptional()
  @IsTimestamp(false)
  endsAt?: string;

  @IsOptional()
  @IsString()
  generatorURL?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  fingerprint?: string;

  // Grafana's per-alert extras.
  @IsOptional() @IsString() silenceURL?: string;
  @IsOptional() @IsString() dashboardURL?: string;
  @IsOptional() @IsString() panelURL?: string;
  @IsOptional() @IsString() imageURL?: string;
  @IsOptional() @IsNumberMapOrNull() values?: Record<string, number> | null;
  @IsOptional() @IsString() valueString?: string;
  @IsOptional() @IsInt() orgId?: number;
  @IsOptional() @IsString() ruleUID?: string;
  // Any JSON (Grafana's alert enrichments); kept in the event's payload only.
  @Allow() enrichments?: unknown;
}

export class AlertmanagerWebhookDto implements AlertmanagerWebhook {
  @IsOptional() @IsString() version?: string;
  @IsOptional() @IsString() groupKey?: string;
  @IsOptional() @IsInt() @Min(0) truncatedAlerts?: number;
  @IsOptional() @IsString() receiver?: string;
  @IsOptional() @IsString() status?: string;
  @IsOptional() @IsStringMap() groupLabels?: Record<string, string>;
  @IsOptional() @IsStringMap() commonLabels?: Record<string, string>;
  @IsOptional() @IsStringMap() commonAnnotations?: Record<string, string>;
  @IsOptional() @IsString() externalURL?: string;
  @IsOptional() @IsString() notification_reason?: string;
  @IsOptional() @IsStringMap() routeLabels?: Record<string, string>;
  // Grafana's message-level extras.
  @IsOptional() @IsInt() orgId?: number;
  @IsOptional() @IsString() title?: string;
  @IsOptional() @IsString() state?: string;
  @IsOptional() @IsString() message?: string;
  @IsOptional() @IsString() appVersion?: string;

  // Without it this is not Alertmanager's payload (a custom `payload` template, an old Grafana).
  @IsArray({ message: 'must be an array (required): this is not an Alertmanager webhook payload' })
  @IsObject({ each: true, message: 'each alert must be an object' })
  @ValidateNested({ each: true })
  @Type(() => AlertmanagerAlertDto)
  alerts: AlertmanagerAlertDto[];
}
