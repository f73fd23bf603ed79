import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../config/config.loader';
import { ChannelCatalog } from './channel-catalog';
import { CHANNEL_TYPES } from './channel-types';
import { sampleMessage } from './common/sample-message';

const dir = mkdtempSync(join(tmpdir(), 'alert-relay-catalog-'));
function catalog(yaml: string): ChannelCatalog {
  const path = join(dir, `${Math.random()}.yaml`);
  writeFileSync(path, yaml);
  const config = loadConfig(CHANNEL_TYPES, { ALERT_RELAY_CONFIG: path });
  return new ChannelCatalog(
    config,
    CHANNEL_TYPES.map((plugin) => ({ plugin, sender: new plugin.sender() })),
  );
}

const CHANNELS = [
  'channels:',
  '  chat: { type: slack, url: "https://hooks.example.com/services/T/B/secret" }',
  '  chat_fast: { type: slack, url: "https://hooks.example.com/x", rateLimit: { perSecond: 5 }, timeout: 2s, maxAge: 1h }',
  '  mm: { type: mattermost, url: "https://chat.example.com/hooks/key" }',
  '  push: { type: pushover, token: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", user: "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuu", apiUrl: "https://push.example.com/" }',
  '  sig: { type: signal, mode: jsonrpc, rpcUrl: "http://127.0.0.1:8080/api/v1/rpc?token=daemon-token", account: "+12025551234", groupId: "Zw==" }',
  '  sig_cli: { type: signal, cliPath: /usr/local/bin/signal-cli, account: "+12025551234", recipients: ["+12025555678"] }',
  '  mail: { type: email, smtp: { host: smtp.example.com, password: pw, user: u }, from: a@example.com, to: [b@example.com] }',
  '  hook: { type: webhook, url: "https://h.example.com/in/secret", batchSize: 10 }',
].join('\n');

describe('channel catalog', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("resolves each channel's rate limit, timeout and max age: its own, else the delivery default", () => {
    const c = catalog(
      `${CHANNELS}\ndelivery: { timeout: 7s, maxAge: 2h, rateLimits: { mattermost: { perSecond: 3, burst: 4 } } }`,
    );
    const settings = (name: string) => {
      const s = c.require(name);
      return [s.type, s.rateLimit.perSecond, s.rateLimit.burst, s.timeoutMs, s.maxAgeMs, s.maxBatch];
    };
    // The type's default, a channel's own values, `delivery.rateLimits.<type>`.
    assert.deepEqual(settings('chat'), ['slack', 1, 3, 7000, 7_200_000, 1]);
    assert.deepEqual(settings('chat_fast'), ['slack', 5, 1, 2000, 3_600_000, 1]);
    assert.deepEqual(settings('mm'), ['mattermost', 3, 4, 7000, 7_200_000, 1]);
    assert.deepEqual(settings('hook'), ['webhook', 1000, 1000, 7000, 7_200_000, 10]);
    assert.equal(c.maxAgeMs('chat_fast'), 3_600_000);
    assert.equal(c.maxAgeMs('removed'), 7_200_000, 'a channel no longer configured gets delivery.maxAge');
    assert.equal(c.maxTimeoutMs(), 7000);
    assert.deepEqual(c.names(), ['chat', 'chat_fast', 'mm', 'push', 'sig', 'sig_cli', 'mail', 'hook']);
    assert.equal(c.get('nope'), undefined);
    assert.throws(() => c.require('nope'), /no channel named "nope"/);
  });

  it('uses the delivery defaults when nothing is set', () => {
    const c = catalog(CHANNELS);
    assert.deepEqual(
      [c.require('push').timeoutMs, c.require('push').maxAgeMs, c.require('sig').rateLimit.perSecond],
      [15_000, 86_400_000, 1],
    );
    assert.equal(
      catalog(
        `${CHANNELS}\n  slow: { type: email, smtp: { host: h }, from: a@b.c, to: [d@e.f], timeout: 1m }`,
      ).maxTimeoutMs(),
      60_000,
    );
  });

  it('shows every target without secrets, the same in the list and in previews', () => {
    const c = catalog(CHANNELS);
    assert.deepEqual(Object.fromEntries(c.all().map((s) => [s.name, s.target])), {
      chat: 'https://hooks.example.com/[redacted]',
      chat_fast: 'https://hooks.example.com/[redacted]',
      mm: 'https://chat.example.com/[redacted]',
      push: 'https://push.example.com/[redacted]',
      sig: 'http://127.0.0.1:8080/[redacted]',
      sig_cli: '/usr/local/bin/signal-cli',
      mail: 'smtp://smtp.example.com:587',
      hook: 'https://h.example.com/[redacted]',
    });
    for (const s of c.all()) {
      const preview = s.preview([sampleMessage()]);
      assert.equal(preview.target, s.target);
      assert.ok(
        !JSON.stringify(preview).includes('secret') && !JSON.stringify(preview).includes('daemon-token'),
        s.name,
      );
    }
  });

  it('hands a single-message sender one message at a time', () => {
    const c = catalog(CHANNELS);
    assert.throws(() => c.require('chat').send([sampleMessage(), sampleMessage()]), /given 2 messages/);
  });
});
