import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HaproxyAlert, parseAlertText, parseHaproxyAlert } from './haproxy-mail.parser';

function as<K extends HaproxyAlert['kind']>(alert: HaproxyAlert | null, kind: K): Extract<HaproxyAlert, { kind: K }> {
  assert.ok(alert, 'not parsed as an HAProxy alert');
  assert.equal(alert.kind, kind);
  return alert as Extract<HaproxyAlert, { kind: K }>;
}

// Every wording of docs/sources.md, "HAProxy mail": live captures of HAProxy 2.6.12,
// log lines from other deployments (with their trailing '.'), and the Lua mailer forms of 2.8+/3.x.

describe('parseHaproxyAlert: native mailers (live captures)', () => {
  it('DOWN with reason, info and check duration', () => {
    const alert = parseHaproxyAlert(
      '[HAProxy Alert] Server be_app/web1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
    );
    assert.deepEqual(alert, {
      kind: 'state',
      backup: false,
      backend: 'be_app',
      server: 'web1',
      state: 'DOWN',
      text: 'Server be_app/web1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
      reason: 'Layer4 connection problem',
      info: 'Connection refused',
      checkDurationMs: 0,
      activeServers: 1,
      backupServers: 0,
      sessionsActive: 0,
      requeued: 0,
      queued: 0,
    });
  });

  it('DOWN with an HTTP code', () => {
    const alert = as(
      parseHaproxyAlert(
        '[HAProxy Alert] Server be_app/web2 is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 7ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
      ),
      'state',
    );
    assert.equal(alert.reason, 'Layer7 wrong status');
    assert.equal(alert.code, 503);
    assert.equal(alert.info, 'Service Unavailable');
    assert.equal(alert.checkDurationMs, 7);
    assert.equal(alert.activeServers, 0);
  });

  it('UP with the "online" / "total in queue" form', () => {
    const alert = parseHaproxyAlert(
      '[HAProxy Alert] Server be_app/web2 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue',
    );
    assert.deepEqual(alert, {
      kind: 'state',
      backup: false,
      backend: 'be_app',
      server: 'web2',
      state: 'UP',
      text: 'Server be_app/web2 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue',
      reason: 'Layer7 check passed',
      code: 200,
      checkDurationMs: 1,
      activeServers: 1,
      backupServers: 0,
      requeued: 0,
      queued: 0,
    });
  });

  it('DOWN and UP without a reason (option log-health-checks)', () => {
    const down = parseHaproxyAlert(
      '[HAProxy Alert] Server be_app/web1 is DOWN. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
    );
    assert.equal(down?.kind, 'state');
    assert.equal(down.state, 'DOWN');
    assert.equal(down.reason, undefined);
    assert.equal(down.activeServers, 1);
    const up = parseHaproxyAlert(
      '[HAProxy Alert] Server be_app/web2 is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue',
    );
    assert.equal(up?.kind, 'state');
    assert.equal(up.state, 'UP');
    assert.equal(up.server, 'web2');
    assert.equal(up.queued, 0);
  });

  it('health check mails (option log-health-checks, level info)', () => {
    const failed = parseHaproxyAlert(
      '[HAProxy Alert] Health check for server be_app/web1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/1 DOWN',
    );
    assert.equal(failed?.kind, 'check');
    assert.equal(failed.check, 'health');
    assert.equal(failed.result, 'failed');
    assert.equal(failed.reason, 'Layer4 connection problem');
    assert.equal(failed.info, 'Connection refused');
    assert.equal(failed.checkDurationMs, 0);
    assert.deepEqual(failed.status, { passed: 0, needed: 1, state: 'DOWN' });
    assert.equal(failed.backup, false);

    const wrong = parseHaproxyAlert(
      '[HAProxy Alert] Health check for server be_app/web2 failed, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 10ms, status: 0/1 DOWN',
    );
    assert.equal(wrong?.kind, 'check');
    assert.equal(wrong.code, 503);

    const ok = parseHaproxyAlert(
      '[HAProxy Alert] Health check for server be_app/web2 succeeded, reason: Layer7 check passed, code: 200, check duration: 1ms, status: 1/1 UP',
    );
    assert.equal(ok?.kind, 'check');
    assert.equal(ok.result, 'succeeded');
    assert.deepEqual(ok.status, { passed: 1, needed: 1, state: 'UP' });
  });

  it('agent checks, backup servers and conditional success', () => {
    const alert = as(
      parseHaproxyAlert(
        '[HAProxy Alert] Agent check for backup server be/s1 conditionally succeeded, reason: Layer7 check conditionally passed, code: 404, check duration: 3ms, status: 2/3 DRAIN',
      ),
      'check',
    );
    assert.equal(alert.check, 'agent');
    assert.equal(alert.backup, true);
    assert.equal(alert.result, 'conditionally succeeded');
    assert.equal(alert.reason, 'Layer7 check conditionally passed');
    assert.deepEqual(alert.status, { passed: 2, needed: 3, state: 'DRAIN' });
  });

  it('backup server DOWN, running on backup', () => {
    const alert = as(
      parseHaproxyAlert(
        '[HAProxy Alert] Backup Server be_app/spare is DOWN, reason: Layer4 timeout, check duration: 2001ms. 0 active and 0 backup servers left. Running on backup. 3 sessions active, 2 requeued, 1 remaining in queue',
      ),
      'state',
    );
    assert.equal(alert.backup, true);
    assert.equal(alert.server, 'spare');
    assert.equal(alert.runningOnBackup, true);
    assert.equal(alert.sessionsActive, 3);
    assert.equal(alert.requeued, 2);
    assert.equal(alert.queued, 1);
  });

  it('state changes caused by an operator and by a tracked server', () => {
    const cli = parseHaproxyAlert(
      '[HAProxy Alert] Server be/web1 is DOWN, changed from CLI. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
    );
    assert.equal(cli?.cause, 'changed from CLI');
    assert.equal(cli.reason, undefined);
    for (const cause of [
      'changed from Lua script',
      'changed from Web interface',
      'changed from server-state after a reload',
    ]) {
      const alert = parseHaproxyAlert(
        `[HAProxy Alert] Server be/web1 is UP, ${cause}. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue`,
      );
      assert.equal(alert?.cause, cause);
    }
    const via = as(
      parseHaproxyAlert(
        '[HAProxy Alert] Server be_b/web1.example.com is DOWN via be_a/web1.example.com. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
      ),
      'state',
    );
    assert.equal(via.server, 'web1.example.com');
    assert.equal(via.via, 'be_a/web1.example.com');
  });

  it('drain state, with and without an administrative cause', () => {
    const plain = as(
      parseHaproxyAlert(
        '[HAProxy Alert] Server be/web1 enters drain state. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
      ),
      'drain',
    );
    assert.equal(plain.cause, undefined);
    assert.equal(plain.activeServers, 1);
    const dns = as(
      parseHaproxyAlert(
        "[HAProxy Alert] Backup Server be/web2 enters drain state ('disable' on stats page) via be2/web2. 0 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue",
      ),
      'drain',
    );
    assert.equal(dns.backup, true);
    assert.equal(dns.cause, "'disable' on stats page");
    assert.equal(dns.via, 'be2/web2');
  });

  it('accepts the pre-2.4 "[HAproxy Alert]" casing and falls back to the body', () => {
    const old = as(
      parseHaproxyAlert(
        '[HAproxy Alert] Server be/web1 is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue',
      ),
      'state',
    );
    assert.equal(old.state, 'UP');
    const fromBody = as(
      parseHaproxyAlert(
        '[HAProxy Alert] (subject cut)',
        '\nServer be/web1 is DOWN. 0 active and 0 backup servers left.\n\n',
      ),
      'state',
    );
    assert.equal(fromBody.state, 'DOWN');
  });

  it('returns null for other subjects and unknown HAProxy wording', () => {
    assert.equal(parseHaproxyAlert('Server be/web1 is DOWN'), null);
    assert.equal(parseHaproxyAlert('[HAProxy Alert] Proxy fe started.'), null);
  });
});

