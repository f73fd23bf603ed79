import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrMatcher } from './cidr';

describe('cidrMatcher', () => {
  it('matches addresses and CIDR blocks of both families, and IPv4-mapped IPv6 peers', () => {
    const allowed = cidrMatcher(['127.0.0.1/32', '10.0.0.0/8', '192.0.2.7', '::1/128', 'fd00::/8']);
    assert.equal(allowed('127.0.0.1'), true);
    assert.equal(allowed('::ffff:127.0.0.1'), true);
    assert.equal(allowed('10.200.3.4'), true);
    assert.equal(allowed('192.0.2.7'), true);
    assert.equal(allowed('192.0.2.8'), false);
    assert.equal(allowed('127.0.0.2'), false);
    assert.equal(allowed('::1'), true);
    assert.equal(allowed('fd12::5'), true);
    assert.equal(allowed('2001:db8::1'), false);
    assert.equal(allowed('not-an-ip'), false);
  });

  it('allows nobody when the list is empty', () => {
    assert.equal(cidrMatcher([])('127.0.0.1'), false);
  });
});
