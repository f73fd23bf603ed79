import { Transform, Type } from 'class-transformer';
import { plainToInstance } from '../../common/plain-to-instance';
import {
  Equals,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  Schemas,
  StackStateOpenEvent,
  StackStateCloseEvent,
  StackStateMonitor,
  StackStateComponent,
  StackStateNotificationConfiguration,
  StackStateEnvelope,
} from '../../common/api-types';
import { IsStringArrayOrStringMap, IsStringMap, MAX_EPOCH_MS } from '../common/validators';

// Mirrors components.schemas.StackState* in openapi/openapi.yaml (upstream spec_webhook/webhook.api.yaml;
// docs/sources.md, "StackState").

const OPEN_STATES = ['DEVIATING', 'CRITICAL'] as const;
const CLOSE_REASONS = [
  'ConfigRemoved',
  'ConfigChanged',
  'ComponentRemoved',
  'ComponentChanged',
  'HealthStateResolved',
  'ChannelRemoved',
] as const;

export class StackStateOpenEventDto implements StackStateOpenEvent {
  @Equals('open')
  type: 'open';

  @IsIn(OPEN_STATES)
  state: Schemas['StackStateOpenEvent']['state'];

  @IsString()
  title: string;

  @IsInt()
  @Min(0)
  @Max(MAX_EPOCH_MS)
  triggeredTimeMs: number;

  @IsOptional()
  @IsString()
  reason?: string;
}

export class StackStateCloseEventDto implements StackStateCloseEvent {
  @Equals('close')
  type: 'close';

  @IsIn(CLOSE_REASONS)
  reason: Schemas['StackStateCloseEvent']['reason'];
}

/** Stands in for an event whose `type` is neither `open` nor `close`, so the error names `event.type`. */
class UnknownStackStateEventDto {
  @IsIn(['open', 'close'])
  type: unknown;
}

export class StackStateMonitorDto implements StackStateMonitor {
  @IsString()
  name: string;

  @IsOptional()
  @IsString()
  identifier?: string;

  @IsOptional()
  @IsString()
  link?: string;

  @IsStringArrayOrStringMap()
  tags: string[] | Record<string, string>;
}

export class StackStateComponentDto implements StackStateComponent {
  @IsString()
  identifier: string;

  @IsString()
  link: string;

  @IsString()
  name: string;

  @IsString()
  type: string;

  @IsStringArrayOrStringMap()
  tags: string[] | Record<string, string>;
}

export class StackStateNotificationConfigurationDto implements StackStateNotificationConfiguration {
  @IsString()
  name: string;

  @IsOptional()
  @IsString()
  identifier?: string;

  @IsOptional()
  @IsString()
  link?: string;
}

export class StackStateEnvelopeDto implements StackStateEnvelope {
  @IsUUID('all')
  notificationId: string;

  @IsObject({ message: 'must be an object (required)' })
  @ValidateNested()
  @Transform(({ value }) => toEvent(value), { toClassOnly: true })
  event: StackStateOpenEventDto | StackStateCloseEventDto;

  @IsObject({ message: 'must be an object (required)' })
  @ValidateNested()
  @Type(() => StackStateMonitorDto)
  monitor: StackStateMonitorDto;

  @IsObject({ message: 'must be an object (required)' })
  @ValidateNested()
  @Type(() => StackStateComponentDto)
  component: StackStateComponentDto;

  @IsObject({ message: 'must be an object (required)' })
  @ValidateNested()
  @Type(() => StackStateNotificationConfigurationDto)
  notificationConfiguration: StackStateNotificationConfigurationDto;

  // Required upstream; servers of December 2023 sent the same map as `tags` (docs/sources.md, "StackState").
  // Checked whenever it is there, whether or not `tags` is too.
  @ValidateIf((envelope: StackStateEnvelopeDto) => envelope.tags === undefined || envelope.metadata !== undefined)
  @IsDefined({ message: 'is required (or its older name, tags)' })
  @IsStringMap()
  metadata?: Record<string, string>;

  // Not IsOptional: that would let null through, and null would then stand in for the metadata.
  @ValidateIf((envelope: StackStateEnvelopeDto) => envelope.tags !== undefined)
  @IsStringMap()
  tags?: Record<string, string>;
}

function toEvent(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  switch ((value as { type?: unknown }).type) {
    case 'open':
      return plainToInstance(StackStateOpenEventDto, value);
    case 'close':
      return plainToInstance(StackStateCloseEventDto, value);
    default:
      return plainToInstance(UnknownStackStateEventDto, value);
  }
}
