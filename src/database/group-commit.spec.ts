import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit, Pending } from './group-commit';

// A GroupCommit whose batches finish when the test says so.
function controlled(maxInFlight: number, maxBatch: number, beside?: { minBatch: number; afterMs: number }) {
  const batches: { jobs: number[]; finish: (error?: Error) => void }[] = [];
  const run = (batch: Pending<number, string>[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push({
        jobs: batch.map((p) => p.job),
        finish: (error) => {
          if (error) return reject(error);
          for (const p of batch) p.resolve(`done ${p.job}`);
          resolve();
        },
      });
    });
  const commit = new GroupCommit<number, string>({ maxInFlight, maxBatch, maxWaitMs: 60_000, tooLong, run, beside });
  return { commit, batches };
}

const tooLong = (waitedMs: number) => new Error(`waited ${waitedMs} ms`);
// One slot, batches of up to 10, jobs rejected after maxWaitMs waiting.
const oneSlot = (run: (batch: Pending<number, string>[]) => Promise<void>, maxWaitMs = 60_000) =>
  new GroupCommit<number, string>({ maxInFlight: 1, maxBatch: 10, maxWaitMs, tooLong, run });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('runs each job alone while slots are free, and groups the ones that wait, in arrival order', async () => {
    const { commit, batches } = controlled(2, 3);
    const results = [1, 2, 3, 4, 5, 6, 7].map((n) => commit.submit(n));
    assert.deepEqual(
      batches.map((b) => b.jobs),
      [[1], [2]],
    );
    assert.equal(commit.queued, 5);
    batches[0].finish();
    await tick();
    // The freed slot takes at most maxBatch of the waiting jobs.
    assert.deepEqual(batches[2].jobs, [3, 4, 5]);
    batches[1].finish();
    await tick();
    assert.deepEqual(batches[3].jobs, [6, 7]);
    batches[2].finish();
    batches[3].finish();
    assert.deepEqual(
      await Promise.all(results),
      [1, 2, 3, 4, 5, 6, 7].map((n) => `done ${n}`),
    );
    assert.equal(batches.length, 4);
  });

  it('keeps jobs submitted together in one batch, even past maxBatch, and never splits them', async () => {
    const { commit, batches } = controlled(1, 3);
    const first = commit.submit(1);
    const before = commit.submit(2);
    const together = commit.submitAll([10, 11, 12, 13, 14]);
    const after = commit.submit(3);
    assert.deepEqual(commit.submitAll([]), []);
    batches[0].finish();
    await tick();
    // Job 2 and the five do not fit in 3: job 2 goes alone; the five go next, whole, past maxBatch.
    assert.deepEqual(batches[1].jobs, [2]);
    batches[1].finish();
    await tick();
    assert.deepEqual(batches[2].jobs, [10, 11, 12, 13, 14]);
    batches[2].finish();
    await tick();
    assert.deepEqual(batches[3].jobs, [3]);
    batches[3].finish();
    assert.deepEqual(await Promise.all([first, before, ...together, after]), [
      'done 1',
      'done 2',
      'done 10',
      'done 11',
      'done 12',
      'done 13',
      'done 14',
      'done 3',
    ]);
  });

  it('groups jobs submitted together with single ones while they fit', async () => {
    const { commit, batches } = controlled(1, 4);
    void commit.submit(1);
    void commit.submit(2);
    void commit.submitAll([10, 11]);
    void commit.submitAll([20, 21]);
    batches[0].finish();
    await tick();
    assert.deepEqual(batches[1].jobs, [2, 10, 11]);
    batches[1].finish();
    await tick();
    assert.deepEqual(batches[2].jobs, [20, 21]);
    batches[2].finish();
  });

  it('rejects every job a failed batch left unsettled, and goes on with the next', async () => {
    const failing = oneSlot((batch) => {
      batch[0].resolve('first settled');
      return batch.length > 1 ? Promise.reject(new Error('connection lost')) : Promise.resolve();
    });
    const blocker = failing.submit(0);
    const grouped = [1, 2, 3].map((n) => failing.submit(n));
    assert.equal(await blocker, 'first settled');
    const outcomes = await Promise.allSettled(grouped);
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
      ['first settled', 'connection lost', 'connection lost'],
    );
    assert.equal(await failing.submit(4), 'first settled');
  });

  it('rejects a job its batch resolved without settling', async () => {
    const forgetful = oneSlot(() => Promise.resolve());
    await assert.rejects(forgetful.submit(1), /left this job unsettled/);
  });

  it('rejects jobs that wait too long for a slot, and all waiting ones on failWaiting', async () => {
    const { commit, batches } = controlled(1, 10);
    const running = commit.submit(1);
    const waiting = commit.submit(2);
    const hung = oneSlot(() => new Promise(() => {}), 30);
    void hung.submit(0);
    const started = Date.now();
    // The sweeper's timer does not keep a process alive (a server's sockets do); this test's must.
    const alive = setTimeout(() => undefined, 5000);
    await assert.rejects(hung.submit(1), /waited \d+ ms/);
    clearTimeout(alive);
    assert.ok(Date.now() - started >= 30);
    assert.equal(hung.queued, 0);

    commit.failWaiting(new Error('database gone'));
    await assert.rejects(waiting, /database gone/);
    assert.equal(commit.queued, 0);
    batches[0].finish();
    assert.equal(await running, 'done 1');
  });

  it('starts a batch beside a running one only once beside.minBatch jobs wait', async () => {
    const { commit, batches } = controlled(2, 10, { minBatch: 3, afterMs: 60_000 });
    const results = [1, 2, 3].map((n) => commit.submit(n));
    // The first runs at once; the next two wait although a slot is free.
    assert.deepEqual(
      batches.map((b) => b.jobs),
      [[1]],
    );
    assert.equal(commit.queued, 2);
    results.push(commit.submit(4));
    assert.deepEqual(
      batches.map((b) => b.jobs),
      [[1], [2, 3, 4]],
    );
    // A freed slot with no batch running takes whatever waits, however few.
    batches[0].finish();
    batches[1].finish();
    await tick();
    results.push(commit.submit(5));
    assert.deepEqual(batches[2].jobs, [5]);
    batches[2].finish();
    assert.deepEqual(await Promise.all(results), ['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
  });

  it('starts fewer than beside.minBatch beside a batch that has run for beside.afterMs, with no job arriving', async () => {
    const { commit, batches } = controlled(2, 10, { minBatch: 10, afterMs: 30 });
    const first = commit.submit(1);
    const second = commit.submit(2);
    assert.deepEqual(
      batches.map((b) => b.jobs),
      [[1]],
    );
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(
      batches.map((b) => b.jobs),
      [[1], [2]],
    );
    batches[1].finish();
    assert.equal(await second, 'done 2');
    batches[0].finish();
    assert.equal(await first, 'done 1');
  });

  it('refuses a configuration that could never run anything', () => {
    assert.throws(
      () => new GroupCommit({ maxInFlight: 0, maxBatch: 1, maxWaitMs: 1, tooLong, run: () => Promise.resolve() }),
      /at least 1/,
    );
  });
});
