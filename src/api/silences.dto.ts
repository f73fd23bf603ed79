import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsRFC3339,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateNested,
} from 'class-validator';
import { IsOmittable } from '../common/patterns';
import { Matchers, Operations, Schemas, SilenceRequest } from '../common/api-types';
import { MATCH_KEYS, RouteMatchConfig } from '../config/routes.config';
import { SILENCE_STATES } from '../silences/silences.repository';

type ListSilencesQuery = NonNullable<Operations['listSilences']['parameters']['query']>;

const RFC3339 = { message: 'must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z' };

// The limits of a value list (the spec's MatchValues); the route match rules come from RouteMatchConfig.
function MatchValues(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    ArrayMinSize(1)(target, key);
    ArrayMaxSize(100)(target, key);
    MinLength(1, { each: true })(target, key);
    MaxLength(1000, { each: true })(target, key);
  };
}

// The spec's MatchValues: a string, or a list of 1-100 strings, each of 1-1000 characters.
const isMatchValue = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 1000;
const isMatchValues = (v: unknown) =>
  isMatchValue(v) || (Array.isArray(v) && v.length >= 1 && v.length <= 100 && v.every(isMatchValue));

// Metadata matchers with the spec's limits: at most 50 keys, each to MatchValues.
function MetadataMatchValues(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'metadataMatchValues',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: 'must map at most 50 keys each to a string or a list of strings (1-100 strings of 1-1000 characters)',
      },
      validator: {
        validate: (value: unknown) =>
          value === undefined ||
          (value !== null &&
            typeof value === 'object' &&
            !Array.isArray(value) &&
            Object.keys(value).length <= 50 &&
            Object.values(value).every(isMatchValues)),
      },
    });
}

/** A route's `match` as silence matchers, with the API's size limits. */
export class MatchersDto extends RouteMatchConfig implements Matchers {
  @MatchValues() declare source?: string[];
  @MatchValues() declare sourceInstance?: string[];
  @MatchValues() declare tags?: string[];
  @MatchValues() declare host?: string[];
  @MetadataMatchValues() declare metadata?: Record<string, string | string[]>;
}

// Names the first key that is not a match key (the pipe would drop it silently, and the silence would
// then hold more than was asked for) or whose value is null (which the optional rules would take as
// absent, and the answer would echo as a null the spec does not allow).
function HasOnlyMatchKeys(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'hasOnlyMatchKeys',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => matcherProblem(value) === undefined,
        defaultMessage: (args) => matcherProblem(args?.value) ?? 'must be matchers',
      },
    });
}

function matcherProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, matcher] of Object.entries(value)) {
    if (!(MATCH_KEYS as readonly string[]).includes(key)) {
      return `unknown matcher key "${key}" (the keys are ${MATCH_KEYS.join(', ')})`;
    }
    if (matcher === null) return `matcher "${key}" must not be null (leave the key out to match any value)`;
  }
  return undefined;
}

export class SilenceRequestDto implements SilenceRequest {
  @IsObject()
  @HasOnlyMatchKeys()
  @ValidateNested()
  @Type(() => MatchersDto)
  matchers: MatchersDto;

  @IsOmittable()
  @IsRFC3339(RFC3339)
  startsAt?: string;

  @IsRFC3339(RFC3339)
  endsAt: string;

  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  comment: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  createdBy: string;
}

export class ListSilencesQueryDto implements ListSilencesQuery {
  @IsOptional()
  @IsIn(SILENCE_STATES)
  state?: Schemas['SilenceState'];

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200, { message: 'must be at most 200; follow nextCursor for more' })
  limit: number = 50;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class SilenceIdParamsDto {
  @IsUUID('all')
  id: string;
}
