import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadConfig } from '../config/config.loader';
import { CHANNEL_TYPES } from './channel-types';
import { WebhookChannelConfig } from './webhook/webhook.config';

const dir = mkdtempSync(join(tmpdir(), 'alert-relay-config-'));
const load = (yaml: string, env: Record<string, string> = {}) => {
  const path = join(dir, `${Math.random()}.yaml`);
  writeFileSync(path, yaml);
  return loadConfig(CHANNEL_TYPES, { ALERT_RELAY_CONFIG: path, ...env });
};
const problems = (yaml: string) => {
  try {
    load(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  assert.fail('expected a ConfigError');
};

describe('channels, routes and delivery config', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('types each channel by `type`, with defaults, and substitutes secrets from the environment', () => {
    const config = load(
      [
        'channels:',
        '  hook: { type: webhook, url: "https://h.example.com/x", secret: "${HOOK_SECRET}" }',
        'routes:',
        '  - match: { severity: critical, host: "web-*" }',
        '    channels: [hook]',
        '    remindEvery: 1h',
        'defaultChannels: [hook]',
        'hosts:',
        '  db-1: { notification_channels: [hook] }',
      ].join('\n'),
      { HOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    );
    const hook = config.channels.hook as WebhookChannelConfig;
    assert.ok(hook instanceof WebhookChannelConfig);
    assert.equal(hook.batchSize, 1);
    assert.equal(hook.secret, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    assert.deepEqual(config.routes[0].match.severity, ['critical']);
    assert.deepEqual(config.routes[0].match.host, ['web-*']);
    assert.equal(config.delivery.maxAge, '24h');
    assert.equal(config.delivery.rateLimits.slack.perSecond, 1);
    assert.deepEqual(config.hosts['db-1'].notification_channels, ['hook']);
  });

  it('names the key path of every problem, including references to channels that do not exist', () => {
    assert.deepEqual(
      problems(
        [
          'channels:',
          '  chat: { type: slack, url: "not a url", colour: red }',
          '  pager: { type: pager }',
          '  hook: { type: webhook, url: "http://127.0.0.1/h", batchSize: 0, secret: nope }',
          '  sig: { type: signal, account: "+12025551234", mode: jsonrpc }',
          'routes:',
          '  - match: { severity: [fatal] }',
          '    channels: [chat, missing]',
          '    remindEvery: soon',
          'defaultChannels: [gone]',
          'hosts:',
          '  web-1: { notification_channels: [absent] }',
          'delivery: { backoff: { base: 5 }, concurrency: 0 }',
        ].join('\n'),
      ).sort(),
      [
        'channels.chat.colour: unknown key',
        'channels.chat.url: must be an http(s) URL without user:password@ (put credentials in the fields meant for them)',
        'channels.hook.batchSize: must not be less than 1',
        'channels.hook.secret: must be whsec_ followed by base64 of 24-64 bytes',
        'channels.pager.type: must be one of slack, mattermost, pushover, signal, email, webhook',
        'channels.sig.recipients: give at least one recipient or a groupId',
        'channels.sig.rpcUrl: required when mode is jsonrpc',
        'defaultChannels[0]: no channel named "gone" under channels',
        'delivery.backoff.base: must be a duration like 500ms, 30s, 5m, 1h or 7d, at least 1ms',
        'delivery.concurrency: must not be less than 1',
        'hosts.web-1.notification_channels[0]: no channel named "absent" under channels',
        'routes[0].channels[1]: no channel named "missing" under channels',
        'routes[0].match.severity: each value in severity must be one of the following values: critical, warning, info, unknown',
        'routes[0].remindEvery: must be a duration like 500ms, 30s, 5m, 1h or 7d, at least 1s',
      ].sort(),
    );
  });

  it('refuses credentials in URLs and hosts, which are shown and quoted, not kept secret', () => {
    assert.deepEqual(
      problems(
        [
          'channels:',
          '  chat: { type: slack, url: "https://user:pass@hooks.example.com/x" }',
          '  hook: { type: webhook, url: "https://token@h.example.com/x" }',
          '  push: { type: pushover, token: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", user: "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuu", apiUrl: "https://a:b@p.example.com" }',
          '  mail: { type: email, smtp: { host: "user:pw@smtp.example.com" }, from: a@example.com, to: [b@example.com] }',
        ].join('\n'),
      ).sort(),
      [
        'channels.chat.url: must be an http(s) URL without user:password@ (put credentials in the fields meant for them)',
        'channels.hook.url: must be an http(s) URL without user:password@ (put credentials in the fields meant for them)',
        'channels.mail.smtp.host: must be a host name or an IP address',
        'channels.push.apiUrl: must be an http(s) URL without user:password@ (put credentials in the fields meant for them)',
      ],
    );
    // A query or path secret is fine (it is redacted), and so is an IPv6 host.
    load(
      'channels:\n  hook: { type: webhook, url: "https://[::1]:8443/hook/secret?token=x" }\n  mail: { type: email, smtp: { host: "::1" }, from: a@b.c, to: [d@e.f] }',
    );
  });

  it('checks delivery.rateLimits against the channel types, with the default of each type not given', () => {
    assert.deepEqual(
      problems(
        'delivery: { rateLimits: { pager: { perSecond: 1 }, slack: { perSecond: 0, burst: 0.5 }, email: 5, webhook: [] } }',
      ),
      [
        'delivery.rateLimits.pager: unknown key',
        'delivery.rateLimits.slack.perSecond: must not be less than 0.001',
        'delivery.rateLimits.slack.burst: must not be less than 1; must be an integer number',
        'delivery.rateLimits.email: nested property email must be either object or array',
        'delivery.rateLimits.webhook: must be a mapping {perSecond, burst}',
      ],
    );
    assert.deepEqual(problems('delivery: { rateLimits: 7 }'), [
      'delivery.rateLimits: nested property rateLimits must be either object or array',
    ]);
    const rates = load('delivery: { rateLimits: { signal: { perSecond: 2 }, email: null } }').delivery.rateLimits;
    assert.deepEqual(Object.fromEntries(Object.entries(rates).map(([type, r]) => [type, [r.perSecond, r.burst]])), {
      slack: [1, 3],
      mattermost: [10, 20],
      pushover: [2, 5],
      signal: [2, 1],
      email: [5, 10],
      webhook: [1000, 1000],
    });
  });

  it('lists exactly the channel types the API names (Channel.type in the OpenAPI spec)', () => {
    const spec = parseYaml(readFileSync('openapi/openapi.yaml', 'utf8'));
    assert.deepEqual(
      spec.components.schemas.Channel.properties.type.enum,
      CHANNEL_TYPES.map((t) => t.type),
    );
  });
});
