import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.loader';

const dir = mkdtempSync(join(tmpdir(), 'alert-relay-maintenance-'));
function load(yaml: string) {
  const path = join(dir, `${Math.random()}.yaml`);
  writeFileSync(path, yaml);
  return loadConfig([], { ALERT_RELAY_CONFIG: path });
}
function problems(yaml: string): string[] {
  try {
    load(yaml);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

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
