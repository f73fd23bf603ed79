import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker } from './circuit-breaker';
import { TokenBucket } from './token-bucket';

describe('circuit breaker', () => {
  it('opens after the threshold, lets one probe through after openFor, closes on success', () => {
    const cb = new CircuitBreaker(3, 1000);
    cb.onFailure(0);
    cb.onFailure(0);
    assert.ok(cb.allow(0));
    cb.onFailure(10);
    assert.equal(cb.current(10), 'open');
    assert.ok(!cb.allow(500));
    assert.equal(cb.retryInMs(500), 510);
    assert.ok(cb.allow(1010), 'the probe');
    assert.ok(!cb.allow(1011), 'only one probe at a time');
    cb.onSuccess();
    assert.equal(cb.current(1012), 'closed');
    assert.ok(cb.allow(1012));
  });

  it('opens again when the probe fails', () => {
    const cb = new CircuitBreaker(1, 100);
    cb.onFailure(0);
    assert.ok(cb.allow(100));
    cb.onFailure(100);
    assert.ok(!cb.allow(150));
    assert.equal(cb.current(150), 'open');
  });
});

describe('token bucket', () => {
  it('allows a burst, then one token per 1/perSecond', () => {
    const bucket = new TokenBucket(1, 2, 0);
    assert.deepEqual(bucket.take(0), { ok: true });
    assert.deepEqual(bucket.take(0), { ok: true });
    assert.deepEqual(bucket.take(0), { ok: false, waitMs: 1000 });
    assert.deepEqual(bucket.take(500), { ok: false, waitMs: 500 });
    assert.deepEqual(bucket.take(1000), { ok: true });
  });
});
