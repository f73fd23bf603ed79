import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

// A process that logs through createLogging and then stays alive: what reaches its stdout, and when.
function logAndWait(calls: string): Promise<{ line: string; afterMs: number }[]> {
  const script = `
    const { createLogging } = require(${JSON.stringify(require.resolve('./logger'))});
    const { logger } = createLogging('info');
    ${calls}
    setTimeout(() => {}, 10000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = Date.now();
  const lines: { line: string; afterMs: number }[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) lines.push({ line, afterMs: Date.now() - started });
  });
  return new Promise((resolve) => setTimeout(() => (child.kill('SIGKILL'), resolve(lines)), 1500));
}

describe('createLogging', () => {
  it('writes a lone info line within its flush interval, while the process goes on', async () => {
    const lines = await logAndWait(`logger.log('one line', 'Test');`);
    assert.equal(lines.length, 1);
    const parsed = JSON.parse(lines[0].line) as { level: number; msg: string; context: string };
    assert.deepEqual([parsed.level, parsed.msg, parsed.context], [30, 'one line', 'Test']);
  });

  it('writes a warning with the info lines before it, in order', async () => {
    const lines = await logAndWait(`logger.log('first', 'Test'); logger.warn('then a warning', 'Test');`);
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l.line) as { msg: string }).msg),
      ['first', 'then a warning'],
    );
  });
});
