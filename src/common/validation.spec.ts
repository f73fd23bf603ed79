import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'class-transformer';
import { getMetadataStorage, IsInt, IsString, ValidateNested } from 'class-validator';
import { ApiError } from './api-error';
import { validateAs } from './validation';

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

  it('keeps the rules of a class looked up as a nested object (class-validator names the parent as schema)', () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Leaf, 'Middle', false, false, undefined);
    assert.equal(first.length, 1);
    // The same array: kept, not found again by walking every decorated class of the process.
    assert.equal(storage.getTargetValidationMetadatas(Leaf, 'Middle', false, false, undefined), first);
    assert.equal(storage.getTargetValidationMetadatas(Leaf, '', false, false, undefined).length, 1);
  });
});
