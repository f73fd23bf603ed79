import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelayMs } from './retry-policy';

const policy = { baseMs: 1000, maxMs: 30_000, jitter: 0.2 };

describe('retry policy', () => {
  it('doubles from the base up to the cap', () => {
    const mid = () => 0.5; // no jitter
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 50].map((a) => retryDelayMs(a, policy, undefined, mid)),
      [1000, 2000, 4000, 8000, 16000, 30000, 30000],
    );
  });

  it('spreads by ±jitter', () => {
    assert.equal(
      retryDelayMs(1, policy, undefined, () => 0),
      800,
    );
    assert.equal(
      retryDelayMs(1, policy, undefined, () => 1),
      1200,
    );
  });

  it('honours a longer Retry-After, and ignores a shorter one', () => {
    assert.equal(
      retryDelayMs(1, policy, 7000, () => 0.5),
      7000,
    );
    assert.equal(
      retryDelayMs(3, policy, 10, () => 0.5),
      4000,
    );
  });
});
