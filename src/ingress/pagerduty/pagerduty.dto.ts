import { Transform, Type } from 'class-transformer';
import {
  Allow,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  registerDecorator,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PagerDutyEvent, PagerDutyImage, PagerDutyLink, PagerDutyPayload } from '../../common/api-types';
import { codePoints, IsNotBlank, IsTimestamp, MaxCodePoints } from '../common/validators';

// Mirrors components.schemas.PagerDuty* in openapi/openapi.yaml: PagerDuty's Events API v2 alert event
// (docs/sources.md, "PagerDuty Events API v2"). Problems are worded as PagerDuty words them
// ("'payload.summary' is missing or blank") where its wording is known.

export const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];
export const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];

export class PagerDutyPayloadDto implements PagerDutyPayload {
  @IsNotBlank()
  @MaxCodePoints(1024)
  summary: string;

  @IsNotBlank()
  source: string;

  // Alertmanager lower-cases it; other senders may not.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsIn(PAGERDUTY_SEVERITIES, { message: `must be one of ${PAGERDUTY_SEVERITIES.join(', ')}` })
  severity: PagerDutySeverity;

  // Without a zone it says no instant: kept in metadata, not used as the event's time.
  @IsOptional()
  @IsTimestamp(true)
  timestamp?: string;

  @IsOptional() @IsString() component?: string;
  @IsOptional() @IsString() group?: string;
  @IsOptional() @IsString() class?: string;

  // Any JSON: objects, arrays, numbers (Alertmanager 0.30+, Kapacitor).
  @Allow() custom_details?: unknown;
}

export class PagerDutyLinkDto implements PagerDutyLink {
  @IsOptional() @IsString() href?: string;
  @IsOptional() @IsString() text?: string;
}

export class PagerDutyImageDto implements PagerDutyImage {
  @IsOptional() @IsString() src?: string;
  @IsOptional() @IsString() href?: string;
  @IsOptional() @IsString() alt?: string;
}

/** Required and not blank for acknowledge and resolve; a trigger may leave it out (or send ""). */
function IsDedupKey(): PropertyDecorator {
  // Whether it is required is the action's to say: with an unknown action, only the action is reported.
  const problem = (value: unknown, action: unknown): string | null => {
    const required = action === 'acknowledge' || action === 'resolve';
    if (value === undefined || value === null || value === '') return required ? 'is missing or blank' : null;
    if (typeof value !== 'string') return 'must be a string';
    if (required && value.trim() === '') return 'is missing or blank';
    return codePoints(value) > 255 ? 'must be at most 255 characters long' : null;
  };
  const actionOf = (object: object) => (object as { event_action?: unknown }).event_action;
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDedupKey',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown, args) => problem(value, actionOf(args!.object)) === null,
        defaultMessage: (args) => problem(args!.value, actionOf(args!.object)) ?? 'is invalid',
      },
    });
}

export class PagerDutyEventDto implements PagerDutyEvent {
  // Checked by PagerDutyRoutingKeyGuard before anything else (or taken from X-Routing-Key).
  @IsOptional() @IsString() routing_key?: string;

  @IsIn(EVENT_ACTIONS, { message: `must be one of ${EVENT_ACTIONS.join(', ')}` })
  event_action: EventAction;

  @IsDedupKey()
  dedup_key?: string;

  // Required for a trigger. Acknowledge and resolve may carry one (Alertmanager, Checkmk): what parses
  // of it is used, the rest ignored.
  @ValidateIf((event: PagerDutyEventDto) => event.event_action === 'trigger')
  @IsObject({ message: 'is missing or blank' })
  @ValidateNested()
  @Type(() => PagerDutyPayloadDto)
  payload?: PagerDutyPayloadDto;

  @IsOptional() @IsString() client?: string;
  @IsOptional() @IsString() client_url?: string;

  // Kapacitor sends null when there are none.
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PagerDutyLinkDto)
  links?: PagerDutyLinkDto[] | null;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PagerDutyImageDto)
  images?: PagerDutyImageDto[] | null;
}
