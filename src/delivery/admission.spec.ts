import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admissionOf, ChannelOutlook, channelStatus } from './admission';
import { AdmissionRow } from './channel-state.repository';

const row = (fields: Partial<AdmissionRow>): AdmissionRow => ({
  granted: 0,
  tokens: 0,
  failures: 0,
  openForMs: null,
  probeForMs: null,
  disabledAt: null,
  disabledReason: null,
  ...fields,
});

describe('admission', () => {
  it('reads what the admission statement granted and how long the rest wait', () => {
    assert.deepEqual(admissionOf(row({ granted: 2, tokens: 0.25 }), 2), { kind: 'send', granted: 2, waitMs: 375 });
    assert.deepEqual(admissionOf(row({ openForMs: 4000.2 }), 2), { kind: 'send', granted: 0, waitMs: 4001 });
    // Half-open with another replica's probe under way: wait for the probe.
    assert.deepEqual(admissionOf(row({ openForMs: -5, probeForMs: 1500, tokens: 3 }), 2), {
      kind: 'send',
      granted: 0,
      waitMs: 1500,
    });
    assert.deepEqual(admissionOf(row({ disabledAt: new Date(), disabledReason: 'gone' }), 2), {
      kind: 'disabled',
      reason: 'gone',
    });
    assert.equal(admissionOf(row({ granted: 1, tokens: 5 }), 1000).kind, 'send');
  });

  it('claims for a channel only when it last heard a token would be there, or to dead-letter a disabled one', () => {
    const outlook = new ChannelOutlook(2, 1);
    assert.equal(outlook.claimable(0), true, 'nothing heard yet');
    outlook.heard(row({ tokens: 0 }), 1000);
    assert.equal(outlook.claimable(1200), false);
    assert.equal(outlook.claimable(1500), true);
    outlook.heard(row({ tokens: 1, openForMs: 3000, failures: 3 }), 2000);
    assert.equal(outlook.circuit, 'open');
    assert.equal(outlook.claimable(4999), false);
    assert.equal(outlook.claimable(5000), true);
    outlook.heard(row({ disabledAt: new Date() }), 6000);
    assert.equal(outlook.claimable(6000), true);
  });

  it('shows the circuit and disabled state from the shared row', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    assert.deepEqual(channelStatus(undefined, now), { circuit: 'closed', disabled: null });
    const open = channelStatus(
      Object.assign(new (class {})(), { openUntil: new Date(now.getTime() + 1000), disabledAt: null }) as never,
      now,
    );
    assert.equal(open.circuit, 'open');
  });
});
