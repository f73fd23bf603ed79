import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.loader';

// The loader's own rules; channel types are checked in src/channels/channels-config.spec.ts.
const NO_CHANNEL_TYPES = [] as const;

const dir = mkdtempSync(join(tmpdir(), 'alert-relay-config-'));
function load(yaml: string, env: Record<string, string> = {}) {
  const path = join(dir, `${Math.random()}.yaml`);
  writeFileSync(path, yaml);
  return loadConfig(NO_CHANNEL_TYPES, { ALERT_RELAY_CONFIG: path, ...env });
}
function problems(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    load(yaml, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads the example config with its defaults', () => {
    const config = loadConfig(NO_CHANNEL_TYPES, { ALERT_RELAY_CONFIG: 'config/alert-relay.yaml' });
    assert.equal(config.env.port, 8080);
    assert.equal(config.http.bodyLimitBytes, 1048576);
    assert.equal(config.ingress.stackstate.tokens[0].token, 'dev-stackstate-token');
    assert.equal(config.env.databaseUrl, undefined);
  });

  it('substitutes ${VAR} and ${VAR:-default} from the environment', () => {
    const config = load(
      'ingress:\n  stackstate:\n    tokens: [{ name: a, token: "${TOKEN}" }, { name: b, token: "${OTHER:-fallback-token}" }]\n',
      { TOKEN: 'from-the-environment' },
    );
    assert.deepEqual(
      config.ingress.stackstate.tokens.map((t) => t.token),
      ['from-the-environment', 'fallback-token'],
    );
  });

  it('names the key path of every problem, one line each, and never echoes a value', () => {
    const lines = problems(`
http:
  bodyLimitBytes: lots
ingress:
  stackstate:
    tokens:
      - { name: ok, token: short }
      - { name: "bad name!", token: "secret-value-123" }
  monasca:
    keys: [{ name: m, key: "\${MISSING_KEY}" }]
api:
  keys: [{ name: t, key: "0123456789abcdef", scopes: [read, admin] }]
  typo: true
`);
    assert.deepEqual(lines, [
      'ingress.monasca.keys[0].key: environment variable MISSING_KEY is not set',
      'http.bodyLimitBytes: must not be greater than 67108864; must not be less than 1024; must be an integer number',
      'ingress.stackstate.tokens[0].token: must be at least 8 characters',
      'ingress.stackstate.tokens[1].name: must be 1-64 letters, digits, "_", "-" or "."',
      'ingress.monasca.keys[0].key: must be 16-256 URL-safe characters (A-Z a-z 0-9 _ -)',
      'api.typo: unknown key',
      'api.keys[0].scopes: each value in scopes must be one of the following values: read, write',
    ]);
    assert.ok(lines.every((l) => !l.includes('secret-value-123')));
  });

  it('rejects duplicate names and secrets', () => {
    const lines = problems(
      'ingress:\n  stackstate:\n    tokens: [{ name: a, token: same-token }, { name: a, token: same-token }]\n',
    );
    assert.deepEqual(lines, [
      'ingress.stackstate.tokens[1]: duplicate name',
      'ingress.stackstate.tokens[1]: duplicate token',
    ]);
  });

  it('reads a route group with its defaults, and names every bad key of one', () => {
    const config = load(
      'routes:\n  - { name: storm, channels: [], group: { by: [host, metadata.team, "tag:cluster-name"] } }\n',
    );
    assert.deepEqual(
      { ...config.routes[0].group },
      {
        by: ['host', 'metadata.team', 'tag:cluster-name'],
        wait: '30s',
        interval: '5m',
        maxItems: 50,
      },
    );
    assert.equal(load('routes:\n  - { channels: [], group: {} }\n').routes[0].group?.by.length, 0);
    assert.deepEqual(
      problems(`
routes:
  - name: a
    channels: []
    group: { by: [hostname, metadata., host, host], wait: soon, interval: 10ms, maxItems: 0, every: 1m }
  - { name: a, channels: [] }
`),
      [
        'routes[0].group.every: unknown key',
        'routes[0].group.by: each must be one of source, sourceInstance, severity, host, status, metadata.<key>, tag:<prefix>; must not name a key twice',
        'routes[0].group.wait: must be a duration like 500ms, 30s, 5m, 1h or 7d, at least 0ms',
        'routes[0].group.interval: must be a duration like 500ms, 30s, 5m, 1h or 7d, at least 100ms',
        'routes[0].group.maxItems: must not be less than 1',
        'routes[1]: duplicate name',
      ],
    );
  });

  it('explains an unreadable file, bad YAML and bad environment variables', () => {
    assert.throws(
      () => loadConfig(NO_CHANNEL_TYPES, { ALERT_RELAY_CONFIG: join(dir, 'missing.yaml') }),
      /cannot read the file: ENOENT/,
    );
    assert.deepEqual(problems('ingress: [\n'), [problems('ingress: [\n')[0]]);
    assert.match(problems('ingress: [\n')[0], /^not valid YAML: /);
    assert.deepEqual(problems('- a\n- b\n'), ['the top level must be a mapping']);
    assert.throws(
      () =>
        loadConfig(NO_CHANNEL_TYPES, {
          ALERT_RELAY_CONFIG: 'config/alert-relay.yaml',
          PORT: 'eighty',
          LOG_LEVEL: 'loud',
        }),
      (error: ConfigError) =>
        error.problems.some((p) => p.startsWith('PORT: ')) && error.problems.some((p) => p.startsWith('LOG_LEVEL: ')),
    );
  });
});
