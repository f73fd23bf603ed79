import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, LifecycleState } from './lifecycle';
import { lifecycleSignal, t } from './lifecycle.fixtures';

const signal = lifecycleSignal;

const open: LifecycleState = { status: 'open', sourceState: 'CRITICAL', title: 'Disk full', sourceTime: t(10) };
const closed: LifecycleState = { ...open, status: 'closed', sourceState: 'OK', sourceTime: t(20) };

describe('decide', () => {
  it('opens a new id, and records a close for an unknown id', () => {
    assert.deepEqual(decide(null, signal({})), { kind: 'open' });
    assert.deepEqual(decide(null, signal({ action: 'close' })), { kind: 'record-close' });
  });

  it('records a one-shot once: the same one-shot again is a duplicate, whatever is stored', () => {
    assert.deepEqual(decide(null, signal({ action: 'close', oneShot: true })), { kind: 'one-shot' });
    assert.deepEqual(decide(closed, signal({ action: 'close', oneShot: true, sourceTime: null })), {
      kind: 'duplicate',
    });
    assert.deepEqual(decide(open, signal({ action: 'close', oneShot: true, sourceTime: null })), {
      kind: 'duplicate',
    });
  });

  it('updates an open notification when state or title changes, and names what changed', () => {
    assert.deepEqual(decide(open, signal({ sourceState: 'DEVIATING', sourceTime: t(11) })), {
      kind: 'update',
      changed: ['sourceState'],
    });
    assert.deepEqual(decide(open, signal({ title: 'Disk fuller' })), { kind: 'update', changed: ['title'] });
    assert.deepEqual(decide(open, signal({ title: 'B', sourceState: 'DEVIATING' })), {
      kind: 'update',
      changed: ['sourceState', 'title'],
    });
  });

  it('treats the same state and title as a duplicate, whatever else differs', () => {
    assert.deepEqual(decide(open, signal({})), { kind: 'duplicate' });
    assert.deepEqual(decide(open, signal({ sourceTime: t(30), message: 'other text', tags: ['a:b'] })), {
      kind: 'duplicate',
    });
  });

  it('ignores messages older than what is stored', () => {
    assert.deepEqual(decide(open, signal({ sourceState: 'DEVIATING', sourceTime: t(9) })), { kind: 'stale' });
    assert.deepEqual(decide(open, signal({ action: 'close', sourceTime: t(9) })), { kind: 'stale' });
    assert.deepEqual(decide(closed, signal({ action: 'close', sourceTime: t(19) })), { kind: 'stale' });
  });

  it('closes an open notification; a close without a source time always applies', () => {
    assert.deepEqual(decide(open, signal({ action: 'close', sourceTime: t(12) })), { kind: 'close' });
    assert.deepEqual(decide(open, signal({ action: 'close', sourceTime: null })), { kind: 'close' });
    assert.deepEqual(decide({ ...open, sourceTime: null }, signal({ action: 'close', sourceTime: t(1) })), {
      kind: 'close',
    });
  });

  it('repeats of a close are duplicates', () => {
    assert.deepEqual(decide(closed, signal({ action: 'close', sourceTime: t(20) })), { kind: 'duplicate' });
    assert.deepEqual(decide(closed, signal({ action: 'close', sourceTime: null })), { kind: 'duplicate' });
  });

  it('orders a message without a source time (mail) by arrival: never stale, newer than what is stored', () => {
    assert.deepEqual(decide(closed, signal({ reopenAfterClose: true, sourceTime: null })), { kind: 'open' });
    assert.deepEqual(decide(open, signal({ sourceTime: null })), { kind: 'duplicate' });
    assert.deepEqual(decide(open, signal({ sourceState: 'UP', sourceTime: null })), {
      kind: 'update',
      changed: ['sourceState'],
    });
    assert.deepEqual(decide(closed, signal({ reopenAfterClose: false, sourceTime: null })), { kind: 'stale' });
  });

  it('after a close, a newer open starts anew only where the source reuses ids', () => {
    assert.deepEqual(decide(closed, signal({ reopenAfterClose: true, sourceTime: t(21) })), { kind: 'open' });
    assert.deepEqual(decide(closed, signal({ reopenAfterClose: true, sourceTime: t(20) })), { kind: 'stale' });
    assert.deepEqual(decide(closed, signal({ reopenAfterClose: true, sourceTime: t(5) })), { kind: 'stale' });
    assert.deepEqual(decide(closed, signal({ reopenAfterClose: false, sourceTime: t(99) })), { kind: 'stale' });
    assert.deepEqual(decide({ ...closed, sourceTime: null }, signal({ reopenAfterClose: true, sourceTime: t(1) })), {
      kind: 'open',
    });
  });
});
