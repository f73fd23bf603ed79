import {
  ClassTransformOptions,
  instanceToPlain,
  plainToInstance as classTransformerPlainToInstance,
  TransformationType,
} from 'class-transformer';

// class-transformer's own rule store and default options (not in its typings).
/* eslint-disable @typescript-eslint/no-require-imports */
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: unknown };
const { defaultOptions } = require('class-transformer/cjs/constants/default-options.constant') as {
  defaultOptions: object;
};
/* eslint-enable @typescript-eslint/no-require-imports */

type Class = new () => object;
type TransformFn = (params: {
  value: unknown;
  key: string;
  obj: Record<string, unknown>;
  type: TransformationType;
  options: object;
}) => unknown;

interface TypeRule {
  typeFunction?: (options: { newObject: object; object: Record<string, unknown>; property: string }) => unknown;
  reflectedType?: unknown;
}

/** What class-transformer's decorators say of one class: its @Type and @Transform rules by property. */
interface Plan {
  types: Map<string, TypeRule>;
  transforms: Map<string, TransformFn[]>;
}

/** A value or rule this converter does not handle: class-transformer converts the whole value instead. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

interface Storage {
  _typeMetadatas?: Map<unknown, Map<string, unknown>>;
  _transformMetadatas?: Map<unknown, Map<string, unknown>>;
  findTypeMetadata(
    target: unknown,
    property: string,
  ): (TypeRule & { options?: { discriminator?: unknown } }) | undefined;
  findTransformMetadatas(
    target: unknown,
    property: string,
    type: TransformationType,
  ): { transformFn: TransformFn; options?: { groups?: string[]; since?: number; until?: number } }[];
  getStrategy(target: unknown): string;
  getExposedMetadatas(target: unknown): unknown[];
  getExcludedMetadatas(target: unknown): unknown[];
  getAncestors(target: unknown): unknown[];
  addTypeMetadata(...args: unknown[]): void;
  addTransformMetadata(...args: unknown[]): void;
  addExposeMetadata(...args: unknown[]): void;
  addExcludeMetadata(...args: unknown[]): void;
}

const storage = defaultMetadataStorage as Storage;
// Without the maps of class-transformer 0.5 to list a class's decorated properties by, every value goes
// to class-transformer itself.
const readable = storage._typeMetadatas instanceof Map && storage._transformMetadatas instanceof Map;
let plans = new Map<unknown, Plan | null>();
for (const method of ['addTypeMetadata', 'addTransformMetadata', 'addExposeMetadata', 'addExcludeMetadata'] as const) {
  const add = storage[method].bind(storage);
  storage[method] = (...args: unknown[]) => {
    plans = new Map(); // a rule added later (a class decorated at run time) is seen
    add(...args);
  };
}

// What class-transformer hands a @Transform function as `options` when called without options.
const OPTIONS = { ...defaultOptions };

/**
 * class-transformer's `plainToInstance` without options, for what the global ValidationPipe converts
 * (parsed JSON bodies, query and path parameters), built once per class instead of looked up per
 * property of every value: class-transformer walks the class's ancestors and every @Expose/@Exclude
 * rule for each key of each object, about 5% of the ingest's CPU (docs/design-notes.md). It gives the
 * same result as class-transformer, rule for rule: every key copied but `__proto__`, `constructor`
 * and names the class (or Object) already has as methods or getters; @Type's class or String, Number
 * and Boolean; @Transform functions after the conversion; arrays item by item. For anything else
 * (options, @Expose, @Exclude, discriminators, Dates, Maps and Sets, a value that is not plain data)
 * class-transformer converts the value itself; a unit test compares both on every DTO of the API.
 */
export function plainToInstance<T>(
  cls: new (...args: unknown[]) => T,
  plain: unknown,
  options?: ClassTransformOptions,
): T {
  // Options change the rules: class-transformer follows them.
  if (readable && (options === undefined || Object.keys(options).length === 0)) {
    try {
      const before = notPlain;
      const converted = convert(plain, cls, undefined);
      if (notPlain === before && converted !== null && typeof converted === 'object') plainData.add(converted);
      return converted as T;
    } catch (error) {
      if (error !== UNSUPPORTED) throw error;
    }
  }
  conversions.byClassTransformer++;
  return classTransformerPlainToInstance(cls, plain, options);
}

// What the fast path made from plain data throughout (anything else went to class-transformer), and
// how many objects a @Transform returned that it did not make (its result then does not count).
const plainData = new WeakSet<object>();
let notPlain = 0;

/** Whether `value` was converted here from plain data only: no Buffer or other binary within. */
export function isFromPlainData(value: unknown): boolean {
  return value !== null && typeof value === 'object' && plainData.has(value);
}

/** How many values went to class-transformer itself (tests: the webhooks' bodies must not). */
export const conversions = { byClassTransformer: 0 };

