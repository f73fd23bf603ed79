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
    const workers = (env: Record<string, string>) => {
      try {
        return loadConfig(NO_CHANNEL_TYPES, { ALERT_RELAY_CONFIG: 'config/alert-relay.yaml', ...env }).env.workers;
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    assert.equal(workers({}), 1);
    assert.equal(workers({ WORKERS: '4', DATABASE_URL: 'postgres://localhost/x' }), 4);
    assert.deepEqual(workers({ WORKERS: '2' }), [
      'WORKERS: more than 1 needs DATABASE_URL (the embedded database lives in one process)',
    ]);
    assert.match(String(workers({ WORKERS: '0', DATABASE_URL: 'postgres://localhost/x' })), /^WORKERS: /);
  });
});

describe('maintenance windows in the config', () => {
  it('reads recurring and one-off windows (unquoted timestamps stay strings)', () => {
    const config = load(`
maintenance:
  - { name: patch-tuesday, match: { tags: ["cluster-name:staging"] }, schedule: "0 2 * * TUE", timezone: Europe/Amsterdam, duration: 2h }
  - { name: db-move, match: { host: db-07 }, start: 2026-12-24T22:00:00Z, end: 2026-12-25T02:00:00Z }
`);
    assert.equal(config.maintenance.length, 2);
    assert.deepEqual(config.maintenance[0].match.tags, ['cluster-name:staging']);
    assert.equal(config.maintenance[1].start, '2026-12-24T22:00:00Z');
    assert.deepEqual(config.maintenance[1].match.host, ['db-07']);
  });

  it('names the key path of a bad cron, an unknown zone, an end before its start and a missing part', () => {
    const lines = problems(`
maintenance:
  - { name: a, match: { host: x }, schedule: "0 2 * * FOO", duration: 1h }
  - { name: b, match: { host: x }, schedule: "0 2 * * *", timezone: Europe/Amsterdm, duration: 1h }
  - { name: c, match: { host: x }, start: "2026-12-25T02:00:00Z", end: "2026-12-24T22:00:00Z" }
  - { name: d, match: { host: x }, schedule: "0 2 * * *" }
  - { name: e, match: { host: x } }
  - { name: f, match: { host: x }, schedule: "0 2 * * *", duration: 1h, start: "2026-12-24T22:00:00Z", end: "2026-12-25T02:00:00Z" }
  - { name: g, match: { host: x }, start: "2026-12-24T22:00:00Z" }
  - { name: a, match: {}, start: "tomorrow", end: "2026-12-25T02:00:00+01:00", duration: 1h }
  - { name: h, match: { hostname: x, metadata: { k: 1 } }, schedule: "0 2 * *", duration: 5s }
`);
    assert.deepEqual(lines, [
      'maintenance[7].start: must be an RFC 3339 date-time with an offset, e.g. 2026-12-24T22:00:00Z',
      'maintenance[8].match.hostname: unknown key',
      'maintenance[8].match.metadata: must map each metadata key to a string or a list of strings',
      'maintenance[8].duration: must be a duration like 500ms, 30s, 5m, 1h or 7d, at least 1m',
      'maintenance[0].schedule: not a cron expression (minute hour day-of-month month day-of-week): ' +
        'configuration entry 5 (FOO) contains illegal characters.',
      'maintenance[1].timezone: unknown time zone "Europe/Amsterdm" (an IANA name such as Europe/Amsterdam)',
      'maintenance[2].end: must be after start',
      'maintenance[3].duration: required with schedule',
      'maintenance[4]: needs schedule and duration (recurring) or start and end (one-off)',
      'maintenance[5]: give either schedule and duration (recurring) or start and end (one-off), not both',
      'maintenance[6].end: required with start',
      'maintenance[7].name: duplicate name "a"',
      'maintenance[7].match: needs at least one key (write source: "*" to hold everything)',
      'maintenance[7].duration: only with schedule (a one-off window has an end)',
      "maintenance[8].schedule: not a cron expression (minute hour day-of-month month day-of-week): invalid configuration format ('0 2 * *'), exactly five, six, or seven space separated parts are required.",
    ]);
  });
});
