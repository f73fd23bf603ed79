import { registerDecorator, ValidationOptions } from 'class-validator';

/** An object (not an array) whose values are all strings: `additionalProperties: {type: string}`. */
export function isStringMap(value: unknown): value is Record<string, string> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

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
