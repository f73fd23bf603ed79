import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRelease, HeldPair } from './release-decision';

const pair = (overrides: Partial<HeldPair>): HeldPair => ({
  notificationId: 'n',
  channel: 'c',
  status: 'open',
  revision: 1,
  heldIds: ['h'],
  heldReminderSequence: null,
  told: null,
  ...overrides,
});

describe('decideRelease', () => {
  it('tells an open notification the channel never heard of as opened, with its current state', () => {
    assert.deepEqual(decideRelease(pair({ revision: 3 })), { send: 'opened' });
  });

  it('tells an open notification that changed since the channel last heard as updated', () => {
    const told = { id: 't', sequence: '10', revision: 1 };
    assert.deepEqual(decideRelease(pair({ revision: 2, told })), { send: 'updated' });
  });

  it('sends nothing when the channel already has (or is about to get) the current revision', () => {
    const told = { id: 't', sequence: '20', revision: 2 };
    assert.deepEqual(decideRelease(pair({ revision: 2, told })), { send: null, releasedAs: 't' });
  });

  it('sends the reminder that came due while held, at once (not a whole remindEvery later)', () => {
    const told = { id: 't', sequence: '10', revision: 2 };
    assert.deepEqual(decideRelease(pair({ revision: 2, told, heldReminderSequence: '11' })), { send: 'reminder' });
    // A newer change reached the channel after that reminder: it already knows.
    const newer = { id: 'u', sequence: '12', revision: 2 };
    assert.deepEqual(decideRelease(pair({ revision: 2, told: newer, heldReminderSequence: '11' })), {
      send: null,
      releasedAs: 'u',
    });
  });

  it('keeps a notification that opened and closed while held quiet', () => {
    assert.deepEqual(decideRelease(pair({ status: 'closed', revision: 2 })), { send: null, releasedAs: null });
  });

  it('resolves a notification the channel was told opened before the hold and that closed during it', () => {
    const told = { id: 't', sequence: '10', revision: 1 };
    assert.deepEqual(decideRelease(pair({ status: 'closed', revision: 3, told })), { send: 'resolved' });
  });

  it('sends no second resolve when the close already reached the channel', () => {
    const told = { id: 't', sequence: '30', revision: 3 };
    assert.deepEqual(decideRelease(pair({ status: 'closed', revision: 3, told })), { send: null, releasedAs: 't' });
  });
});
