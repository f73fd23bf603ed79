import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nestsDeeperThan } from './json-depth';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('nestsDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings or after escaped quotes', () => {
    assert.equal(nestsDeeperThan(bytes('{"a":[{"b":1}]}'), 3), false);
    assert.equal(nestsDeeperThan(bytes('{"a":[{"b":[1]}]}'), 3), true);
    assert.equal(nestsDeeperThan(bytes(`{"a":"${'['.repeat(100)}"}`), 1), false);
    assert.equal(nestsDeeperThan(bytes(`{"a":"\\"[[[[","b":{}}`), 2), false);
    assert.equal(nestsDeeperThan(bytes(`["\\\\",[[`), 2), true);
  });

  it('takes linear time on a deep body', () => {
    const deep = bytes('['.repeat(5_000_000));
    const started = process.hrtime.bigint();
    assert.equal(nestsDeeperThan(deep, 32), true);
    const flat = bytes(`[${'1,'.repeat(2_000_000)}1]`);
    assert.equal(nestsDeeperThan(flat, 32), false);
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 500);
  });
});
