import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { stackStateOpen } from './support/fixtures';
import { ServiceProcess, startService, waitForOutput } from './support/service-process';
import { defaultTestConfig, STACKSTATE_TOKEN } from './support/test-app';
import { createPostgresDatabase, TEST_DB, TestDatabase } from './support/test-database';

// One POST on a connection of its own (no keep-alive): node:cluster hands out connections, not requests.
function postAlone(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/webhooks/stackstate`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'x-stackstate-webhook-token': STACKSTATE_TOKEN },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function getAlone(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode}: ${text}`))));
    })
      .on('error', reject)
      .end();
  });
}

function smtpGreeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (chunk) => {
      socket.end('QUIT\r\n');
      resolve(chunk.toString());
    });
    socket.on('error', reject);
  });
}

const logLines = (service: ServiceProcess) =>
  service
    .fullOutput()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { pid: number; msg: string });

// WORKERS=2: two worker processes of one service share its HTTP and SMTP ports (node:cluster).
describe('WORKERS=2 (postgres)', { skip: TEST_DB !== 'postgres' && 'runs in the TEST_DB=postgres pass' }, () => {
  const sink = new FakeChannel();
  let database: TestDatabase & { url: string };
  let dir: string;
  let service: ServiceProcess & { url: string };

  before(async () => {
    await sink.start();
    database = await createPostgresDatabase();
    dir = mkdtempSync(join(tmpdir(), 'alert-relay-workers-'));
    const configPath = join(dir, 'alert-relay.yaml');
    writeFileSync(
      configPath,
      stringify({
        ...defaultTestConfig(),
        channels: { sink: { type: 'webhook', url: `${sink.url}/hook` } },
        routes: [{ match: { source: 'stackstate' }, channels: ['sink'] }],
        // Long enough that a loaded machine's slow send is not timed out and sent again (at least once).
        delivery: { ...FAST_DELIVERY, timeout: '10s', lease: '30s' },
      }),
    );
    service = await startService({ ALERT_RELAY_CONFIG: configPath, DATABASE_URL: database.url, WORKERS: '2' });
    await waitForOutput(service, (out) => out.match(/listening on/g)?.length === 2);
  });
  after(async () => {
    service?.child.kill('SIGKILL');
    await sink.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ingests through both workers, delivers everything once and stops them all on SIGTERM', async () => {
    const workers = new Set(
      logLines(service)
        .filter((l) => l.msg.startsWith('listening on'))
        .map((l) => l.pid),
    );
    assert.equal(workers.size, 2, 'two workers listening');
    assert.ok(!workers.has(service.child.pid!), 'the primary serves nothing itself');

    const ids = Array.from({ length: 40 }, () => randomUUID());
    const statuses = await Promise.all(ids.map((id) => postAlone(service.url, stackStateOpen({ notificationId: id }))));
    assert.deepEqual(new Set(statuses), new Set([200]));
    // Each open is logged (asynchronously) by the worker that committed it.
    const openedBy = await eventually(
      () => {
        const found = new Map<string, number>();
        for (const line of logLines(service)) {
          const id = ids.find((i) => line.msg.includes(i) && line.msg.includes(': opened'));
          if (id) found.set(id, line.pid);
        }
        return Promise.resolve(found.size === ids.length ? found : undefined);
      },
      10_000,
      'a log line for every open',
    );
    assert.deepEqual(new Set(openedBy.values()), workers, 'both workers ingested');

    // The delivery workers run in both, sharing the outbox as replicas do: every open delivered once.
    await sink.waitFor(ids.length);
    await new Promise((r) => setTimeout(r, 500));
    const delivered = sink.requests.map((r) => JSON.stringify(r.json));
    assert.equal(delivered.length, ids.length);
    for (const id of ids) assert.equal(delivered.filter((d) => d.includes(id)).length, 1, id);

    // /metrics on either worker counts both workers' messages; a gauge read from the database is not doubled.
    for (let i = 0; i < 4; i++) {
      const text = await getAlone(`${service.url}/metrics`);
      assert.match(text, /^alert_relay_ingest_requests_total\{source="stackstate",result="opened"\} 40$/m);
      assert.match(text, /^alert_relay_notifications_open 40$/m);
    }

    // The SMTP port is shared too: two connections, two greetings.
    const smtpPort = Number(/on ports \d+ \(HTTP\) and (\d+) \(SMTP\)/.exec(service.output())![1]);
    for (let i = 0; i < 2; i++) assert.match(await smtpGreeting(smtpPort), /^220 /);

    service.child.kill('SIGTERM');
    assert.equal(await service.exited, 0);
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `worker ${pid} ended`);
  });
});
