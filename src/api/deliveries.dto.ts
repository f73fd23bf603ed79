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
import { IsName, IsOmittable } from '../common/patterns';

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
  @IsOmittable() @IsString() @MaxLength(64) sourceInstance?: string;
  @IsIn(SEVERITIES) severity: Schemas['Severity'];
  @IsOmittable() @IsIn(NOTIFICATION_STATUSES) status?: NotificationStatus;
  @IsOmittable() @IsString() @MaxLength(64) sourceState?: string;
  @IsString() @MaxLength(1000) title: string;
  @IsOmittable() @IsString() @MaxLength(10000) message?: string;
  @IsOmittable() @IsString() @MaxLength(1000) host?: string;
  @IsOmittable() @IsArray() @IsString({ each: true }) @MaxLength(1000, { each: true }) tags?: string[];
  @IsOmittable() @IsStringMap() metadata?: Record<string, string>;
}

export class RouteTestRequestDto implements RouteTestRequest {
  @IsOmittable()
  @ValidateNested()
  @Type(() => RouteTestNotificationDto)
  notification?: RouteTestNotificationDto;

  // A source's raw payload: validated by that ingress's own DTO (SignalPreviews), as its endpoint would.
  @IsOmittable()
  @IsObject()
  stackstate?: StackStateEnvelope;

  @IsOmittable()
  @IsObject()
  monasca?: MonascaAlarm;

  @IsOmittable()
  @IsObject()
  alertmanager?: AlertmanagerWebhook;

  @IsOmittable()
  @IsObject()
  pagerduty?: PagerDutyEvent;

  @IsOmittable()
  @IsString()
  @MaxLength(64)
  sourceInstance?: string;
}
