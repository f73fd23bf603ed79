import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { projectRoot } from '../src/common/project-root';
import { operations } from './support/spec-client';
import { TEST_DB } from './support/test-database';

const run = promisify(execFile);
const bin = (name: string) => join(projectRoot(), 'node_modules', '.bin', name);

// Evidence that clients in other stacks come out clean: a second, independent generator
// (@hey-api/openapi-ts) turns the spec into a fetch client that type-checks strictly. The spec is the
// same for either database: checked once, in the embedded run.
describe(
  'the spec with a second generator',
  { skip: TEST_DB === 'postgres' ? 'checked in the embedded run' : false },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'alert-relay-hey-api-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('generates a @hey-api/openapi-ts client with one function per operation that type-checks under strict', async () => {
      const output = join(dir, 'client');
      const generated = await run(
        bin('openapi-ts'),
        [
          '-i',
          join(projectRoot(), 'openapi', 'openapi.yaml'),
          '-o',
          output,
          '-c',
          '@hey-api/client-fetch',
          '--no-log-file',
        ],
        { cwd: dir },
      );
      assert.doesNotMatch(generated.stdout + generated.stderr, /warn|error|❌/i);
      const sdk = readFileSync(join(output, 'sdk.gen.ts'), 'utf8');
      const functions = [...sdk.matchAll(/^export const (\w+)/gm)].map((m) => m[1]).sort();
      assert.deepEqual(functions, Object.keys(operations).sort());
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: 'ES2022',
            module: 'ESNext',
            moduleResolution: 'Bundler',
            lib: ['ES2022', 'DOM', 'DOM.Iterable'],
            types: [],
          },
          include: ['client/**/*.ts'],
        }),
      );
      const checked = await run(bin('tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: dir }).catch(
        (error: { stdout?: string; message: string }) => ({ stdout: error.stdout ?? error.message, failed: true }),
      );
      assert.ok(!('failed' in checked), `the generated client does not type-check:\n${checked.stdout}`);
    });

    it('builds the TypeScript SDK package (clients/typescript) on its own tsconfig', async () => {
      const sdkDir = join(projectRoot(), 'clients', 'typescript');
      const checked = await run(bin('tsc'), ['-p', join(sdkDir, 'tsconfig.json'), '--noEmit'], { cwd: sdkDir }).catch(
        (error: { stdout?: string; message: string }) => ({ stdout: error.stdout ?? error.message, failed: true }),
      );
      assert.ok(!('failed' in checked), `clients/typescript does not build:\n${checked.stdout}`);
    });
  },
);
