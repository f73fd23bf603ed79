import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.loader';

// The loader's own rules; channel types are checked in src/channels/channels-config.spec.ts.
const NO_CHANNEL_TYPES = [] as const;

function load(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-ingress-config-'));
  try {
    writeFileSync(join(dir, 'c.yaml'), yaml);
    return loadConfig(NO_CHANNEL_TYPES, { ALERT_RELAY_CONFIG: join(dir, 'c.yaml') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function problems(yaml: string): string[] {
  try {
    load(yaml);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('ingress.alertmanager and ingress.pagerduty config', () => {
  it('defaults to no keys and the documented severity mappings', () => {
    const { alertmanager, pagerduty } = load('{}').ingress;
    assert.deepEqual(alertmanager.keys, []);
    assert.equal(alertmanager.severityLabel, 'severity');
    assert.deepEqual(alertmanager.severities, {
      critical: 'critical',
      error: 'critical',
      warning: 'warning',
      info: 'info',
    });
    assert.deepEqual(pagerduty.routingKeys, []);
    assert.deepEqual(
      { ...pagerduty.severities },
      { critical: 'critical', error: 'critical', warning: 'warning', info: 'info' },
    );
  });

  it('adds configured severities to the defaults, label values in lower case', () => {
    const { alertmanager, pagerduty } = load(`
ingress:
  alertmanager:
    keys: [{ name: prom, key: "am-key-0123456789abcdef" }]
    severityLabel: priority
    severities: { P1: critical, p3: info, error: warning }
  pagerduty:
    routingKeys: [{ name: grafana, key: "bars0pd0routing0key0123456789abc" }]
    severities: { error: warning }
`).ingress;
    assert.equal(alertmanager.severityLabel, 'priority');
    assert.deepEqual(alertmanager.severities, {
      critical: 'critical',
      error: 'warning',
      warning: 'warning',
      info: 'info',
      p1: 'critical',
      p3: 'info',
    });
    assert.equal(pagerduty.severities.error, 'warning');
    assert.equal(pagerduty.severities.critical, 'critical');
    assert.equal(pagerduty.routingKeys[0].name, 'grafana');
  });

  it('names every problem by its key path', () => {
    assert.deepEqual(
      problems(`
ingress:
  alertmanager:
    keys:
      - { name: prom, key: "am-key-0123456789abcdef" }
      - { name: prom, key: "short" }
    severities: { p1: urgent }
  pagerduty:
    routingKeys:
      - { name: a, key: "bars0pd0routing0key0123456789abc" }
      - { name: b, key: "bars0pd0routing0key0123456789abc" }
      - { name: "bad name", key: "with spaces in the key" }
    severities: { fatal: critical, error: high }
`),
      [
        'ingress.alertmanager.keys: names and keys must be unique: [1] has the same name as [0]',
        'ingress.alertmanager.keys[1].key: must be 16-256 characters without spaces',
        'ingress.alertmanager.severities: must map label values to one of critical, warning, info, unknown',
        'ingress.pagerduty.routingKeys: names and keys must be unique: [1] has the same key as [0]',
        'ingress.pagerduty.routingKeys[2].name: must be 1-64 letters, digits, "_", "-" or "."',
        'ingress.pagerduty.routingKeys[2].key: must be 16-256 characters without spaces',
        'ingress.pagerduty.severities.fatal: unknown key',
        'ingress.pagerduty.severities.error: must be one of the following values: critical, warning, info, unknown',
      ],
    );
  });
});
