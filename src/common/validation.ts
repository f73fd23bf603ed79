import { Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ApiError } from './api-error';
import { ErrorDetail } from './api-types';

const OPTIONS = { whitelist: true, forbidUnknownValues: true, validationError: { target: false, value: false } };

/** The one global pipe: strips unknown fields, and names every bad field as `a.b[0].c`. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({ ...OPTIONS, transform: true, exceptionFactory: (errors) => validationFailed(errors) });
}

/**
 * Validates a part of a request the pipe did not (its DTO is chosen at run time) exactly as the pipe
 * would; `parent` prefixes the field paths of the errors.
 */
export function validateAs<T extends object>(dto: Type<T>, value: unknown, parent: string): T {
  const instance = plainToInstance(dto, value);
  const errors = validateSync(instance, OPTIONS);
  if (errors.length > 0) throw validationFailed(errors, parent);
  return instance;
}

function validationFailed(errors: ValidationError[], parent = ''): ApiError {
  return new ApiError(
    'validation_failed',
    'The request does not match the API specification',
    toDetails(errors, parent),
  );
}

export function toDetails(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const problems = Object.values(error.constraints ?? {}).map((message) => describe(message, error));
    const own = problems.length > 0 ? [{ field, problem: problems.join('; ') }] : [];
    return [...own, ...toDetails(error.children ?? [], field)];
  });
}

// class-validator's messages start with the property name ("token must be a string"); the path already
// names it. Values are never echoed: they may be secrets.
function describe(message: string, error: ValidationError): string {
  if (message === `property ${error.property} should not exist`) return 'unknown field';
  return message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message;
}
