import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { stringify } from 'yaml';
import { spawnService, waitForOutput } from './support/service-process';
import { stackStateOpen } from './support/fixtures';
import { API_KEY, defaultTestConfig, MONASCA_KEY, STACKSTATE_TOKEN } from './support/test-app';
import { createTestDatabase, TEST_DB } from './support/test-database';

describe(`Service process (${TEST_DB})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-startup-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stops on a bad config with one clear line per problem and no stack trace', async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(
      path,
      'ingress:\n  stackstate:\n    tokens: [{ name: x, token: "${NOT_SET}" }]\napi:\n  keys: nope\n',
    );
    const service = spawnService({ ALERT_RELAY_CONFIG: path, DATA_DIR: join(dir, 'data-bad') });
    assert.equal(await service.exited, 78);
    const lines = service.output().trim().split('\n');
    assert.deepEqual(lines, [
      `alert-relay: invalid configuration in ${path}:`,
      '  - ingress.stackstate.tokens[0].token: environment variable NOT_SET is not set',
      '  - ingress.stackstate.tokens[0].token: must be at least 8 characters',
      '  - api.keys: must be an array; each value in nested property keys must be either object or array',
    ]);
  });

  it('logs once where it listens, which database and which config, serves, and stops cleanly on SIGTERM', async () => {
    const path = join(dir, 'good.yaml');
    const config = defaultTestConfig() as { ingress: Record<string, unknown> };
    const smtpPassword = 'smtp-password-shown-nowhere';
    config.ingress.smtp = { auth: { users: [{ username: 'relay', password: smtpPassword }], allowInsecure: true } };
    writeFileSync(path, stringify(config));
    const database = await createTestDatabase();
    const service = spawnService({
      ALERT_RELAY_CONFIG: path,
      DATA_DIR: join(dir, 'data'),
      PORT: '0',
      SMTP_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      ...(database.url ? { DATABASE_URL: database.url } : {}),
    });
    try {
      await waitForOutput(service, (out) => out.includes('listening on'));
      const lines = service
        .output()
        .split('\n')
        .filter((l) => l.includes('listening on'));
      assert.equal(lines.length, 1);
      const line = JSON.parse(lines[0]) as { msg: string };
      assert.match(line.msg, /^listening on 127\.0\.0\.1:\d+; database: .+; config: /);
      assert.match(
        line.msg,
        TEST_DB === 'postgres'
          ? /database: PostgreSQL at 127\.0\.0\.1:5432\/alert_relay_test_/
          : /database: embedded PostgreSQL \(PGlite\) in /,
      );
      assert.ok(line.msg.endsWith(`config: ${path}`));
      const port = /127\.0\.0\.1:(\d+);/.exec(line.msg)![1];
      const health = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(health.status, 200);

      // Secrets never reach the log, even at debug level and on rejected requests.
      const base = `http://127.0.0.1:${port}`;
      const json = { 'content-type': 'application/json' };
      const opened = await fetch(`${base}/webhooks/stackstate`, {
        method: 'POST',
        headers: { ...json, 'x-stackstate-webhook-token': STACKSTATE_TOKEN },
        body: JSON.stringify(stackStateOpen()),
      });
      assert.equal(opened.status, 200);
      const alarm = await fetch(`${base}/webhooks/monasca/${MONASCA_KEY}`, {
        method: 'POST',
        headers: json,
        body: '{}',
      });
      assert.equal(alarm.status, 400);
      const wrongKey = 'wrong-monasca-key-shown-nowhere';
      assert.equal(
        (await fetch(`${base}/webhooks/monasca/${wrongKey}`, { method: 'POST', headers: json, body: '{}' })).status,
        401,
      );
      const api = await fetch(`${base}/api/v1/notifications`, { headers: { authorization: `Bearer ${API_KEY}` } });
      assert.equal(api.status, 200);
      const smtpPort = Number(/SMTP accepting mail on 127\.0\.0\.1:(\d+)/.exec(service.output())?.[1]);
      const smtp = (pass: string) =>
        nodemailer.createTransport({
          host: '127.0.0.1',
          port: smtpPort,
          ignoreTLS: true,
          auth: { user: 'relay', pass },
        });
      const mail = { from: 'a@example.com', to: 'b@example.com', subject: 'hello', text: 'hello' };
      const wrongSmtpPassword = 'wrong-smtp-password-shown-nowhere';
      await assert.rejects(
        smtp(wrongSmtpPassword).sendMail(mail),
        (e: { responseCode?: number }) => e.responseCode === 535,
      );
      assert.match((await smtp(smtpPassword).sendMail(mail)).response, /^250 OK: recorded notification /);
      await waitForOutput(service, (out) => out.includes('/webhooks/monasca/[redacted]'));
      await waitForOutput(service, (out) =>
        /SMTP \S+ from 127\.0\.0\.1 <a@example\.com>: \d+ bytes, recorded/.test(out),
      );
      // Without the user name as sent (people paste passwords there).
      assert.match(service.output(), /SMTP AUTH PLAIN failed from 127\.0\.0\.1/);
      assert.match(service.output(), /stackstate\/prod [0-9a-f-]{36}: opened/);
      for (const secret of [STACKSTATE_TOKEN, MONASCA_KEY, wrongKey, API_KEY, smtpPassword, wrongSmtpPassword]) {
        assert.ok(!service.output().includes(secret), `the log shows ${secret}`);
      }
      service.child.kill('SIGTERM');
      assert.equal(await service.exited, 0);
    } finally {
      service.child.kill('SIGKILL');
      await database.drop();
    }
  });
});
