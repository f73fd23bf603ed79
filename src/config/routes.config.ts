import { Transform, Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateNested,
} from 'class-validator';
import { IsDuration } from './duration';
import { NOTIFICATION_STATUSES, NotificationStatus, SEVERITIES, Severity } from '../domain/notification';
import { IsName } from '../common/patterns';

// `routes` and `hosts`: which channels a notification goes to (docs/delivery.md).

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
  @IsOptional() @IsMetadataMatch() metadata?: Record<string, string | string[]>;
  /** Component name, HAProxy `backend/server`, Monasca `hostname` dimension. */
  @IsOptional() @Transform(toList) @IsArray() @IsString({ each: true }) host?: string[];
}

/** The keys a `match` (a route's, a maintenance window's, a silence's matchers) may have. */
export const MATCH_KEYS = ['source', 'sourceInstance', 'severity', 'status', 'tags', 'metadata', 'host'] as const;

/** Whether a match has at least one key: one without any matches every notification. */
export function isEmptyMatch(match: RouteMatchConfig): boolean {
  return MATCH_KEYS.every((key) => match[key] === undefined);
}

// A mapping of metadata key to a pattern or a list of patterns; anything else would reach the glob.
function IsMetadataMatch() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isMetadataMatch',
      target: object.constructor,
      propertyName,
      options: { message: 'must map each metadata key to a string or a list of strings' },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.values(value).every(
            (v) => typeof v === 'string' || (Array.isArray(v) && v.every((item) => typeof item === 'string')),
          ),
      },
    });
}

/**
 * What a group key may be made of: the match keys of a route, one metadata key (`metadata.<key>`) or the
 * component tags that start with a prefix (`tag:<prefix>`). docs/noise-control.md.
 */
export const GROUP_BY_PATTERN = /^(source|sourceInstance|severity|host|status|metadata\.\S+|tag:\S+)$/;

/** `group:` on a route: its changes go out as digests, one per group and channel (docs/noise-control.md). */
export class RouteGroupConfig {
  /** The notification fields that make the group key; `[]` makes one group per route. */
  @IsOptional()
  @IsArray()
  @ArrayUnique({ message: 'must not name a key twice' })
  @Matches(GROUP_BY_PATTERN, {
    each: true,
    message: 'each must be one of source, sourceInstance, severity, host, status, metadata.<key>, tag:<prefix>',
  })
  by: string[] = [];

  /** How long the first change of a new group waits for others. */
  @IsOptional()
  @IsDuration('0ms')
  wait: string = '30s';

  /** How long a group that has sent waits after its last digest before the next one. */
  @IsOptional()
  @IsDuration('100ms')
  interval: string = '5m';

  /** Lines listed in a digest; the rest are counted ("… and N more"). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  maxItems: number = 50;
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

  /** Send this route's changes as digests per group instead of one message each. */
  @IsOptional()
  @ValidateNested()
  @Type(() => RouteGroupConfig)
  group?: RouteGroupConfig;
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
