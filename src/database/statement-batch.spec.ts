import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareValue } from './statement-batch';

describe('prepareValue', () => {
  it('binds dates of the years 1 to 9999 as ISO 8601 in UTC, others as pg writes them', () => {
    assert.equal(prepareValue(new Date('2026-12-02T14:00:00.123Z')), '2026-12-02T14:00:00.123Z');
    assert.equal(prepareValue(new Date('0001-01-01T00:00:00Z')), '0001-01-01T00:00:00.000Z');
    assert.equal(prepareValue(new Date('9999-12-31T23:59:59.999Z')), '9999-12-31T23:59:59.999Z');
    // PostgreSQL has no year 0: ISO's 0000 is its 1 BC.
    assert.equal(prepareValue(new Date('0000-06-01T00:00:00Z')), '0001-06-01T00:00:00.000+00:00 BC');
    assert.equal(prepareValue(new Date('+010000-01-01T00:00:00Z')), '10000-01-01T00:00:00.000+00:00');
  });

  it('passes strings and null as they are, and converts the rest as pg does', () => {
    assert.equal(prepareValue('a'), 'a');
    assert.equal(prepareValue(null), null);
    assert.equal(prepareValue(undefined), null);
    assert.equal(prepareValue(7), '7');
    assert.equal(prepareValue({ a: 1 }), '{"a":1}');
  });
});
