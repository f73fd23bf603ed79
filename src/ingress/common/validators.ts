import { ValidationOptions, registerDecorator } from 'class-validator';
import { parseTimestamp } from './timestamps';

export { IsStringMap } from '../../common/string-map';

/** A property decorator that checks one rule and says `message` when it fails. */
function rule(name: string, message: string, validate: (value: unknown) => boolean) {
  return (options?: ValidationOptions): PropertyDecorator =>
    (target, propertyName) =>
      registerDecorator({
        name,
        target: target.constructor,
        propertyName: propertyName as string,
        options: { message, ...options },
        validator: { validate },
      });
}

function isMapOf(value: unknown, isValue: (v: unknown) => boolean): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every(isValue);
}
const isString = (v: unknown) => typeof v === 'string';

/**
 * The latest source time taken: the end of the year 9999. A JavaScript Date goes further (275760),
 * but such a date's ISO form (+097247-…) is no timestamp PostgreSQL reads.
 */
export const MAX_EPOCH_MS = 253_402_300_799_999;

/** An array of strings, or (older StackState servers) an object of strings. */
export const IsStringArrayOrStringMap = rule(
  'isStringArrayOrStringMap',
  'must be an array of strings (or an object of strings)',
  (value) => (Array.isArray(value) && value.every(isString)) || isMapOf(value, isString),
);

/** A string, or a whole number (Monasca's test fixture sends `alarm_definition_id: 0`). */
export const IsStringOrInteger = rule(
  'isStringOrInteger',
  'must be a string or an integer',
  (value) => typeof value === 'string' || Number.isInteger(value),
);

/** An object whose values are all finite numbers, or null (Grafana's `values`). */
export const IsNumberMapOrNull = rule(
  'isNumberMapOrNull',
  'must be null or an object whose values are all numbers',
  (value) => value === null || isMapOf(value, (v) => typeof v === 'number' && Number.isFinite(v)),
);

/** Characters as JSON Schema's maxLength counts them (code points), not UTF-16 units. */
export function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** At most `max` characters (code points, as the spec's maxLength counts) when it is a string. */
export function MaxCodePoints(max: number, options?: ValidationOptions): PropertyDecorator {
  // Only the length: pair it with a validator of the type.
  return rule(
    'maxCodePoints',
    `must be at most ${max} characters long`,
    (value) => typeof value !== 'string' || codePoints(value) <= max,
  )(options);
}

/** A string with something besides white space; "is missing or blank" otherwise (PagerDuty's words). */
export const IsNotBlank = rule(
  'isNotBlank',
  'is missing or blank',
  (value) => typeof value === 'string' && value.trim().length > 0,
);

/**
 * An ISO 8601 date-time (timestamps.ts). `allowNoZone`: a local time without zone passes too (the caller
 * then ignores it); Go's zero time passes as an instant (the caller reads it as "not set").
 */
export function IsTimestamp(allowNoZone: boolean, options?: ValidationOptions): PropertyDecorator {
  return rule('isTimestamp', 'must be an ISO 8601 date-time with a zone, e.g. 2026-12-01T23:20:39Z', (value) => {
    if (typeof value !== 'string') return false;
    const { kind } = parseTimestamp(value);
    return kind === 'instant' || (allowNoZone && kind === 'no-zone');
  })(options);
}
