import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthFailureLimiter, clientKey } from './auth-failures';

describe('AuthFailureLimiter', () => {
  it('lets a client fail `burst` times, then blocks it until a token comes back', () => {
    const limiter = new AuthFailureLimiter({ burst: 3, perSecond: 0.5, maxClients: 100 });
    const t = 1_000_000;
    for (let i = 0; i < 3; i++) {
      assert.equal(limiter.blockedForMs('192.0.2.1', t), 0);
      limiter.failed('192.0.2.1', t);
    }
    assert.equal(limiter.blockedForMs('192.0.2.1', t), 2000);
    assert.equal(limiter.blockedForMs('192.0.2.1', t + 1500), 500);
    assert.equal(limiter.blockedForMs('192.0.2.1', t + 2000), 0);
    assert.equal(limiter.blockedForMs('192.0.2.2', t), 0, 'other clients are not affected');
    assert.equal(limiter.blockedForMs('::ffff:192.0.2.1', t), 2000, 'IPv4-mapped is the same client');
  });

  it('remembers at most maxClients, forgetting those that failed longest ago', () => {
    const limiter = new AuthFailureLimiter({ burst: 1, perSecond: 0.001, maxClients: 1000 });
    for (let i = 0; i < 50_000; i++) limiter.failed(`10.0.${i >> 8}.${i & 255}`, 1000);
    assert.equal(limiter.size, 1000);
    assert.ok(limiter.blockedForMs('10.0.195.79', 1000) > 0, 'the newest is still blocked');
    assert.equal(limiter.blockedForMs('10.0.0.0', 1000), 0, 'the oldest was forgotten');
  });

  it('counts an IPv6 client by its /64', () => {
    assert.equal(clientKey('2001:db8:0:1:aaaa::1'), '2001:db8:0:1::/64');
    assert.equal(clientKey('2001:db8:0:1:bbbb:cccc:dddd:eeee'), '2001:db8:0:1::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('127.0.0.1'), '127.0.0.1');
  });
});
