import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from './common/project-root';

// The layers of src/ (docs/architecture.md), top to bottom. A module may import from the layers below
// its own, never from its own layer's other modules or from above. The files directly in src/ compose
// the app and may import anything.
const LAYERS: string[][] = [
  ['api', 'ingress', 'ops', 'console'],
  ['notifications'],
  ['silences', 'digests'],
  ['routing', 'delivery'],
  ['channels'],
  ['config', 'database', 'metrics'],
  ['domain'],
  ['common'],
  ['generated'],
];

// Imports allowed against the layers, each with its reason.
const EXCEPTIONS: Record<string, string> = {};

const SRC = join(projectRoot(), 'src');
const MAX_LINES = 400;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const layerOf = (module: string) => LAYERS.findIndex((layer) => layer.includes(module));
const moduleOf = (path: string) => relative(SRC, path).split('/')[0];

describe('architecture', () => {
  const files = sources(SRC);

  it('knows the layer of every module', () => {
    const modules = new Set(files.map(moduleOf).filter((m) => !m.endsWith('.ts')));
    for (const module of modules) assert.notEqual(layerOf(module), -1, `src/${module} is in no layer`);
  });

  it('has no import that runs against the layers', () => {
    const wrong: string[] = [];
    for (const file of files.filter((f) => !f.endsWith('.spec.ts'))) {
      const from = moduleOf(file);
      if (from.endsWith('.ts')) continue;
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^import[^;]*? from '(\.[^']+)';/gms)) {
        const to = moduleOf(resolve(dirname(file), spec));
        if (to === from || to.endsWith('.ts') || to.startsWith('..')) continue;
        const edge = `${relative(SRC, file)} -> ${to}`;
        if (layerOf(to) <= layerOf(from) && !(edge in EXCEPTIONS)) wrong.push(edge);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it(`keeps every source file under ${MAX_LINES} lines`, () => {
    const long = files
      .map((file) => ({ file: relative(SRC, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_LINES);
    assert.deepEqual(long, []);
  });
});
