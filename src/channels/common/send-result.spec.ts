import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyHttpStatus, parseRetryAfter } from './send-result';

describe('answer classification', () => {
  it('classifies statuses as docs/channels.md says', () => {
    assert.deepEqual(
      [200, 204, 301, 400, 401, 404, 408, 410, 422, 425, 429, 500, 502, 503, 504].map(classifyHttpStatus),
      [
        'success',
        'success',
        'permanent',
        'permanent',
        'permanent',
        'permanent',
        'retry',
        'permanent',
        'permanent',
        'retry',
        'retry',
        'retry',
        'retry',
        'retry',
        'retry',
      ],
    );
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });
});
