import { plainToInstance, Type } from 'class-transformer';
import {
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  Matches,
  Max,
  Min,
  ValidateNested,
  validateSync,
  ValidationError,
  ValidationOptions,
} from 'class-validator';
import { IsDuration } from './duration';
import { NAME_PATTERN, NAME_RULE } from '../common/patterns';

// What the config knows of channels: the keys every channel type accepts, and how `channels:` and
// `delivery.rateLimits` are checked against the channel types the service was built with. The types
// themselves (their config classes, defaults and senders) live in src/channels/<type>/; the composition
// root hands their list to `loadConfig`, so this layer never imports the channels.

// No user info: `user:password@` in a URL ends up wherever the URL is shown or an error quotes it.
const HTTP_URL = /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/;

/**
 * An http(s) URL without `user:password@` (every base URL is configurable, so that tests point channels
 * at fakes on 127.0.0.1). Credentials go in the fields meant for them (a webhook's `headers`).
 */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return Matches(HTTP_URL, {
    message: 'must be an http(s) URL without user:password@ (put credentials in the fields meant for them)',
    ...options,
  });
}

/** How a secret key holds its secret: a whole value, a URL (its path, query and user info), or a map of them. */
export type SecretKind = 'value' | 'url' | 'map';

const SECRET_KEYS = new WeakMap<object, Map<string, SecretKind>>();

/**
 * Marks a channel config key as secret: its value is never shown, and any text a channel's service
 * answers or an error quotes is cleared of it before it is stored, logged or returned
 * (src/channels/common/redact.ts).
 */
export function Secret(kind: SecretKind = 'value'): PropertyDecorator {
  return (target, propertyName) => {
    const keys = SECRET_KEYS.get(target) ?? new Map<string, SecretKind>();
    keys.set(propertyName as string, kind);
    SECRET_KEYS.set(target, keys);
  };
}

/** The secret keys of a config object's class (and its base classes), with their kinds. */
export function secretKeysOf(instance: object): Map<string, SecretKind> {
  const keys = new Map<string, SecretKind>();
  for (let proto = Object.getPrototypeOf(instance) as object | null; proto; proto = Object.getPrototypeOf(proto)) {
    for (const [key, kind] of SECRET_KEYS.get(proto) ?? []) if (!keys.has(key)) keys.set(key, kind);
  }
  return keys;
}

export class RateLimitConfig {
  /** Tokens added per second. */
  @IsNumber()
  @Min(0.001)
  @Max(10_000)
  perSecond: number;

  /** Bucket size: how many messages may go out back to back. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  burst: number = 1;
}

/** Keys every channel type accepts. */
export abstract class BaseChannelConfig {
  abstract type: string;

  /** Overrides `delivery.rateLimits.<type>`; omit for the type's default. */
  @IsOptional()
  @IsObject({ message: 'must be a mapping {perSecond, burst}' })
  @ValidateNested()
  @Type(() => RateLimitConfig)
  rateLimit?: RateLimitConfig;

  /** Overrides `delivery.maxAge`: after this a delivery still failing is dead-lettered. */
  @IsOptional()
  @IsDuration('1s')
  maxAge?: string;

  /** Overrides `delivery.timeout`: one attempt's time limit. */
  @IsOptional()
  @IsDuration('100ms')
  timeout?: string;
}

/** A problem with one key of a channel entry; the loader prefixes `channels.<name>.`. */
export interface ChannelConfigProblem {
  key: string;
  problem: string;
}

/** What the loader needs of a channel type (src/channels/common/channel.ts `ChannelPlugin` is one). */
export interface ChannelTypeSchema {
  /** The `type:` value in the YAML. */
  readonly type: string;
  readonly configClass: new () => BaseChannelConfig;
  /** `delivery.rateLimits.<type>` when the config does not set it. */
  readonly defaultRateLimit: { perSecond: number; burst: number };
  /** Rules across keys that the decorators cannot state, as `key: problem`. */
  problems?(config: BaseChannelConfig): ChannelConfigProblem[];
}

type ToProblems = (errors: ValidationError[], parent: string) => string[];
const STRICT = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };

/**
 * Turns the raw `channels:` map into typed configs, one class per `type`, collecting every problem
 * as `channels.<name>.<key>: problem`.
 */
export function parseChannels(
  raw: unknown,
  types: readonly ChannelTypeSchema[],
  toProblems: ToProblems,
): { channels: Record<string, BaseChannelConfig>; problems: string[] } {
  const channels: Record<string, BaseChannelConfig> = {};
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { channels, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { channels, problems: ['channels: must be a mapping of channel name to channel definition'] };
  }
  for (const [name, value] of Object.entries(raw)) {
    const path = `channels.${name}`;
    if (!NAME_PATTERN.test(name)) problems.push(`${path}: the name ${NAME_RULE}`);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${path}: must be a mapping with a type`);
      continue;
    }
    const type = (value as { type?: unknown }).type;
    const schema = types.find((t) => t.type === type);
    if (!schema) {
      problems.push(`${path}.type: must be one of ${types.map((t) => t.type).join(', ')}`);
      continue;
    }
    const instance = plainToInstance(schema.configClass, value);
    problems.push(...toProblems(validateSync(instance, STRICT), path));
    for (const p of schema.problems?.(instance) ?? []) problems.push(`${path}.${p.key}: ${p.problem}`);
    channels[name] = instance;
  }
  return { channels, problems };
}

/**
 * `delivery.rateLimits`: one `{perSecond, burst}` per channel type, validated as if each type were a
 * declared key (an unknown type is an `unknown key`); types not given get their default.
 */
export function parseRateLimits(
  raw: unknown,
  types: readonly ChannelTypeSchema[],
  toProblems: ToProblems,
): { rateLimits: Record<string, RateLimitConfig>; problems: string[] } {
  const holder = plainToInstance(rateLimitsHolder(types), { rateLimits: raw ?? {} });
  // With no channel types the inner class has no metadata at all, which forbidUnknownValues refuses.
  const problems = toProblems(validateSync(holder, { ...STRICT, forbidUnknownValues: false }), 'delivery');
  const given = (holder.rateLimits ?? {}) as Record<string, RateLimitConfig | null | undefined>;
  const rateLimits: Record<string, RateLimitConfig> = {};
  for (const t of types) {
    const value = given[t.type];
    if (Array.isArray(value)) problems.push(`delivery.rateLimits.${t.type}: must be a mapping {perSecond, burst}`);
    rateLimits[t.type] =
      value instanceof RateLimitConfig ? value : Object.assign(new RateLimitConfig(), t.defaultRateLimit);
  }
  return { rateLimits, problems };
}

// `{ rateLimits: { <type>: RateLimitConfig, … } }` as classes, so that class-validator words the
// problems exactly as it does for every other key of the file.
function rateLimitsHolder(types: readonly ChannelTypeSchema[]) {
  class RateLimits {}
  for (const t of types) {
    IsOptional()(RateLimits.prototype, t.type);
    ValidateNested()(RateLimits.prototype, t.type);
    Type(() => RateLimitConfig)(RateLimits.prototype, t.type);
  }
  class Holder {
    rateLimits: RateLimits;
  }
  ValidateNested()(Holder.prototype, 'rateLimits');
  Type(() => RateLimits)(Holder.prototype, 'rateLimits');
  return Holder;
}
