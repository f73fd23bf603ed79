import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { MailRuleConfig } from '../../config/smtp.config';
import { MailFacts, MailRules } from './mail-rules';

const rule = (plain: Record<string, unknown>) => plainToInstance(MailRuleConfig, plain);

const facts = (over: Partial<MailFacts> = {}): MailFacts => ({
  from: ['nagios@monitor.example.com', 'nagios@monitor.example.com'],
  to: ['alerts@relay.example.com'],
  subject: '** PROBLEM Service Alert: db01/Disk is CRITICAL **',
  body: 'Host: db01\nState: CRITICAL\n',
  messageId: '<abc@monitor>',
  ...over,
});

const nagios = [
  rule({
    name: 'nagios-problem',
    match: {
      from: '^nagios@',
      subject: '^\\*\\* PROBLEM Service Alert: (?<host>[^/]+)/(?<service>.+) is (?<state>\\w+) \\*\\*$',
    },
    source: 'nagios',
    externalId: '{host}/{service}',
    action: 'open',
    severity: 'critical',
    title: '{service} on {host}',
    sourceState: '{state}',
    host: '{host}',
  }),
  rule({
    name: 'nagios-recovery',
    match: { subject: '^\\*\\* RECOVERY Service Alert: (?<host>[^/]+)/(?<service>.+) is (?<state>\\w+) \\*\\*$' },
    source: 'nagios',
    externalId: '{host}/{service}',
    action: 'close',
  }),
];

describe('MailRules', () => {
  it('maps a matching mail through the named groups', () => {
    const outcome = new MailRules(nagios).match(facts());
    assert.deepEqual(outcome, {
      rule: 'nagios-problem',
      source: 'nagios',
      externalId: 'db01/Disk',
      action: 'open',
      severity: 'critical',
      title: 'Disk on db01',
      sourceState: 'CRITICAL',
      host: 'db01',
      reopenAfterClose: true,
      groups: { host: 'db01', service: 'Disk', state: 'CRITICAL' },
    });
  });

  it('takes the first matching rule and applies defaults', () => {
    const outcome = new MailRules(nagios).match(facts({ subject: '** RECOVERY Service Alert: db01/Disk is OK **' }));
    assert.equal(outcome?.rule, 'nagios-recovery');
    assert.equal(outcome.action, 'close');
    assert.equal(outcome.externalId, 'db01/Disk');
    assert.equal(outcome.severity, 'warning');
    assert.equal(outcome.sourceState, 'CLOSE');
    assert.equal(outcome.title, '** RECOVERY Service Alert: db01/Disk is OK **');
    assert.equal(outcome.host, null);
  });

  it('requires every matcher to match (from AND subject)', () => {
    assert.equal(new MailRules(nagios).match(facts({ from: ['root@elsewhere'] })), null);
    assert.equal(new MailRules(nagios).match(facts({ subject: 'Hello' })), null);
  });

  it('matches to against any recipient and body, case-insensitively unless told otherwise', () => {
    const rules = new MailRules([
      rule({
        name: 'backup',
        match: { to: '^backup-alerts@', body: 'job (?<job>\\S+) FAILED' },
        externalId: 'backup/{job}',
        action: 'open',
      }),
      rule({
        name: 'strict',
        match: { subject: '^DISK', ignoreCase: false },
        externalId: 'disk',
        action: 'open',
      }),
    ]);
    const backup = rules.match(
      facts({ to: ['ops@x', 'BACKUP-alerts@x'], subject: 'report', body: 'nightly: job etc-daily failed\n' }),
    );
    assert.equal(backup?.rule, 'backup');
    assert.equal(backup.externalId, 'backup/etc-daily');
    assert.equal(backup.source, 'email');
    assert.equal(rules.match(facts({ to: ['x@y'], subject: 'disk full' })), null);
    assert.equal(rules.match(facts({ to: ['x@y'], subject: 'DISK full' }))?.rule, 'strict');
  });

  it('skips a rule whose externalId renders empty (an optional group that did not match)', () => {
    const rules = new MailRules([
      rule({ name: 'a', match: { subject: '^alert(?: (?<id>\\d+))?' }, externalId: '{id}', action: 'open' }),
      rule({ name: 'b', match: { subject: '^alert' }, externalId: 'fallback-{subject}', action: 'open' }),
    ]);
    assert.equal(rules.match(facts({ subject: 'alert 42' }))?.externalId, '42');
    assert.equal(rules.match(facts({ subject: 'alert' }))?.externalId, 'fallback-alert');
  });

  it('offers the built-in fields', () => {
    const rules = new MailRules([
      rule({ name: 'all', match: { subject: '.' }, externalId: '{rule}|{from}|{to}|{messageId}', action: 'open' }),
    ]);
    assert.equal(
      rules.match(facts())?.externalId,
      'all|nagios@monitor.example.com|alerts@relay.example.com|<abc@monitor>',
    );
  });
});
