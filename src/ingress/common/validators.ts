import { ValidationOptions, registerDecorator } from 'class-validator';
import { parseTimestamp } from './timestamps';

/** The largest time a JavaScript Date (and so the API) can represent. */
export const MAX_EPOCH_MS = 8.64e15;

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

/** An object whose values are all strings (`additionalProperties: {type: string}`). */
export function IsStringMap(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an object whose values are all strings', ...options },
      validator: { validate: isStringMap },
    });
}

/** An array of strings, or (older StackState servers) an object of strings. */
export function IsStringArrayOrStringMap(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStringArrayOrStringMap',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an array of strings (or an object of strings)', ...options },
      validator: {
        validate: (value: unknown) =>
          (Array.isArray(value) && value.every((v) => typeof v === 'string')) || isStringMap(value),
      },
    });
}

/** A string, or a whole number (Monasca's test fixture sends `alarm_definition_id: 0`). */
export function IsStringOrInteger(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStringOrInteger',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be a string or an integer', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' || Number.isInteger(value) },
    });
}

/** An object whose values are all finite numbers, or null (Grafana's `values`). */
export function IsNumberMapOrNull(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNumberMapOrNull',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be null or an object whose values are all numbers', ...options },
      validator: {
        validate: (value: unknown) =>
          value === null ||
          (typeof value === 'object' &&
            !Array.isArray(value) &&
            Object.values(value).every((v) => typeof v === 'number' && Number.isFinite(v))),
      },
    });
}

/** Characters as JSON Schema's maxLength counts them (code points), not UTF-16 units. */
export function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** At most `max` characters (code points, as the spec's maxLength counts) when it is a string. */
export function MaxCodePoints(max: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'maxCodePoints',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `must be at most ${max} characters long`, ...options },
      // Only the length: pair it with a validator of the type.
      validator: { validate: (value: unknown) => typeof value !== 'string' || codePoints(value) <= max },
    });
}

/** A string with something besides white space; "is missing or blank" otherwise (PagerDuty's words). */
export function IsNotBlank(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNotBlank',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'is missing or blank', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && value.trim().length > 0 },
    });
}

/**
 * An ISO 8601 date-time (timestamps.ts). `allowNoZone`: a local time without zone passes too (the caller
 * then ignores it); Go's zero time passes as an instant (the caller reads it as "not set").
 */
export function IsTimestamp(allowNoZone: boolean, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimestamp',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an ISO 8601 date-time with a zone, e.g. 2026-12-01T23:20:39Z', ...options },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const { kind } = parseTimestamp(value);
          return kind === 'instant' || (allowNoZone && kind === 'no-zone');
        },
      },
    });
}
