import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainText, render, truncate } from './render';
import { sampleNotification as notification } from './sample-message';

describe('message rendering', () => {
  it('labels opened, updated, resolved and reminder messages', () => {
    const n = notification();
    assert.equal(render('opened', n).headline, '[CRITICAL] Server be_app/web1 is DOWN');
    assert.equal(render('updated', n).headline, '[CRITICAL · UPDATED] Server be_app/web1 is DOWN');
    assert.equal(render('resolved', { ...n, closeReason: 'UP' }).headline, '[RESOLVED] Server be_app/web1 is DOWN');
    assert.equal(render('reminder', n).headline, '[REMINDER · CRITICAL] Server be_app/web1 is DOWN');
    assert.ok(
      render('resolved', { ...n, closeReason: 'UP' }).fields.some((f) => f.label === 'Reason' && f.value === 'UP'),
    );
    assert.deepEqual(render('opened', n).links, [{ title: 'monitor', url: 'https://example.com/m/1' }]);
  });

  it('cuts by code points and marks the cut', () => {
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(truncate('ab', 4), 'ab');
    assert.equal([...truncate('🔥'.repeat(10), 5)].length, 5);
    assert.ok(plainText(render('opened', notification({ message: 'x'.repeat(5000) })), 1024).length <= 1024);
  });
});
