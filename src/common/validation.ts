import { ArgumentMetadata, Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { FAST_TRANSFORMER, isFromPlainData, isPlain, plainToInstance } from './plain-to-instance';
import { getMetadataStorage, validateSync, ValidationTypes, ValidatorOptions } from 'class-validator';
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

/** One property's rules, split by kind once (class-validator filters them again for every value). */
interface Split {
  /** IS_DEFINED rules, and the rest but WHITELIST: what `execute` hands `performValidations`. */
  defined: Rules;
  others: Rules;
  /** Of `others`: custom, nested and conditional rules, what `performValidations` filters them into. */
  custom: Rules;
  nested: Rules;
  conditional: Rules;
  /** Whether any rule of `others` is a promise rule, or has a context (`mapContexts` reads only those). */
  promise: boolean;
  context: boolean;
}

/** class-validator's executor, as far as `allocationLightExecutor` calls into it (not in its typings). */
interface Executor {
  validatorOptions?: ValidatorOptions;
  metadataStorage: Storage;
  awaitingPromises: Promise<unknown>[];
  execute(object: object, targetSchema: string | undefined, errors: ValidationError[]): void;
  whitelist(object: object, grouped: Grouped, errors: ValidationError[]): void;
  performValidations(
    object: object,
    value: unknown,
    propertyName: string,
    defined: Rules,
    rules: Rules,
    errors: ValidationError[],
  ): void;
  generateValidationError(object: object, value: unknown, propertyName: string): ValidationError;
  conditionalValidations(object: object, value: unknown, rules: Rules): boolean;
  customValidations(object: object, value: unknown, rules: Rules, error: ValidationError): void;
  nestedValidations(value: unknown, rules: Rules, error: ValidationError): void;
  mapContexts(object: object, value: unknown, rules: Rules, error: ValidationError): void;
  stripEmptyErrors(errors: ValidationError[]): ValidationError[];
}

/**
 * class-validator's executor, rule for rule, without most of its garbage: for every property of every
 * object it validates it filters the property's rules five times into new arrays, calls its helpers
 * with empty ones, and at the end lists each error's constraints to drop the empty errors. That was 29%
 * of the bytes the ingest allocated per message (44 of 150 KB), and each young collection copies the
 * messages in flight (bench:ingest: a scavenge every 30 ms, 10% of the main thread, as much again on
 * the helper threads). Here the splits are made once per rule list (the lists are memoised above, so
 * the same array comes back for the same class) and the helpers are called as class-validator calls
 * them, unless their list is empty; with validation groups or debug messages the original runs.
 */
function allocationLightExecutor(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ValidationExecutor } = require('class-validator/cjs/validation/ValidationExecutor') as {
    ValidationExecutor: { prototype: Executor };
  };
  const executor = ValidationExecutor.prototype;
  // Called as the executor's own method again (`execute.call(this, …)`).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { execute } = executor;
  const splits = new WeakMap<Rules, Split>();
  const splitOf = (rules: Rules): Split => {
    let split = splits.get(rules);
    if (!split) {
      const others = rules.filter((r) => r.type !== ValidationTypes.IS_DEFINED && r.type !== ValidationTypes.WHITELIST);
      split = {
        defined: rules.filter((r) => r.type === ValidationTypes.IS_DEFINED),
        others,
        ...kinds(others),
      };
      splits.set(rules, split);
      // What performValidations is handed as its `rules` is split the same way.
      splits.set(others, { ...split, defined: [] });
    }
    return split;
  };
  const kinds = (rules: Rules) => ({
    custom: rules.filter((r) => r.type === ValidationTypes.CUSTOM_VALIDATION),
    nested: rules.filter((r) => r.type === ValidationTypes.NESTED_VALIDATION),
    conditional: rules.filter((r) => r.type === ValidationTypes.CONDITIONAL_VALIDATION),
    promise: rules.some((r) => r.type === ValidationTypes.PROMISE_VALIDATION),
    context: rules.some((r) => !!r.context),
  });

  executor.execute = function (this: Executor, object, targetSchema, errors) {
    const options = this.validatorOptions;
    if (!options || (options.groups?.length ?? 0) > 0 || options.enableDebugMessages === true) {
      return execute.call(this, object, targetSchema, errors);
    }
    const storage = this.metadataStorage;
    const rules = storage.getTargetValidationMetadatas(
      object.constructor,
      targetSchema!,
      options.always ?? false,
      options.strictGroups ?? false,
      undefined,
    );
    // An object of no known class: class-validator's own error (forbidUnknownValues), or nothing.
    if (rules.length === 0) return execute.call(this, object, targetSchema, errors);
    const grouped = storage.groupByPropertyName(rules);
    if (options.whitelist) this.whitelist(object, grouped, errors);
    for (const propertyName of Object.keys(grouped)) {
      const value = (object as Record<string, unknown>)[propertyName];
      const split = splitOf(grouped[propertyName]);
      if (value instanceof Promise && split.promise) {
        this.awaitingPromises.push(
          value.then((resolved) =>
            this.performValidations(object, resolved, propertyName, split.defined, split.others, errors),
          ),
        );
      } else {
        this.performValidations(object, value, propertyName, split.defined, split.others, errors);
      }
    }
  };

  executor.performValidations = function (this: Executor, object, value, propertyName, defined, rules, errors) {
    // From `execute`, or the items of an array from `nestedValidations` (its nested rules): lists kept
    // above, so their split is made once too.
    let split = splits.get(rules);
    if (!split) splits.set(rules, (split = { defined: [], others: rules, ...kinds(rules) }));
    const error = this.generateValidationError(object, value, propertyName);
    errors.push(error);
    if (split.conditional.length > 0 && !this.conditionalValidations(object, value, split.conditional)) return;
    if (defined.length > 0) {
      this.customValidations(object, value, defined, error);
      this.mapContexts(object, value, defined, error);
    }
    const options = this.validatorOptions;
    if (value === undefined && options?.skipUndefinedProperties === true) return;
    if (value === null && options?.skipNullProperties === true) return;
    if ((value === null || value === undefined) && options?.skipMissingProperties === true) return;
    if (split.custom.length > 0) this.customValidations(object, value, split.custom, error);
    if (split.nested.length > 0) this.nestedValidations(value, split.nested, error);
    if (split.context) {
      this.mapContexts(object, value, rules, error);
      this.mapContexts(object, value, split.custom, error);
    }
  };

  // The same errors kept, without listing each one's constraints to learn whether it has any.
  executor.stripEmptyErrors = function (this: Executor, errors) {
    const kept: ValidationError[] = [];
    for (const error of errors) {
      if (error.children) error.children = this.stripEmptyErrors(error.children);
      if (!hasOwnKey(error.constraints)) {
        if (error.children!.length === 0) continue;
        delete error.constraints;
      }
      kept.push(error);
    }
    return kept;
  };
}

function hasOwnKey(object: object | undefined): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

allocationLightExecutor();
