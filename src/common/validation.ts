import { ArgumentMetadata, Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { FAST_TRANSFORMER, isFromPlainData, isPlain, plainToInstance } from './plain-to-instance';
import { getMetadataStorage, validateSync } from 'class-validator';
import { ApiError } from './api-error';
import { isAnsweredBody } from './request-context';
import { ErrorDetail } from './api-types';

const OPTIONS = { whitelist: true, forbidUnknownValues: true, validationError: { target: false, value: false } };

/** The one global pipe: strips unknown fields, and names every bad field as `a.b[0].c`. */
export function createValidationPipe(): ValidationPipe {
  return new BodyKeepingValidationPipe({
    ...OPTIONS,
    transform: true,
    transformerPackage: FAST_TRANSFORMER,
    exceptionFactory: (errors) => validationFailed(errors),
  });
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Nest's pipe, except that it leaves the value it validates as it was. Nest deletes every `__proto__`,
 * `constructor` and `prototype` key from it and closes the gaps of its sparse arrays, in place, before
 * class-transformer copies it into the DTO (a `constructor` key makes class-transformer throw, a 500):
 * that value is the request's parsed body, which the event keeps as the message received (`RawBody`),
 * so a StackState metadata key named `prototype` was lost from the stored payload (found by the
 * fuzzer). Here class-transformer gets a copy without those keys and gaps when the value has any, and
 * the value itself otherwise (a JSON body has no gaps, and seldom such keys): one walk over the value
 * instead of Nest's two.
 */
class BodyKeepingValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A repeat answered from its body (RepeatShortcut): its handler returns that answer and reads nothing.
    if (isAnsweredBody(value)) return Promise.resolve(value);
    // Only for what the pipe validates: a parameter it passes on as it is (RawBody) stays the value.
    const validated = !!metadata.metatype && this.toValidate(metadata);
    return super.transform(validated ? withoutProtoKeys(value) : value, metadata);
  }

  protected override stripProtoKeys(): void {}

  protected override closeArrayGaps(): void {}

  // Nest looks for binary values where nested objects belong; converted from plain data, there are none.
  protected override findNestedBinaryValues(object: unknown, cache?: Map<unknown, unknown[]>): ValidationError[] {
    return isFromPlainData(object) ? [] : super.findNestedBinaryValues(object, cache);
  }
}

/** What class-transformer may be given of `value`: a copy if `needsCopy`, else the value itself. */
function withoutProtoKeys(value: unknown): unknown {
  return needsCopy(value) ? plainCopy(value) : value;
}

/** Whether `value` holds an own key of PROTO_KEYS or a sparse array anywhere within. */
function needsCopy(value: unknown): boolean {
  const stack = [value];
  const seen = new WeakSet<object>();
  while (stack.length > 0) {
    const current = stack.pop();
    if (!isPlain(current) || seen.has(current)) continue;
    seen.add(current);
    if (Array.isArray(current)) {
      // The items only (a sparse array's length may be far beyond them); fewer than the length: a gap.
      const items = Object.values(current);
      if (items.length !== current.length) return true;
      for (const item of items) stack.push(item);
      continue;
    }
    for (const key of PROTO_KEYS) if (Object.hasOwn(current, key)) return true;
    for (const key in current) stack.push(current[key]);
  }
  return false;
}

/** `value` without PROTO_KEYS and with its arrays' items closed up, in order. */
function plainCopy(value: unknown): unknown {
  if (!isPlain(value)) return value;
  if (Array.isArray(value)) return Object.values(value).map(plainCopy);
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (!PROTO_KEYS.includes(key)) copy[key] = plainCopy(item);
  return copy;
}

/**
 * Validates a part of a request the pipe did not (its DTO is chosen at run time) exactly as the pipe
 * would; `parent` prefixes the field paths of the errors.
 */
export function validateAs<T extends object>(dto: Type<T>, value: unknown, parent: string): T {
  // As the pipe does: class-transformer throws on a `constructor` key, and must not edit `value`.
  const instance = plainToInstance(dto, withoutProtoKeys(value));
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
