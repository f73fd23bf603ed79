import { ValidationOptions, registerDecorator } from 'class-validator';
import { isStringMap } from '../../common/string-map';

export { IsStringMap } from '../../common/string-map';

/**
 * The latest source time taken: the end of the year 9999. A JavaScript Date goes further (275760),
 * but such a date's ISO form (+097247-…) is no timestamp PostgreSQL reads.
 */
export const MAX_EPOCH_MS = 253_402_300_799_999;

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