/** A plain object or array: what JSON and query parsing make (not a Date, a Buffer or a class instance). */
export function isPlain(value: unknown): value is Record<string, unknown> | unknown[] {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The ValidationPipe's `transformerPackage`. */
export const FAST_TRANSFORMER = { plainToInstance, classToPlain: instanceToPlain };

function convert(value: unknown, type: unknown, arrayType: unknown): unknown {
  if (Array.isArray(value)) {
    // class-transformer makes the array from the property's declared type: [] for these; the others
    // (a Set, an Array subclass, a type that is no constructor) are its to make.
    if (arrayType !== undefined && arrayType !== Array && arrayType !== Object) throw UNSUPPORTED;
    const items: unknown[] = [];
    // forEach, as class-transformer: a gap is left out.
    value.forEach((item: unknown) => items.push(convert(item, type, undefined)));
    return items;
  }
  // As class-transformer converts (an object too, to "[object Object]").
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  if (type === String) return value === null || value === undefined ? value : String(value);
  if (type === Number) return value === null || value === undefined ? value : Number(value);
  if (type === Boolean) return value === null || value === undefined ? value : Boolean(value);
  if (type === Date || type === Buffer || type === Map || type === Set) throw UNSUPPORTED;
  if (value === null || typeof value !== 'object') return value;
  if (!isPlain(value) || Object.hasOwn(value, 'constructor')) throw UNSUPPORTED;
  // A @Type that gives no class (an enum object, say): class-transformer's error, or its result.
  if (type !== undefined && typeof type !== 'function') throw UNSUPPORTED;
  const plain = value as Record<string, unknown>;
  const plan = typeof type === 'function' ? planOf(type) : undefined;
  const target: Record<string, unknown> = plan ? (new (type as Class)() as Record<string, unknown>) : {};
  const prototype = (target.constructor as { prototype?: object } | undefined)?.prototype;
  for (const key of Object.keys(plain)) {
    if (key === '__proto__' || key === 'constructor') continue;
    // class-transformer leaves out a name the new object has as a method or a getter without setter
    // (`in` first: true for any such name, and cheap for the others).
    if (prototype && key in target) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
      if ((descriptor && !descriptor.set) || target[key] instanceof Function) continue;
    }
    const item = plain[key];
    const rule = plan?.types.get(key);
    let itemType: unknown;
    if (rule) {
      itemType = rule.typeFunction
        ? rule.typeFunction({ newObject: target, object: plain, property: key })
        : rule.reflectedType;
    }
    let converted = convert(item, itemType, Array.isArray(item) ? rule?.reflectedType : undefined);
    const transforms = plan?.transforms.get(key);
    if (transforms) {
      for (const transform of transforms) {
        converted = transform({
          value: converted,
          key,
          obj: plain,
          type: TransformationType.PLAIN_TO_CLASS,
          options: { ...OPTIONS },
        });
      }
      // What a @Transform made counts as plain data only if this converter made it (StackState's event).
      if (converted !== null && typeof converted === 'object' && !plainData.has(converted)) notPlain++;
    }
    // Set even when undefined, as class-transformer's default `exposeUnsetFields` does.
    target[key] = converted;
  }
  return target;
}

/** The class's rules, or UNSUPPORTED for a class with rules this converter does not follow. */
function planOf(type: unknown): Plan {
  let plan = plans.get(type);
  if (plan === undefined) {
    plan = buildPlan(type);
    plans.set(type, plan);
  }
  if (plan === null) throw UNSUPPORTED;
  return plan;
}

function buildPlan(type: unknown): Plan | null {
  if (
    storage.getStrategy(type) !== 'none' ||
    storage.getExposedMetadatas(type).length > 0 ||
    storage.getExcludedMetadatas(type).length > 0
  ) {
    return null;
  }
  const names = new Set<string>();
  for (const owner of [type, ...storage.getAncestors(type)]) {
    for (const name of storage._typeMetadatas!.get(owner)?.keys() ?? []) names.add(name);
    for (const name of storage._transformMetadatas!.get(owner)?.keys() ?? []) names.add(name);
  }
  const plan: Plan = { types: new Map(), transforms: new Map() };
  for (const name of names) {
    if (name === undefined) continue;
    const rule = storage.findTypeMetadata(type, name);
    if (rule) {
      if (rule.options?.discriminator || rule.reflectedType === Map || rule.reflectedType === Set) return null;
      plan.types.set(name, rule);
    }
    const transforms = storage.findTransformMetadatas(type, name, TransformationType.PLAIN_TO_CLASS);
    if (transforms.some((t) => t.options?.since !== undefined || t.options?.until !== undefined)) return null;
    const applied = transforms.filter((t) => !t.options?.groups?.length).map((t) => t.transformFn);
    if (applied.length > 0) plan.transforms.set(name, applied);
  }
  return plan;
}
