import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createdState, LifecycleRow, nextState } from './notification-state';
import { lockKey } from './notification-sql';
import { RepeatLedger } from './repeat-ledger';
import { lifecycleSignal, t } from './lifecycle.fixtures';

const KEY = lockKey('test', 'x');

const signal = lifecycleSignal;

/** A ledger that saw `message` open notification n1 (revision 1). */
function opened(message = signal()): { ledger: RepeatLedger; row: LifecycleRow } {
  const ledger = new RepeatLedger();
  const row = createdState('n1', message, 'open', t(100));
  ledger.committed(KEY, null, row, message);
  return { ledger, row };
}

describe('RepeatLedger', () => {
  it('answers a repeat of the committed message as a duplicate and counts it per notification and revision', () => {
    const { ledger } = opened();
    assert.deepEqual(ledger.answer(signal(), t(101)), { id: 'n1', revision: 1 });
    assert.deepEqual(ledger.answer(signal({ message: 'other text, same decision' }), t(102)), {
      id: 'n1',
      revision: 1,
    });
    const [pending] = ledger.takePending();
    assert.equal(pending.count, 2);
    assert.deepEqual(pending.at, t(102));
    assert.equal(ledger.pendingCount, 0);
  });

  it('takes the normal path for any other message, for ids in flight, without a source time, and by hand', () => {
    const { ledger } = opened();
    assert.equal(ledger.answer(signal({ sourceState: 'WARNING' }), t(101)), null, 'another state');
    assert.equal(ledger.answer(signal({ sourceTime: t(11) }), t(101)), null, 'another source time');
    assert.equal(ledger.answer(signal({ externalId: 'y' }), t(101)), null, 'another id');
    ledger.begin(KEY);
    assert.equal(ledger.answer(signal(), t(101)), null, 'a message for the id is in flight');
    ledger.end(KEY);
    assert.ok(ledger.answer(signal(), t(101)));

    const mail = signal({ sourceTime: null });
    const noTime = new RepeatLedger();
    noTime.committed(KEY, null, createdState('n1', mail, 'open', t(100)), mail);
    assert.equal(noTime.answer(mail, t(101)), null, 'no source time: decided by arrival order');

    const byHand = new RepeatLedger();
    byHand.committed(KEY, null, createdState('n1', signal(), 'open', t(100)), undefined);
    assert.equal(byHand.answer(signal(), t(101)), null);
  });

  it('forgets the least recently committed or repeated ids first, past 10,000', () => {
    const { ledger } = opened();
    const other = (i: number) => {
      const message = signal({ externalId: `other-${i}` });
      ledger.committed(lockKey('test', `other-${i}`), null, createdState(`o${i}`, message, 'open', t(100)), message);
    };
    for (let i = 0; i < 9_999; i++) other(i);
    // x keeps repeating: still remembered after 10,000 more ids, while other-0 (never repeated) is not.
    assert.ok(ledger.answer(signal(), t(101)));
    for (let i = 9_999; i < 19_999; i++) {
      other(i);
      if (i % 1_000 === 0) assert.ok(ledger.answer(signal(), t(102)), `x forgotten after ${i} others`);
    }
    assert.ok(ledger.answer(signal(), t(103)));
    assert.equal(ledger.answer(signal({ externalId: 'other-0' }), t(103)), null);
  });

  it('forgets the id when a change leaves a row on which the repeat is no longer a duplicate (a close)', () => {
    const { ledger, row } = opened();
    const close = signal({ action: 'close', sourceState: 'OK', sourceTime: t(20) });
    const closed = nextState(row, close, true, t(110));
    ledger.committed(KEY, row, closed, close);
    assert.equal(ledger.answer(signal(), t(111)), null, 'the open again is stale: normal path');
    assert.deepEqual(ledger.answer(close, t(112)), { id: 'n1', revision: 2 }, 'the close again is a duplicate');
    ledger.stopAnswering();
    assert.equal(ledger.answer(close, t(113)), null, 'shutting down: normal path');
  });

  it("moves counts along with this process's own changes, and not past another replica's", () => {
    const { ledger, row } = opened();
    ledger.answer(signal(), t(101));
    const [taken] = ledger.takePending(); // a flush is under way with revision 1
    const update = signal({ sourceState: 'WARNING', sourceTime: t(15) });
    const updated = nextState(row, update, false, t(105));
    ledger.answer(signal(), t(102)); // counted on revision 1 too, before the update commits
    ledger.committed(KEY, row, updated, update);
    assert.deepEqual(
      ledger.takePending().map((p) => [p.revision, p.count]),
      [[2, 1]],
      'counted before the update: written on the revision it left',
    );
    assert.equal(ledger.movedOnHere(taken), true, 'the flush missed revision 1: this process moved it to 2');
    assert.deepEqual(
      ledger.takePending().map((p) => [p.revision, p.count]),
      [[2, 1]],
    );
    assert.equal(ledger.movedOnHere({ ...taken, revision: 2 }), false, 'moved on elsewhere');
  });

  it('counts a failed flush again, together with what was counted since', () => {
    const { ledger } = opened();
    ledger.answer(signal(), t(101));
    const taken = ledger.takePending();
    ledger.answer(signal(), t(102));
    ledger.restore(taken);
    const [pending] = ledger.takePending();
    assert.equal(pending.count, 2);
    assert.deepEqual(pending.at, t(102));
  });

  it('answers a body known to carry a remembered message, before it is mapped, and makes the message when the flush asks', () => {
    const { ledger } = opened();
    const made: string[] = [];
    const fromBody = () => {
      made.push('mapped');
      return signal();
    };
    assert.equal(ledger.answerBody('body-1', fromBody, t(101)), null, 'an unknown body');
    assert.equal(ledger.knowsBodies, false);
    ledger.rememberBody('body-1', signal());
    assert.equal(ledger.knowsBodies, true);
    const answered = ledger.answerBody('body-1', fromBody, t(102));
    assert.deepEqual([answered?.id, answered?.revision], ['n1', 1]);
    const { source, sourceInstance, externalId } = signal();
    assert.deepEqual(
      [answered?.origin.source, answered?.origin.sourceInstance, answered?.origin.externalId],
      [source, sourceInstance, externalId],
    );
    // Counted with the repeats of the same message that came the normal way.
    assert.ok(ledger.answer(signal(), t(103)));
    assert.ok(ledger.answerBody('body-1', fromBody, t(104)));
    const [pending] = ledger.takePending();
    assert.equal(pending.count, 3);
    assert.deepEqual(pending.at, t(104));
    assert.deepEqual(made, [], 'not mapped until asked');
    assert.deepEqual(pending.signal(), signal());
    assert.deepEqual(made, ['mapped']);
    assert.equal(pending.key, KEY);
  });

  it('remembers a body only for a message it would answer, and stops answering it when the id moves on', () => {
    const { ledger, row } = opened();
    ledger.rememberBody('other-state', signal({ sourceState: 'WARNING' }));
    ledger.rememberBody('other-id', signal({ externalId: 'y' }));
    assert.equal(ledger.knowsBodies, false, 'messages the ledger would not answer');
    ledger.rememberBody('body-1', signal());
    ledger.begin(KEY);
    assert.equal(ledger.answerBody('body-1', signal, t(101)), null, 'a message for the id is in flight');
    ledger.end(KEY);
    assert.ok(ledger.answerBody('body-1', signal, t(101)));
    const update = signal({ sourceState: 'WARNING', sourceTime: t(15) });
    ledger.committed(KEY, row, nextState(row, update, false, t(105)), update);
    assert.equal(ledger.answerBody('body-1', signal, t(106)), null, 'the old message is stale now: normal path');
    assert.equal(ledger.knowsBodies, false, 'and its body forgotten');
    ledger.stopAnswering();
    ledger.rememberBody('body-2', update);
    assert.equal(
      ledger.answerBody('body-2', () => update, t(107)),
      null,
      'shutting down: normal path',
    );
  });
});
