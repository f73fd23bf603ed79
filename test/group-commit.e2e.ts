import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { ApiError } from '../src/common/api-error';
import { UNSTORABLE_VALUE } from '../src/common/database-errors';
import { MetricsService } from '../src/metrics/metrics.service';
import { AlertSignal } from '../src/domain/alert-signal';
import { ChangeRepository } from '../src/notifications/change.repository';
import { NotificationsRepository } from '../src/notifications/notifications.repository';
import { MAX_PER_TRANSACTION, NotificationsService } from '../src/notifications/notifications.service';
import { StackStateEnvelopeDto } from '../src/ingress/stackstate/stackstate.dto';
import { toSignal } from '../src/ingress/stackstate/stackstate.service';
import { stackStateClose, stackStateOpen } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

// Signals as the StackState ingress makes them from its webhook bodies.
type OpenOverrides = Parameters<typeof stackStateOpen>[0];
const fromStackState = (envelope: object): AlertSignal =>
  toSignal(envelope as StackStateEnvelopeDto, envelope, 'group-commit-test');
const signal = (overrides: OpenOverrides = {}) =>
  fromStackState(stackStateOpen({ notificationId: randomUUID(), state: 'DEVIATING', ...overrides }));
const at = (seconds: number) => 1_700_000_000_000 + seconds * 1000;

