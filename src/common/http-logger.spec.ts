import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { redactRequestUrl, requestFields, requestIdFor, requestLogLevel, SLOW_REQUEST_MS } from './http-logger';

const req = (headers: Record<string, string>, url = '/webhooks/stackstate') =>
  ({ headers, method: 'POST', url }) as unknown as IncomingMessage;

describe('request logging', () => {
  it('takes a sane X-Request-Id, and makes a UUID for a missing or odd one', () => {
    assert.equal(requestIdFor(req({ 'x-request-id': 'trace-123' })), 'trace-123');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    assert.match(requestIdFor(req({})), uuid);
    assert.match(requestIdFor(req({ 'x-request-id': 'a b' })), uuid);
    assert.match(requestIdFor(req({ 'x-request-id': 'x'.repeat(129) })), uuid);
  });

  it('logs a request only when it failed, was aborted or slow; successes at debug', () => {
    assert.equal(requestLogLevel(200, 5, false), 'debug');
    assert.equal(requestLogLevel(202, SLOW_REQUEST_MS, false), 'info');
    assert.equal(requestLogLevel(200, 5, true), 'warn');
    assert.equal(requestLogLevel(404, 5, false), 'warn');
    assert.equal(requestLogLevel(503, 5, false), 'error');
  });

  it('names the request by id, method and URL, with the Monasca key redacted', () => {
    const monasca = Object.assign(req({}, '/webhooks/monasca/secret-key?x=1'), { id: 'r1' });
    assert.deepEqual(requestFields(monasca), { id: 'r1', method: 'POST', url: '/webhooks/monasca/[redacted]?x=1' });
    assert.equal(redactRequestUrl('/api/v1/notifications'), '/api/v1/notifications');
  });
});
