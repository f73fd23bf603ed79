import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, Server } from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { call } from './support/spec-client';
import { API_KEY, startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

const HAPROXY = '/usr/sbin/haproxy';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// A real HAProxy (Debian's 2.6, native mailers: HELO, no Message-ID) health-checks a local HTTP server
// that the test stops and starts, and mails the service through two mailers, as production would.
describe(
  `SMTP ingress with a real HAProxy (${TEST_DB})`,
  { skip: !existsSync(HAPROXY) && 'haproxy is not installed (.ci/apt-packages)' },
  () => {
    let app: TestApp;
    let haproxy: ChildProcess | undefined;
    let haproxyLog = '';
    let backend: Server | undefined;
    let backendPort: number;

    before(async () => {
      app = await startTestApp();
      backendPort = await freePort();
      const frontendPort = await freePort();
      const config = `
global
    log stdout format raw local0 info
defaults
    mode http
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
mailers relay
    mailer smtp1 127.0.0.1:${app.smtpPort}
    mailer smtp2 127.0.0.1:${app.smtpPort}
    timeout mail 5s
frontend fe
    bind 127.0.0.1:${frontendPort}
    default_backend be_app
backend be_app
    option httpchk GET /health
    email-alert mailers relay
    email-alert from haproxy@example.com
    email-alert to alerts@example.com
    email-alert level notice
    email-alert myhostname lb1.example.com
    default-server inter 200ms downinter 200ms fastinter 200ms rise 1 fall 1
    server web1 127.0.0.1:${backendPort} check
backend be_checks
    # Every check transition is mailed too, and DOWN/UP lose their ", reason: ...".
    option httpchk GET /health
    option log-health-checks
    email-alert mailers relay
    email-alert from haproxy@example.com
    email-alert to alerts@example.com
    email-alert level info
    default-server inter 200ms downinter 200ms rise 1 fall 1
    server web9 127.0.0.1:1 check
`;
      const path = join(app.dir, 'haproxy.cfg');
      writeFileSync(path, config);
      haproxy = spawn(HAPROXY, ['-db', '-f', path], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TZ: 'UTC' },
      });
      haproxy.stdout?.on('data', (chunk: Buffer) => (haproxyLog += chunk.toString()));
      haproxy.stderr?.on('data', (chunk: Buffer) => (haproxyLog += chunk.toString()));
    });

    after(async () => {
      if (haproxy && haproxy.exitCode === null) {
        haproxy.kill('SIGTERM');
        await once(haproxy, 'exit');
      }
      if (backend) await new Promise((resolve) => backend?.close(resolve));
      await app?.close();
    });

    const auth = { Authorization: `Bearer ${API_KEY}` };
    const web1 = async () =>
      (
        await call(app.url, 'listNotifications', {
          query: { source: 'haproxy', externalId: 'be_app/web1' },
          headers: auth,
        })
      ).body.items;
    async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
      for (let i = 0; i < 150; i++) {
        const value = await probe();
        if (value !== undefined) return value;
        assert.equal(haproxy?.exitCode, null, `haproxy exited:\n${haproxyLog}`);
        await sleep(100);
      }
      assert.fail(`timed out waiting for ${what}; haproxy said:\n${haproxyLog}`);
    }

    it('opens be_app/web1 when its server stops answering and closes it when it is back', async () => {
      // The backend server is not listening yet: the first check fails with "Layer4 connection problem".
      const opened = await waitFor('the DOWN notification', async () => {
        const [n] = await web1();
        return n?.status === 'open' ? n : undefined;
      });
      assert.equal(opened.severity, 'critical');
      assert.equal(opened.sourceState, 'DOWN');
      assert.equal(opened.metadata['haproxy.reason'], 'Layer4 connection problem');
      assert.equal(opened.metadata['haproxy.info'], 'Connection refused');
      assert.equal(opened.metadata['smtp.helo'], 'lb1.example.com');

      backend = createHttpServer((_req, res) => res.end('ok'));
      backend.listen(backendPort, '127.0.0.1');
      await once(backend, 'listening');

      const closed = await waitFor('the UP close', async () => {
        const [n] = await web1();
        return n?.status === 'closed' ? n : undefined;
      });
      assert.equal(closed.id, opened.id);
      assert.equal(closed.revision, 2);
      assert.match(closed.closeReason ?? '', /^Server be_app\/web1 is UP, reason: Layer7 check passed, code: 200/);

      // Both mailers' copies have arrived once the second UP copy is counted; still one notification.
      const settled = await waitFor('the second mailer copies', async () => {
        const items = await web1();
        return items.length === 1 && items[0].duplicateCount >= 2 ? items : undefined;
      });
      assert.equal(settled.length, 1);
      const events = (await call(app.url, 'listNotificationEvents', { params: { id: opened.id }, headers: auth })).body
        .items;
      assert.deepEqual(
        events.map((e: { type: string }) => e.type),
        ['opened', 'closed'],
      );
      assert.equal(events[0].payload.smtp.openingCommand, 'HELO');
      assert.match(events[0].payload.raw, /\r\nSubject: \[HAProxy Alert\] Server be_app\/web1 is DOWN/);
    });

    it('with option log-health-checks: DOWN without a reason opens, the check mail is one one-shot for both mailers', async () => {
      const list = async (query: Record<string, string>) =>
        (await call(app.url, 'listNotifications', { query, headers: auth })).body.items;
      const down = await waitFor('be_checks/web9 DOWN', async () => {
        const [n] = await list({ source: 'haproxy', externalId: 'be_checks/web9' });
        return n?.status === 'open' && n.duplicateCount >= 1 ? n : undefined;
      });
      assert.equal(down.sourceState, 'DOWN');
      assert.equal(down.metadata['haproxy.reason'], undefined);
      assert.equal(down.metadata['haproxy.activeServers'], '0');

      const checks = (await list({ source: 'haproxy', status: 'closed' })).filter(
        (n: { metadata: Record<string, string> }) => n.metadata['haproxy.server'] === 'web9',
      );
      assert.equal(checks.length, 1, JSON.stringify(checks));
      assert.equal(checks[0].sourceState, 'HEALTH_CHECK_FAILED');
      assert.equal(checks[0].metadata['haproxy.reason'], 'Layer4 connection problem');
      assert.equal(checks[0].metadata['haproxy.checkStatus'], '0/1 DOWN');
      // The second mailer's copy is byte-identical: counted as a duplicate of the same one-shot.
      assert.equal(checks[0].duplicateCount, 1);
    });
  },
);
