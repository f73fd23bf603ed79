import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { steadyHeap } from './heap';

/** The largest heap V8 commits while a program keeps ~25 MB alive and churns garbage around it (V8's own factor: 245-256 MB here, 50%: 130-138). */
function churn(prelude: string): { total: number; applied: boolean } {
  const program = `
    ${prelude}
    const live = [];
    for (let i = 0; i < 200000; i++) live.push({ a: i, b: 'x' + i, c: [i] });
    let junk = [];
    let total = 0;
    for (let round = 0; round < 3000; round++) {
      for (let i = 0; i < 1000; i++) junk.push({ i, s: 'y' + i, list: new Array(8).fill(i) });
      if (junk.length > 100000) junk = [];
      total = Math.max(total, process.memoryUsage().heapTotal);
    }
    console.log(JSON.stringify({ total, applied: typeof applied === 'boolean' ? applied : false }));`;
  const run = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { total: number; applied: boolean };
}

describe('steadyHeap', () => {
  const load = `const applied = require(${JSON.stringify(require.resolve('./heap'))}).steadyHeap();`;

  it("holds V8's committed heap close to what it keeps alive, set at run time", () => {
    const own = churn('');
    const steady = churn(load);
    assert.equal(steady.applied, true);
    assert.ok(steady.total < own.total * 0.75, `heap total ${steady.total} with it, ${own.total} without`);
  });

  it("leaves a growing factor given on node's command line alone", () => {
    assert.equal(steadyHeap(['--heap-growing-percent=80']), false);
    assert.equal(steadyHeap(['--heap_growing_percent', '80']), false);
    const run = spawnSync(process.execPath, ['--heap-growing-percent=300', '-e', `${load} console.log(applied)`], {
      encoding: 'utf8',
    });
    assert.equal(run.stdout.trim(), 'false', run.stderr);
  });
});
