import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsRFC3339,
  IsString,
  IsUrl,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import {
  AcknowledgeRequest,
  CloseRequest,
  ExternalRefInput,
  ListNotificationsQuery,
  NotificationSort,
  Schemas,
  UnacknowledgeRequest,
} from '../common/api-types';
import { NOTIFICATION_STATUSES, NotificationStatus, SEVERITIES } from '../domain/notification';
import { IsName, IsOmittable } from '../common/patterns';

export const MAX_PAGE_SIZE = 200;
const NOTIFICATION_SORTS: NotificationSort[] = ['-openedAt', 'openedAt', '-updatedAt'];

export class ListNotificationsQueryDto implements ListNotificationsQuery {
  @IsOptional()
  @IsIn(NOTIFICATION_STATUSES)
  status?: NotificationStatus;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  source?: string;

  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Schemas['Severity'];

  // ?tag=a&tag=b arrives as an array, a single ?tag=a as a string.
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(500, { each: true })
  tag?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  externalId?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  host?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @IsOptional()
  @IsRFC3339({ message: 'must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z' })
  openedAfter?: string;

  @IsOptional()
  @IsRFC3339({ message: 'must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z' })
  openedBefore?: string;

  @IsOptional()
  @IsRFC3339({ message: 'must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z' })
  updatedAfter?: string;

  @IsOptional()
  @IsIn(NOTIFICATION_SORTS)
  sort?: NotificationSort;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE}; follow nextCursor for more` })
  limit: number = 50;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class NotificationIdParamsDto {
  @IsUUID('all')
  id: string;
}

export class ExternalRefParamsDto extends NotificationIdParamsDto {
  @IsName()
  system: string;
}

export class ExternalRefInputDto implements ExternalRefInput {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  id: string;

  @IsOmittable()
  @IsUrl({ require_protocol: true, require_tld: false })
  @MaxLength(2000)
  url?: string;
}

export class AcknowledgeRequestDto implements AcknowledgeRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  by: string;

  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class UnacknowledgeRequestDto extends AcknowledgeRequestDto implements UnacknowledgeRequest {}

export class CloseRequestDto implements CloseRequest {
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  by?: string;

  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}
