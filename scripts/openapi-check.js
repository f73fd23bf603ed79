#!/usr/bin/env node
// Fails when the spec does not lint or when the committed generated types are stale.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

try {
  run(bin('redocly'), ['lint', '--format=stylish', 'openapi/openapi.yaml']);
} catch (error) {
  process.stderr.write(`openapi:check: the spec does not lint:\n${error.stdout}${error.stderr}`);
  process.exit(1);
}

// The service's types and the TypeScript SDK's (clients/typescript) come from the same spec.
const generated = [
  ['openapi/openapi.yaml', 'src/generated/openapi.ts'],
  ['openapi/openapi.yaml', 'clients/typescript/src/schema.ts'],
];
const dir = mkdtempSync(join(tmpdir(), 'openapi-check-'));
let stale = false;
try {
  for (const [spec, committed] of generated) {
    const fresh = join(dir, 'fresh.ts');
    run(bin('openapi-typescript'), [spec, '-o', fresh]);
    if (readFileSync(fresh, 'utf8') !== readFileSync(join(root, committed), 'utf8')) {
      process.stderr.write(
        `openapi:check: ${committed} is stale; run "npm run openapi:generate" (it regenerates the SDK too) and commit it\n`,
      );
      stale = true;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (stale) process.exit(1);
process.stdout.write('openapi:check: spec lints clean, generated types are fresh\n');