// Group commit (ChangeRepository.applyGroup): signals that arrive while every ingest transaction
// slot is busy share one transaction. Filling the slots first makes the group deterministic: every signal
// submitted after them in the same tick waits, and they all go in the next group together.
describe(`Group commit of ingested signals (${TEST_DB})`, () => {
  let app: TestApp;
  let service: NotificationsService;
  let repository: NotificationsRepository;
  let changes: ChangeRepository;
  let metrics: MetricsService;
  before(async () => {
    app = await startTestApp();
    service = app.app.get(NotificationsService, { strict: false });
    repository = app.app.get(NotificationsRepository, { strict: false });
    changes = app.app.get(ChangeRepository, { strict: false });
    metrics = app.app.get(MetricsService, { strict: false });
  });
  after(async () => {
    await app?.close();
  });

  const fillSlots = () => Array.from({ length: changes.groupCommit.maxInFlight }, () => service.ingest(signal()));
  const groupsOfMoreThanOne = async () => {
    const { values } = await metrics.ingestGroupSize.get();
    const all = values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const single = values.find((v) => v.metricName?.endsWith('_bucket') && v.labels.le === 1)?.value ?? 0;
    return all - single;
  };
  const retries = async () => (await metrics.ingestGroupRetries.get()).values[0]?.value ?? 0;

  it('applies several signals for one id in a group one after the other, as if each came alone', async () => {
    const groupsBefore = await groupsOfMoreThanOne();
    const retriesBefore = await retries();
    const id = randomUUID();
    const fillers = fillSlots();
    const grouped = [
      service.ingest(signal({ notificationId: id, triggeredTimeMs: at(10) })),
      service.ingest(signal({ notificationId: id, triggeredTimeMs: at(20), state: 'CRITICAL' })),
      service.ingest(signal({ notificationId: id, triggeredTimeMs: at(30), state: 'CRITICAL' })),
      service.ingest(signal({ notificationId: id, triggeredTimeMs: at(5) })),
      service.ingest(fromStackState(stackStateClose(id, 'cleared'))),
      service.ingest(signal({ notificationId: id, triggeredTimeMs: at(40) })),
    ];
    await Promise.all(fillers);
    const results = await Promise.all(grouped);
    assert.deepEqual(
      results.map((r) => [r.result, r.revision]),
      [
        ['opened', 1],
        ['updated', 2],
        ['duplicate', 2],
        ['stale', 2],
        ['closed', 3],
        // StackState ids are finished once closed: a later open is a late retry.
        ['stale', 3],
      ],
    );
    assert.equal(await groupsOfMoreThanOne(), groupsBefore + 1);
    // All in the one transaction: not rolled back and redone one by one.
    assert.equal(await retries(), retriesBefore);

    const notificationId = results[0].notificationId!;
    const stored = await repository.findById(notificationId);
    assert.equal(stored?.status, 'closed');
    assert.equal(stored?.severity, 'critical');
    assert.equal(stored?.duplicateCount, 1);
    // open 1, update 2, duplicate 3, close 4: the in-memory chain and the database agree.
    assert.equal(stored?.version, 4);
    assert.equal(stored?.closeReason, 'cleared');
    const events = await repository.listEvents(notificationId);
    assert.deepEqual(
      events.map((e) => [e.type, e.revision]),
      [
        ['opened', 1],
        ['updated', 2],
        ['closed', 3],
      ],
    );
  });

  it('fails only the signal at fault when a value cannot be stored, and keeps the rest of its group', async () => {
    const retriesBefore = await retries();
    const fillers = fillSlots();
    const good = [signal(), signal(), signal()];
    const grouped = [
      service.ingest(good[0]),
      // Refused by PostgreSQL itself (an unpaired surrogate is not valid jsonb): the group is rolled back
      // and applied again one by one.
      service.ingest({ ...signal(), metadata: { team: '\ud800' } }),
      service.ingest(good[1]),
      // Refused before anything is sent (a NUL cannot travel in a query): only this one fails.
      service.ingest(signal({ title: 'bad\u0000title' })),
      service.ingest(good[2]),
    ];
    const settled = Promise.allSettled(grouped);
    await Promise.all(fillers);
    const outcomes = await settled;
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value.result : 'rejected')),
      ['opened', 'rejected', 'opened', 'rejected', 'opened'],
    );
    const code = (i: number) => ((outcomes[i] as PromiseRejectedResult).reason as { code?: string }).code;
    assert.match(code(1) ?? '', /^22P0[25]$/);
    assert.equal(code(3), '22021');
    assert.equal(await retries(), retriesBefore + 1);
    for (const s of good) {
      const rows = await repository.list({ externalId: s.externalId, direction: 'ASC', limit: 10 });
      assert.equal(rows.length, 1, `exactly one notification for ${s.externalId}`);
    }
  });

  it('drops the statements of a signal that fails half-way, and commits the rest of the group as it is', async () => {
    const retriesBefore = await retries();
    const fillers = fillSlots();
    const good = signal();
    // Fails after its notification's INSERT is in the batch (the event's payload cannot be serialised):
    // that INSERT must go too, or a notification would commit for a message that got an error.
    const unserialisable = { ...signal(), payload: { count: BigInt(1) } };
    const settled = Promise.allSettled([service.ingest(unserialisable), service.ingest(good)]);
    await Promise.all(fillers);
    const [failed, opened] = await settled;
    assert.equal(failed.status, 'rejected');
    assert.match(String(failed.reason), /BigInt/);
    assert.equal(opened.status === 'fulfilled' && opened.value.result, 'opened');
    assert.equal(await retries(), retriesBefore, 'no statement reached PostgreSQL that it refused');
    const stored = (externalId: string) => repository.list({ externalId, direction: 'ASC', limit: 10 });
    assert.equal((await stored(unserialisable.externalId)).length, 0);
    assert.equal((await stored(good.externalId)).length, 1);
  });

  // The alerts of one webhook request (NotificationsService.ingestAll, ChangeRepository.applyAll).
  const groupTotals = async () => {
    const { values } = await metrics.ingestGroupSize.get();
    const value = (suffix: string) => values.find((v) => v.metricName?.endsWith(suffix))?.value ?? 0;
    return { count: value('_count'), sum: value('_sum') };
  };
  const writerTransactions = async (externalIds: string[]) => {
    const db = new Client({ connectionString: app.database.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ xid: string }>(
        `SELECT DISTINCT n.xmin::text AS xid FROM notifications n WHERE n.external_id = ANY($1::text[])
         UNION SELECT DISTINCT e.xmin::text FROM notification_events e JOIN notifications n ON n.id = e.notification_id
         WHERE n.external_id = ANY($1::text[])`,
        [externalIds],
      );
      return rows.map((r) => r.xid);
    } finally {
      await db.end();
    }
  };

  it('applies the signals of one request in one transaction, however many, with one result each in order', async () => {
    const before = await groupTotals();
    const signals = Array.from({ length: 100 }, (_, i) => signal({ triggeredTimeMs: at(i) }));
    // The same id twice in one request: planned in order, as if one came after the other.
    signals.push(fromStackState(stackStateClose(signals[0].externalId, 'cleared')));
    const results = await service.ingestAll(signals, (i) => `alerts[${i}]`);
    assert.equal(results.length, 101);
    assert.ok(results.slice(0, 100).every((r) => r.result === 'opened' && r.revision === 1));
    assert.deepEqual(results[100], { ...results[0], result: 'closed', revision: 2 });
    const after = await groupTotals();
    assert.deepEqual(after, { count: before.count + 1, sum: before.sum + 101 });
    const externalIds = signals.map((s) => s.externalId);
    assert.equal((await writerTransactions(externalIds)).length, 1, 'every row and event written by one transaction');
  });

  it('splits a request of more signals than one transaction takes into transactions of that many', async () => {
    const before = await groupTotals();
    const signals = Array.from({ length: 2 * MAX_PER_TRANSACTION + 1 }, () => signal());
    const results = await service.ingestAll(signals, (i) => `alerts[${i}]`);
    assert.ok(results.every((r) => r.result === 'opened'));
    assert.deepEqual(await groupTotals(), { count: before.count + 3, sum: before.sum + signals.length });
    assert.equal((await writerTransactions(signals.map((s) => s.externalId))).length, 3);
  });

  it('stores the rest of a request when one of its signals cannot be stored, and names the one refused', async () => {
    const good = [signal(), signal(), signal()];
    const bad = { ...signal(), metadata: { team: '\ud800' } };
    await assert.rejects(
      service.ingestAll([good[0], bad, good[1], good[2]], (i) => `alerts[${i}]`),
      (error: unknown) => {
        const { status, message, details } = error as ApiError;
        assert.equal(status, 400);
        assert.match(message, /^1 of 4 could not be stored .*the other 3 were stored$/);
        assert.deepEqual(details, [{ field: 'alerts[1]', problem: `holds ${UNSTORABLE_VALUE}` }]);
        return true;
      },
    );
    for (const s of good) {
      const rows = await repository.list({ externalId: s.externalId, direction: 'ASC', limit: 10 });
      assert.equal(rows.length, 1, `the good signal ${s.externalId} is stored`);
    }
    assert.equal((await repository.list({ externalId: bad.externalId, direction: 'ASC', limit: 10 })).length, 0);
  });
});
