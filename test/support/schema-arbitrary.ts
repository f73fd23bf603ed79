import fc from 'fast-check';

// fast-check arbitraries built from the OpenAPI document's JSON Schemas: bodies that are valid or
// nearly so (each operation's own schema), and the same bodies mutated into what a hostile or broken
// client sends (wrong types, missing or unknown fields, deep nesting, huge, NUL and lone-surrogate
// strings, prototype keys). The spec is the source: a new operation is fuzzed as soon as it is there.

type Json = Record<string, any>;

const MAX_DEPTH = 6;

export class SchemaArbitraries {
  constructor(private readonly spec: Json) {}

  /** A value for `schema`: within its types, enums, formats and lengths (lengths kept small). */
  valid(schema: Json | undefined, depth = 0): fc.Arbitrary<unknown> {
    if (!schema || Object.keys(schema).length === 0) return fc.jsonValue({ maxDepth: 2 });
    if (schema.$ref) return this.valid(this.resolve(schema.$ref), depth);
    if (depth > MAX_DEPTH) return fc.constant(null);
    if (schema.allOf) return this.valid(this.merge(schema.allOf), depth);
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants) return fc.oneof(...(variants as Json[]).map((v) => this.valid(v, depth + 1)));
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
    const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : inferTypes(schema);
    return fc.oneof(...types.map((type) => this.ofType(type, schema, depth)));
  }

  /** Mostly valid bodies, and a good share of them broken in one or more places. */
  body(schema: Json | undefined): fc.Arbitrary<unknown> {
    const valid = this.valid(schema);
    return fc.oneof(
      { arbitrary: valid, weight: 5 },
      {
        arbitrary: fc
          .tuple(valid, fc.array(mutation(), { minLength: 1, maxLength: 3 }))
          .map(([v, ms]) => ms.reduce((acc, m) => m(acc), v)),
        weight: 5,
      },
    );
  }

  private ofType(type: string, schema: Json, depth: number): fc.Arbitrary<unknown> {
    switch (type) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 2_000_000_000 });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
      case 'string':
        return this.string(schema);
      case 'array':
        return fc.array(this.valid(schema.items, depth + 1), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 4)),
        });
      case 'object':
        return this.object(schema, depth);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  private string(schema: Json): fc.Arbitrary<string> {
    const minLength = schema.minLength ?? 0;
    const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, 60));
    switch (schema.format) {
      case 'uuid':
        return fc.uuid();
      case 'date-time':
        return fc
          .date({ min: new Date(0), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
          .map((d) => d.toISOString());
      case 'email':
        return fc.emailAddress();
      case 'uri':
        return fc.webUrl();
    }
    if (schema.pattern)
      return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? Infinity));
    return fc.string({ unit: 'grapheme', minLength, maxLength });
  }

  private object(schema: Json, depth: number): fc.Arbitrary<unknown> {
    const properties: Json = schema.properties ?? {};
    const required = new Set<string>(schema.required ?? []);
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [key, sub] of Object.entries(properties)) shape[key] = this.valid(sub as Json, depth + 1);
    const fixed = fc.record(shape, { requiredKeys: [...required].filter((k) => k in shape) });
    const extra = schema.additionalProperties;
    if (!extra) return fixed;
    const values = extra === true ? fc.jsonValue({ maxDepth: 1 }) : this.valid(extra as Json, depth + 1);
    return fc
      .tuple(fixed, fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 20 }), values, { maxKeys: 3 }))
      .map(([a, b]) => ({ ...b, ...(a as object) }));
  }

  private merge(parts: Json[]): Json {
    const merged: Json = { type: 'object', properties: {}, required: [] };
    for (const raw of parts) {
      const part = raw.$ref ? this.resolve(raw.$ref) : raw;
      Object.assign(merged.properties, part.properties ?? {});
      merged.required.push(...(part.required ?? []));
      if (part.additionalProperties !== undefined) merged.additionalProperties = part.additionalProperties;
    }
    return merged;
  }

  resolve(ref: string): Json {
    return ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((node: Json, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], this.spec);
  }
}

function inferTypes(schema: Json): string[] {
  if (schema.properties || schema.additionalProperties) return ['object'];
  if (schema.items) return ['array'];
  return ['string'];
}

type Mutation = (value: unknown) => unknown;

/** What goes wrong in bodies: a value somewhere replaced, a field dropped or added, a prototype key. */
function mutation(): fc.Arbitrary<Mutation> {
  return fc
    .tuple(fc.nat(), hostileValue(), fc.constantFrom('replace', 'drop', 'add', 'proto'))
    .map(([seed, hostile, kind]): Mutation => (value) => {
      const copy = structuredClone(value);
      const holders = containers(copy);
      if (holders.length === 0) return kind === 'replace' ? hostile : copy;
      const target = holders[seed % holders.length];
      const keys = Object.keys(target);
      const key = keys.length > 0 ? keys[seed % keys.length] : '0';
      if (kind === 'drop' && keys.length > 0) delete (target as Record<string, unknown>)[key];
      else if (kind === 'add') (target as Record<string, unknown>)[`extra${seed % 7}`] = hostile;
      else if (kind === 'proto') {
        // An own property named __proto__ (JSON.parse makes one too), not the prototype.
        Object.defineProperty(target, seed % 2 ? '__proto__' : 'constructor', {
          value: { polluted: hostile, prototype: { polluted: true } },
          enumerable: true,
          configurable: true,
          writable: true,
        });
      } else (target as Record<string, unknown>)[key] = hostile;
      return copy;
    });
}

function containers(value: unknown, found: object[] = []): object[] {
  if (value !== null && typeof value === 'object') {
    found.push(value);
    for (const child of Object.values(value)) containers(child, found);
  }
  return found;
}

/** Values no schema wants, and some it wants in shapes no server expects. */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(
      null,
      true,
      false,
      0,
      -1,
      1e308,
      -1e308,
      2 ** 53 + 1,
      0.1,
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\udfff x',
    ),
    fc.constantFrom([], {}, [[]], [{}], [null], { '': '' }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.integer({ min: 1000, max: 60_000 }).map((n) => 'x'.repeat(n)),
    fc.integer({ min: 100, max: 5000 }).map((n) => '\u{1F525}'.repeat(n)),
    fc.integer({ min: 2, max: 60 }).map((n) => nested(n)),
    fc.array(fc.string({ maxLength: 5 }), { minLength: 50, maxLength: 300 }),
    fc.jsonValue({ maxDepth: 3 }),
  );
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Raw text a body may arrive as instead: cut short, with a byte changed, or not JSON at all. */
export function brokenText(json: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: Math.max(0, json.length - 1) }).map((n) => json.slice(0, n)),
    fc
      .tuple(fc.nat({ max: Math.max(0, json.length - 1) }), fc.constantFrom('"', '{', ']', '\\', ',', 'x', '\u0000'))
      .map(([n, c]) => json.slice(0, n) + c + json.slice(n + 1)),
    fc.constantFrom(
      '',
      'null',
      '[]',
      '"text"',
      '1e999',
      '{"a":1,"a":2}',
      `${'['.repeat(100000)}`,
      '{"__proto__":{"x":1}}',
    ),
  );
}
