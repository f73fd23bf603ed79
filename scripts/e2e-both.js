#!/usr/bin/env node
// Runs the e2e suites on both databases at once (npm run test:e2e:embedded and test:e2e:postgres): most
// of their time is waiting (sockets, timers, fsync), so together they take little more than the longer
// one. Each suite's output is printed whole when it ends, not interleaved; the exit code is non-zero if
// either failed.
'use strict';
const { spawn } = require('node:child_process');

const suites = ['test:e2e:embedded', 'test:e2e:postgres'];
const started = Date.now();
const seconds = () => Math.round((Date.now() - started) / 1000);

const runs = suites.map(
  (suite) =>
    new Promise((resolve) => {
      const chunks = [];
      const child = spawn('npm', ['run', '--silent', suite], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (c) => chunks.push(c));
      child.stderr.on('data', (c) => chunks.push(c));
      child.on('close', (code, signal) => {
        process.stdout.write(Buffer.concat(chunks));
        process.stdout.write(
          `\n# ${suite}: ${code === 0 ? 'passed' : `FAILED (${signal ?? `exit ${code}`})`} after ${seconds()} s\n\n`,
        );
        resolve(code === 0);
      });
    }),
);
process.stdout.write(`# running ${suites.join(' and ')} at once; each prints when it ends\n`);
Promise.all(runs).then((passed) => process.exit(passed.every(Boolean) ? 0 : 1));
