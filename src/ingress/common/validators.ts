import { ValidationOptions, registerDecorator } from 'class-validator';

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
