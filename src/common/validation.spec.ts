import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'class-transformer';
import { getMetadataStorage, IsInt, IsString, ValidateNested } from 'class-validator';
import { ApiError } from './api-error';
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
