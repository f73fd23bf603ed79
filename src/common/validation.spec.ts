import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'class-transformer';
import {
  Allow,
  getMetadataStorage,
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  ValidateIf,
  ValidateNested,
  ValidationError,
  Validator,
  validateSync,
} from 'class-validator';
import fc from 'fast-check';
import { ApiError } from './api-error';
import { DTOS, dtoValues, SHAPES } from '../../test/support/dto-samples';
import { plainToInstance } from './plain-to-instance';
import { createValidationPipe, validateAs } from './validation';

class Leaf {
  @IsString()
  name!: string;
}

class Middle {
  @IsInt()
  count!: number;

  @ValidateNested()
  @Type(() => Leaf)
  leaf!: Leaf;
}

class Root {
  @ValidateNested({ each: true })
  @Type(() => Middle)
  items!: Middle[];
}

function details(value: unknown): unknown {
  try {
    validateAs(Root, value, 'body');
    return [];
  } catch (error) {
    assert.ok(error instanceof ApiError);
    return error.details;
  }
}

describe('validation rules kept per class', () => {
  it('validates nested objects by their own rules, the same on every call', () => {
    const bad = {
      items: [
        { count: 'x', leaf: { name: 5 } },
        { count: 2, leaf: { name: 'ok' } },
      ],
    };
    const expected = [
      { field: 'body.items[0].count', problem: 'must be an integer number' },
      { field: 'body.items[0].leaf.name', problem: 'must be a string' },
    ];
    assert.deepEqual(details(bad), expected);
    assert.deepEqual(details(bad), expected);
    assert.deepEqual(details({ items: [{ count: 1, leaf: { name: 'a' } }] }), []);
  });

  it('validates a value with constructor or __proto__ keys as the pipe does: no throw, the value left as it was', () => {
    const value = JSON.parse('{"items":[{"count":1,"leaf":{"name":"a","constructor":"x"},"__proto__":{"y":1}}]}');
    const before = JSON.stringify(value);
    assert.deepEqual(details(value), []);
    assert.equal(JSON.stringify(value), before);
    assert.deepEqual(details(JSON.parse('{"items":[{"count":"x","leaf":{"name":"a"},"constructor":1}]}')), [
      { field: 'body.items[0].count', problem: 'must be an integer number' },
    ]);
  });

  it('keeps the rules of a class looked up as a nested object (class-validator names the parent as schema)', () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Leaf, 'Middle', false, false, undefined);
    assert.equal(first.length, 1);
    // The same array: kept, not found again by walking every decorated class of the process.
    assert.equal(storage.getTargetValidationMetadatas(Leaf, 'Middle', false, false, undefined), first);
    assert.equal(storage.getTargetValidationMetadatas(Leaf, '', false, false, undefined).length, 1);
  });
});

describe('the global pipe', () => {
  const pipe = createValidationPipe();
  const leaf = { name: 'a' };

  it('validates a copy without __proto__, constructor and prototype keys, and leaves the value as it was', async () => {
    const value = JSON.parse(
      '{"items":[{"count":1,"leaf":{"name":"a","prototype":"p"},"constructor":"c","__proto__":{"x":1}}]}',
    ) as { items: Record<string, unknown>[] };
    const before = JSON.stringify(value);
    const entity = (await pipe.transform(value, { type: 'body', metatype: Root })) as Root;
    assert.ok(entity instanceof Root && entity.items[0] instanceof Middle);
    assert.deepEqual(Object.keys(entity.items[0]), ['count', 'leaf']);
    assert.equal(Object.hasOwn(entity.items[0].leaf, 'prototype'), false);
    assert.equal(JSON.stringify(value), before);
    assert.deepEqual(Object.keys(value.items[0]), ['count', 'leaf', 'constructor', '__proto__']);
  });

  it('validates a sparse array without its gaps, as Nest does, and leaves the value sparse', async () => {
    const items: unknown[] = [];
    items[3] = { count: 1, leaf };
    const value = { items };
    const entity = (await pipe.transform(value, { type: 'body', metatype: Root })) as Root;
    assert.equal(entity.items.length, 1);
    assert.equal(value.items.length, 4);
  });

  it('passes a value it does not validate on as it is (the raw body)', async () => {
    const value = { constructor: 'c', items: [] };
    assert.equal(await pipe.transform(value, { type: 'custom', metatype: Object }), value);
  });

  it("refuses a Buffer where a nested object belongs (Nest's check, for values that are not plain data)", async () => {
    const value = { items: [Buffer.from('x')] };
    await assert.rejects(pipe.transform(value, { type: 'body', metatype: Root }), ApiError);
  });

  it('still refuses what the rules refuse, in the copy too', async () => {
    const value = { items: [{ count: 'x', leaf, prototype: 1 }] };
    await assert.rejects(pipe.transform(value, { type: 'body', metatype: Root }), ApiError);
  });
});

