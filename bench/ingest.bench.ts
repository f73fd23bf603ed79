import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { Client } from 'pg';
import { stackStateOpen } from '../test/support/fixtures';
import { STACKSTATE_TOKEN } from '../test/support/test-app';
import { cpuMs, createPostgresDatabase, load, postgresCpuMs, printTable, startServiceProcess } from './support';

// npm run bench:ingest: POST /webhooks/stackstate against the service on real PostgreSQL, and against a
// bare node:http server in the same run, with the same client, connections and bodies.
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const IDS = 10_000;

function requests(): autocannon.Request[] {
  const ids = Array.from({ length: IDS }, () => randomUUID());
  let n = 0;
  return [
    {
      method: 'POST' as const,
      path: '/webhooks/stackstate',
      headers: { 'content-type': 'application/json', 'x-stackstate-webhook-token': STACKSTATE_TOKEN },
      // The first pass over the ids opens them; every later pass flips the state, so each is an update.
      setupRequest: (request: autocannon.Request) => {
        const i = n++;
        const state = Math.floor(i / IDS) % 2 === 0 ? 'DEVIATING' : 'CRITICAL';
        const body = stackStateOpen({ notificationId: ids[i % IDS], state, triggeredTimeMs: 1_700_000_000_000 + i });
        return { ...request, body: JSON.stringify(body) };
      },
    },
  ];
}

async function main(): Promise<void> {
  const database = await createPostgresDatabase();
  const bare = spawn(process.execPath, [join(__dirname, 'bare-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const barePort = await new Promise<string>((resolve) =>
    bare.stdout.on('data', (c: Buffer) => {
      const m = /:(\d+)/.exec(c.toString());
      if (m) resolve(m[1]);
    }),
  );
  const poolSize = process.env.BENCH_POOL_SIZE;
  const { url, service } = await startServiceProcess(
    database.url,
    undefined,
    poolSize ? { DATABASE_POOL_SIZE: poolSize } : {},
  );
  try {
    const options = { connections: CONNECTIONS, duration: DURATION, requests: requests() };
    // A short warm-up of both (JIT, connection pools), not counted.
    await load('warm-up', { ...options, url: `http://127.0.0.1:${barePort}`, duration: 2 });
    await load('warm-up', { ...options, url, duration: 3, requests: requests() });
    // CPU time per request of the serving process: steadier than throughput on a shared, noisy machine.
    const bareCpu = cpuMs(bare.pid!);
    const baseline = await load('bare node:http (JSON.parse + 200)', {
      ...options,
      url: `http://127.0.0.1:${barePort}`,
    });
    const bareCpuPerRequest = (cpuMs(bare.pid!) - bareCpu) / baseline.ok;
    const relayCpu = cpuMs(service.child.pid!);
    const postgresCpu = postgresCpuMs();
    const relay = await load('alert-relay POST /webhooks/stackstate (durable)', {
      ...options,
      url,
      requests: requests(),
    });
    const relayCpuPerRequest = (cpuMs(service.child.pid!) - relayCpu) / relay.ok;
    const postgresCpuPerRequest = (postgresCpuMs() - postgresCpu) / relay.ok;
    printTable([baseline, relay]);

    const client = new Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ notifications: string; events: string }>(
      'SELECT (SELECT count(*) FROM notifications) AS notifications, (SELECT count(*) FROM notification_events) AS events',
    );
    await client.end();
    console.log(`connections ${CONNECTIONS}, ${DURATION} s per run, ${IDS} distinct notificationIds`);
    console.log(`stored: ${rows[0].notifications} notifications, ${rows[0].events} events (opens + updates committed)`);
    console.log(
      `alert-relay: ${relay.requestsPerSecond.toFixed(0)} accepted/s, p50 ${relay.p50} ms, p99 ${relay.p99} ms; ` +
        `ratio to bare server: ${(relay.requestsPerSecond / baseline.requestsPerSecond).toFixed(3)} (throughput), ` +
        `${(relay.p99 / Math.max(baseline.p99, 1)).toFixed(1)}x (p99 latency)`,
    );
    console.log(
      `service CPU per accepted request: ${relayCpuPerRequest.toFixed(3)} ms ` +
        `(bare server ${bareCpuPerRequest.toFixed(3)} ms, ratio ${(relayCpuPerRequest / bareCpuPerRequest).toFixed(1)}x); ` +
        `one core would carry at most ${(1000 / relayCpuPerRequest).toFixed(0)} accepted/s`,
    );
    console.log(`PostgreSQL CPU per accepted request: ${postgresCpuPerRequest.toFixed(3)} ms`);
  } finally {
    service.child.kill('SIGTERM');
    bare.kill('SIGTERM');
    await service.exited;
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