describe('parseAlertText: log lines from other deployments (trailing ".")', () => {
  it('parses each one', () => {
    const timeout = as(
      parseAlertText(
        'Server backend_1/some_server_which_will_fail is DOWN, reason: Layer4 timeout, check duration: 5001ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      ),
      'state',
    );
    assert.equal(timeout.reason, 'Layer4 timeout');
    assert.equal(timeout.checkDurationMs, 5001);
    assert.equal(timeout.queued, 0);

    const vault = as(
      parseAlertText(
        'Server vault_pool/vault-node-02 is UP, reason: Layer7 check passed, code: 200, info: "OK", check duration: 0ms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
      ),
      'state',
    );
    assert.equal(vault.server, 'vault-node-02');
    assert.equal(vault.info, 'OK');
    assert.equal(vault.activeServers, 2);

    const redis = as(
      parseAlertText(
        'Server check_if_redis_is_master_0/R0 is DOWN, reason: Layer7 timeout, info: " at step 5 of tcp-check (expect string \'10.223.2.232\')", check duration: 1000ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      ),
      'state',
    );
    assert.equal(redis.info, " at step 5 of tcp-check (expect string '10.223.2.232')");
    assert.equal(redis.reason, 'Layer7 timeout');

    const external = parseAlertText(
      'Server mysql_write_backend/node2 is DOWN, reason: External check error, code: 1, check duration: 18ms. 2 active and 0 backup servers left.',
    );
    assert.equal(external?.reason, 'External check error');
    assert.equal(external.code, 1);

    const noRoute = parseAlertText(
      'Server web-test/server1 is DOWN, reason: Layer4 connection problem, info: "No route to host", check duration: 1ms. 2 active and 0 backup servers left.',
    );
    assert.equal(noRoute?.info, 'No route to host');
  });

  it('unescapes \\" inside info and keeps commas in it', () => {
    const alert = parseAlertText(
      'Server be/s is DOWN, reason: Layer7 invalid response, info: "bad \\"x\\", reason: y", check duration: 2ms. 0 active and 0 backup servers left.',
    );
    assert.equal(alert?.info, 'bad "x", reason: y');
    assert.equal(alert.reason, 'Layer7 invalid response');
  });
});

describe('parseHaproxyAlert: Lua mailers (examples/lua/mailers.lua, HAProxy 2.8+/3.x)', () => {
  it('UP with the "left ... remaining in queue" counts and no info', () => {
    const up = as(
      parseHaproxyAlert(
        '[HAProxy Alert] Server be_app/web1 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
      ),
      'state',
    );
    assert.equal(up.state, 'UP');
    assert.equal(up.activeServers, 1);
    assert.equal(up.sessionsActive, 0);
  });

  it('via before the reason', () => {
    const down = as(
      parseHaproxyAlert(
        '[HAProxy Alert] Server be_app/web1 is DOWN via be_track/web1, reason: Layer4 timeout, check duration: 2001ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
      ),
      'state',
    );
    assert.equal(down.via, 'be_track/web1');
    assert.equal(down.reason, 'Layer4 timeout');
    assert.equal(down.checkDurationMs, 2001);
  });

  it('a non-check cause appended without a separator', () => {
    const down = as(
      parseHaproxyAlert(
        '[HAProxy Alert] Server be_app/web1 is DOWNchanged from CLI. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
      ),
      'state',
    );
    assert.equal(down.state, 'DOWN');
    assert.equal(down.cause, 'changed from CLI');
  });

  it('drain via a tracked server, and check mails', () => {
    const drain = as(
      parseHaproxyAlert(
        '[HAProxy Alert] Server be/web1 enters drain state via be2/web1. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue',
      ),
      'drain',
    );
    assert.equal(drain.via, 'be2/web1');
    const check = as(
      parseHaproxyAlert(
        '[HAProxy Alert] Agent check for server be/web1 failed, reason: Layer7 invalid response, check duration: 5ms, status: 0/2 DOWN',
      ),
      'check',
    );
    assert.equal(check.check, 'agent');
    assert.deepEqual(check.status, { passed: 0, needed: 2, state: 'DOWN' });
  });

  it('reads pathological lines in linear time (a long subject must not stall the event loop)', () => {
    const started = Date.now();
    for (const line of [
      `Server ${'a/'.repeat(40_000)}`,
      `Server ${'a/'.repeat(40_000)} enters drain state`,
      `Health check for server ${'a/'.repeat(40_000)}`,
      `Server a/b is DOWN${', info: "'.repeat(8000)}`,
      `Server a/b is DOWN${' reason: x'.repeat(8000)}`,
    ]) {
      parseHaproxyAlert(`[HAProxy Alert] ${line}`, line);
    }
    assert.ok(Date.now() - started < 200, `took ${Date.now() - started} ms`);
  });
});
