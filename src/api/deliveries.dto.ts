import { IsStringMap } from '../common/string-map';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  AlertmanagerWebhook,
  MonascaAlarm,
  PagerDutyEvent,
  Operations,
  RouteTestNotification,
  RouteTestRequest,
  Schemas,
  StackStateEnvelope,
} from '../common/api-types';

import { DELIVERY_STATUSES, NOTIFICATION_STATUSES, NotificationStatus, SEVERITIES } from '../domain/notification';
import { IsName } from '../common/patterns';

type ListDeliveriesQuery = NonNullable<Operations['listDeliveries']['parameters']['query']>;

export class ListDeliveriesQueryDto implements ListDeliveriesQuery {
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: Schemas['DeliveryStatus'];

  @IsOptional()
  @IsString()
  @MaxLength(64)
  channel?: string;

  @IsOptional()
  @IsUUID('all')
  digestId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  cursor?: string;
}

export class DeliveryIdParamsDto {
  @IsUUID('all')
  id: string;
}

export class ChannelNameParamsDto {
  @IsName({ message: 'must be a channel name' })
  name: string;
}

export class RouteTestNotificationDto implements RouteTestNotification {
  @IsString() @MaxLength(64) source: string;
  @IsOptional() @IsString() @MaxLength(64) sourceInstance?: string;
  @IsIn(SEVERITIES) severity: Schemas['Severity'];
  @IsOptional() @IsIn(NOTIFICATION_STATUSES) status?: NotificationStatus;
  @IsOptional() @IsString() @MaxLength(64) sourceState?: string;
  @IsString() @MaxLength(1000) title: string;
  @IsOptional() @IsString() @MaxLength(10000) message?: string;
  @IsOptional() @IsString() @MaxLength(1000) host?: string;
  @IsOptional() @IsArray() @IsString({ each: true }) @MaxLength(1000, { each: true }) tags?: string[];
  @IsOptional() @IsStringMap() metadata?: Record<string, string>;
}

export class RouteTestRequestDto implements RouteTestRequest {
  @IsOptional()
  @ValidateNested()
  @Type(() => RouteTestNotificationDto)
  notification?: RouteTestNotificationDto;

  // A source's raw payload: validated by that ingress's own DTO (SignalPreviews), as its endpoint would.
  @IsOptional()
  @IsObject()
  stackstate?: StackStateEnvelope;

  @IsOptional()
  @IsObject()
  monasca?: MonascaAlarm;

  @IsOptional()
  @IsObject()
  alertmanager?: AlertmanagerWebhook;

  @IsOptional()
  @IsObject()
  pagerduty?: PagerDutyEvent;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  sourceInstance?: string;
}