// class-validator's executor as it ships: a second copy of its module, whose class validation.ts has not
// touched (the rules live in one global store, which both read).
function originalValidateSync(object: object, options: object): ValidationError[] {
  const path = require.resolve('class-validator/cjs/validation/ValidationExecutor');
  const patched = require.cache[path];
  delete require.cache[path];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ValidationExecutor } = require(path) as {
      ValidationExecutor: new (
        validator: Validator,
        options: object,
      ) => {
        execute(object: object, schema: undefined, errors: ValidationError[]): void;
        stripEmptyErrors(errors: ValidationError[]): ValidationError[];
        ignoreAsyncValidations: boolean;
      };
    };
    const executor = new ValidationExecutor(new Validator(), options);
    executor.ignoreAsyncValidations = true;
    const errors: ValidationError[] = [];
    executor.execute(object, undefined, errors);
    return executor.stripEmptyErrors(errors);
  } finally {
    require.cache[path] = patched;
  }
}

class Conditional {
  @IsString()
  kind!: string;

  @ValidateIf((o: Conditional) => o.kind === 'number')
  @IsInt({ context: { hint: 'a count' } })
  value!: unknown;

  @IsDefined()
  @IsOptional()
  @IsString({ each: true })
  names?: string[];

  @Allow()
  free?: unknown;

  @ValidateNested({ each: true })
  @Type(() => Leaf)
  leaves?: Leaf[];
}

describe("class-validator's executor without its garbage", () => {
  const OPTIONS = { whitelist: true, forbidUnknownValues: true, validationError: { target: false, value: false } };
  const same = (dto: new () => object, value: unknown, options: object = OPTIONS) => {
    let ours: object;
    let theirs: object;
    try {
      // Two instances: whitelisting deletes from the one it validates.
      ours = plainToInstance<object>(dto, value);
      theirs = plainToInstance<object>(dto, value);
    } catch {
      return; // a value class-transformer refuses (the pipe copies it first)
    }
    if (ours === null || typeof ours !== 'object') return;
    const expected = JSON.parse(JSON.stringify(originalValidateSync(theirs, options))) as unknown;
    assert.deepStrictEqual(JSON.parse(JSON.stringify(validateSync(ours, options))), expected);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(ours)), JSON.parse(JSON.stringify(theirs)));
  };

  it(`finds the same errors as class-validator's own, for every DTO of the API and the webhooks (${DTOS.length})`, () => {
    for (const dto of DTOS) for (const shape of SHAPES) same(dto, shape);
    fc.assert(
      fc.property(fc.constantFrom(...DTOS), dtoValues, (dto, value) => same(dto, value)),
      { numRuns: 3000 },
    );
  });

  it('and for conditions, contexts, rules on each item, nested arrays and other options', () => {
    const values: unknown[] = [
      { kind: 'number', value: 'x', names: ['a', 1], leaves: [{ name: 1 }, { name: 'b' }, 5], extra: 1 },
      { kind: 'text', value: 'x', names: null, free: { a: 1 } },
      { kind: 'number', value: 3 },
      {},
    ];
    for (const value of values) {
      same(Conditional, value);
      same(Conditional, value, { ...OPTIONS, whitelist: false, skipMissingProperties: true });
      same(Conditional, value, { ...OPTIONS, forbidNonWhitelisted: true, validationError: {} });
    }
  });
});
