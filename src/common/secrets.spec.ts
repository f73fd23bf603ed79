import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretMatcher } from './secrets';

describe('SecretMatcher', () => {
  const users = [
    { name: 'a', secret: 'shared' },
    { name: 'b', secret: 'shared' },
    { name: 'c', secret: 'other' },
  ];
  const matcher = new SecretMatcher(users, (u) => u.secret);

  it('finds the first entry with the presented secret, or the one its filter accepts', () => {
    assert.equal(matcher.match('other')?.name, 'c');
    assert.equal(matcher.match('shared')?.name, 'a');
    assert.equal(matcher.match('shared', (u) => u.name === 'b')?.name, 'b');
    assert.equal(
      matcher.match('other', (u) => u.name === 'a'),
      null,
    );
  });

  it('matches nothing for a wrong, empty or missing secret', () => {
    for (const presented of ['wrong', 'share', '', undefined, ['shared'], 42]) {
      assert.equal(matcher.match(presented), null, String(presented));
    }
    assert.equal(new SecretMatcher([], (u: { s: string }) => u.s).match('x'), null);
  });
});
