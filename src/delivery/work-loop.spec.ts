import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkLoop } from './work-loop';

const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('work loop', () => {
  it('runs one round at a time: kicks during a round make one more after it', async () => {
    let rounds = 0;
    let release: () => void = () => undefined;
    const loop = new WorkLoop<string>({
      round: () => {
        rounds++;
        return new Promise<void>((resolve) => (release = resolve));
      },
      failed: () => undefined,
      retryMs: 10,
      giveBack: () => Promise.resolve(),
    });
    loop.kick();
    loop.kick();
    loop.kick();
    assert.equal(rounds, 1);
    release();
    await tick();
    assert.equal(rounds, 2, 'the kicks during the round: one more round');
    release();
    await tick();
    assert.equal(rounds, 2);
    await loop.stop(10);
  });

  it('tries again after a failed round, and plans the earliest of two wake-ups', async () => {
    const failures: unknown[] = [];
    let rounds = 0;
    const loop = new WorkLoop<string>({
      round: () => (++rounds === 1 ? Promise.reject(new Error('database away')) : Promise.resolve()),
      failed: (error) => failures.push(error),
      retryMs: 20,
      giveBack: () => Promise.resolve(),
    });
    loop.kick();
    await tick(60);
    assert.equal(failures.length, 1);
    assert.equal(rounds, 2);
    loop.schedule(1000);
    loop.soon(10);
    loop.soon(500);
    await tick(40);
    assert.equal(rounds, 3);
    await loop.stop(10);
  });

  it('gives the sends in flight a grace at a stop, then hands back what is left', async () => {
    const givenBack: string[][] = [];
    const loop = new WorkLoop<string>({
      round: () => Promise.resolve(),
      failed: () => undefined,
      retryMs: 10,
      giveBack: (left) => Promise.resolve(void givenBack.push(left)),
    });
    loop.track('quick', tick(5));
    loop.track('stuck', new Promise(() => undefined));
    assert.equal(loop.busy, 2);
    await loop.stop(50);
    assert.ok(loop.stopped);
    assert.deepEqual(givenBack, [['stuck']]);
  });
});
