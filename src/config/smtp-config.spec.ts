import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.loader';

// The loader's own rules; channel types are checked in src/channels/channels-config.spec.ts.
const NO_CHANNEL_TYPES = [] as const;

function load(yaml: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-config-'));
  try {
    writeFileSync(join(dir, 'c.yaml'), yaml);
    return loadConfig(NO_CHANNEL_TYPES, { ALERT_RELAY_CONFIG: join(dir, 'c.yaml'), ...env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function problems(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    load(yaml, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('ingress.smtp config', () => {
  it('has safe defaults: SMTP on 2525, loopback only, 1 MiB, no AUTH, HAProxy preset on', () => {
    const config = load('{}');
    assert.equal(config.env.smtpPort, 2525);
    assert.deepEqual(config.ingress.smtp.allowedClients, ['127.0.0.1/32', '::1/128']);
    assert.equal(config.ingress.smtp.maxMessageBytes, 1048576);
    assert.equal(config.ingress.smtp.auth.required, false);
    assert.deepEqual(config.ingress.smtp.auth.users, []);
    assert.equal(config.ingress.smtp.haproxy.enabled, true);
    assert.equal(load('{}', { SMTP_PORT: '0' }).env.smtpPort, 0);
  });

  it('names every problem by its key path', () => {
    const found = problems(`
ingress:
  smtp:
    allowedClients: [10.0.0.0/33]
    auth: { required: true }
    rules:
      - name: a
        match: { subject: '(?<host>\\w+' }
        externalId: '{hots}'
        action: reopen
      - name: a
        match: {}
        externalId: x
        action: open
`);
    assert.deepEqual(found.sort(), [
      'ingress.smtp.allowedClients: each value must be an IP address or CIDR block like 10.0.0.0/8 or ::1/128',
      'ingress.smtp.auth.required: needs at least one user in ingress.smtp.auth.users',
      'ingress.smtp.rules[0].action: must be one of the following values: open, close',
      "ingress.smtp.rules[0].externalId: {hots} is neither a named group of the rule's regexes nor one of subject, from, to, messageId, rule",
      'ingress.smtp.rules[0].match.subject: must be a valid JavaScript regular expression (u flag)',
      'ingress.smtp.rules[1].match: needs at least one of from, to, subject, body',
      'ingress.smtp.rules[1]: duplicate name',
    ]);
    assert.deepEqual(problems('{}', { SMTP_PORT: '70000' }), ['SMTP_PORT: must not be greater than 65535']);
  });

  it('accepts templates that use named groups and built-in fields', () => {
    const config = load(`
ingress:
  smtp:
    rules:
      - name: ok
        match: { subject: '^(?<host>\\S+) down', from: '^(?<sender>[^@]+)@' }
        externalId: '{host}'
        title: '{host} down, said {sender} ({subject})'
        action: open
`);
    assert.equal(config.ingress.smtp.rules[0].source, 'email');
    assert.equal(config.ingress.smtp.rules[0].severity, 'warning');
  });
});
