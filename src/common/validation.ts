import { ArgumentMetadata, Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { ApiError } from './api-error';
import { ErrorDetail } from './api-types';

const OPTIONS = { whitelist: true, forbidUnknownValues: true, validationError: { target: false, value: false } };

/** The one global pipe: strips unknown fields, and names every bad field as `a.b[0].c`. */
export function createValidationPipe(): ValidationPipe {
  return new BodyKeepingValidationPipe({
    ...OPTIONS,
    transform: true,
    exceptionFactory: (errors) => validationFailed(errors),
  });
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Nest's pipe, except that it leaves the value it validates as it was. Nest deletes every `__proto__`,
 * `constructor` and `prototype` key from it, in place, before class-transformer copies it into the DTO
 * (a `constructor` key makes class-transformer throw, a 500): that value is the request's parsed body,
 * which the event keeps as the message received (`RawBody`), so a StackState metadata key named
 * `prototype` was lost from the stored payload (found by the fuzzer). Here class-transformer gets a
 * copy without those keys when the value has any, and the value itself otherwise.
 */
class BodyKeepingValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Only for what the pipe validates: a parameter it passes on as it is (RawBody) stays the value.
    const validated = metadata.metatype !== undefined && this.toValidate(metadata);
    return super.transform(validated && hasProtoKeys(value) ? withoutProtoKeys(value) : value, metadata);
  }

  protected override stripProtoKeys(): void {}
}

/** Whether any object within `value` has an own key of PROTO_KEYS (parsed JSON: a tree, no cycles). */
function hasProtoKeys(value: unknown): boolean {
  const stack = [value];
  const seen = new WeakSet<object>();
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (Array.isArray(current)) {
      for (const item of current) stack.push(item);
      continue;
    }
    if (Object.getPrototypeOf(current) !== Object.prototype && Object.getPrototypeOf(current) !== null) continue;
    for (const key of PROTO_KEYS) if (Object.hasOwn(current, key)) return true;
    for (const key in current) stack.push((current as Record<string, unknown>)[key]);
  }
  return false;
}

function withoutProtoKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutProtoKeys);
  if (value === null || typeof value !== 'object') return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (!PROTO_KEYS.includes(key)) copy[key] = withoutProtoKeys(item);
  return copy;
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

type Storage = ReturnType<typeof getMetadataStorage>;
type Rules = ReturnType<Storage['getTargetValidationMetadatas']>;
type Grouped = ReturnType<Storage['groupByPropertyName']>;

/**
 * class-validator looks a class's rules up, for every object it validates, by walking every decorated
 * class of the process (an `instanceof` each: the service has about 60, config schema and API DTOs
 * included), and groups them by property again. The rules are fixed once the classes are loaded, so both
 * answers are kept per class and schema name (for validation without groups, the only kind here); a rule added
 * later (a class loaded late) forgets them.
 */
function memoiseValidationRules(): void {
  const storage: Storage = getMetadataStorage();
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  let rules = new Map<string, Map<unknown, Rules>>();
  let grouped = new WeakMap<Rules, Grouped>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (groups && groups.length > 0) return lookUp(target, schema, always, strictGroups, groups);
    // A nested object is looked up with its parent's class name as `schema`: part of the key.
    const options = `${always}:${strictGroups}:${schema ?? ''}`;
    let perClass = rules.get(options);
    if (!perClass) rules.set(options, (perClass = new Map()));
    let found = perClass.get(target);
    if (!found) perClass.set(target, (found = lookUp(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
  const addRule = storage.addValidationMetadata.bind(storage);
  const addConstraint = storage.addConstraintMetadata.bind(storage);
  const forget = () => {
    rules = new Map();
    grouped = new WeakMap();
  };
  storage.addValidationMetadata = (metadata) => {
    forget();
    addRule(metadata);
  };
  storage.addConstraintMetadata = (metadata) => {
    forget();
    addConstraint(metadata);
  };
}

memoiseValidationRules();
