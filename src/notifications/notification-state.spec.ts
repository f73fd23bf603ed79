import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertSignal, alertSignal } from '../domain/alert-signal';
import { createdState, nextState } from './notification-state';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:01:00Z');

function signal(overrides: Partial<AlertSignal> = {}): AlertSignal {
  return alertSignal({
    source: 'stackstate',
    sourceInstance: 'prod',
    externalId: 'x',
    action: 'open',
    sourceTime: t0,
    severity: 'warning',
    sourceState: 'DEVIATING',
    title: 'Slow',
    message: 'why',
    component: { name: 'web' },
    host: 'web',
    tags: ['a:b'],
    metadata: { team: 'A' },
    links: [{ rel: 'monitor', href: 'https://m' }],
    payload: {},
    ...overrides,
  });
}

describe('notification state', () => {
  const opened = createdState('id-1', signal(), 'open', t0);

  it('creates an open notification at revision 1, or a closed one with its reason', () => {
    assert.equal(opened.revision, 1);
    assert.equal(opened.status, 'open');
    assert.equal(opened.closedAt, null);
    assert.equal(opened.closeReason, null);
    const closed = createdState('id-2', signal({ action: 'close', closeReason: 'ConfigRemoved' }), 'closed', t0);
    assert.equal(closed.closedAt, t0);
    assert.equal(closed.closeReason, 'ConfigRemoved');
  });

  it('an update refreshes everything the source said and keeps the newest source time', () => {
    const next = nextState(
      opened,
      signal({
        severity: 'critical',
        sourceState: 'CRITICAL',
        title: 'Slower',
        message: null,
        tags: [],
        sourceTime: t1,
      }),
      false,
      t1,
    );
    assert.equal(next.revision, 2);
    assert.equal(next.version, 2);
    assert.equal(next.severity, 'critical');
    assert.equal(next.title, 'Slower');
    assert.equal(next.message, null);
    assert.deepEqual(next.tags, []);
    assert.equal(next.sourceTime, t1);
    assert.equal(next.openedAt, t0);
    assert.equal(next.updatedAt, t1);
  });

  it('a close keeps what the open said and records why it closed', () => {
    const closeSignal = signal({
      action: 'close',
      sourceTime: null,
      severity: 'unknown',
      sourceState: 'CLOSED',
      title: 'Monitor name',
      message: null,
      component: null,
      host: null,
      tags: [],
      closeReason: 'HealthStateResolved',
    });
    const closed = nextState(opened, closeSignal, true, t1);
    assert.equal(closed.status, 'closed');
    assert.equal(closed.closedAt, t1);
    assert.equal(closed.closeReason, 'HealthStateResolved');
    assert.equal(closed.sourceState, 'CLOSED');
    assert.equal(closed.severity, 'warning');
    assert.equal(closed.title, 'Slow');
    assert.equal(closed.message, 'why');
    assert.deepEqual(closed.component, { name: 'web' });
    assert.deepEqual(closed.tags, ['a:b']);
    assert.equal(closed.sourceTime, t0);
  });
});
