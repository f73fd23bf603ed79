import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { Client } from 'pg';
import { stackStateOpen } from '../test/support/fixtures';
import { STACKSTATE_TOKEN } from '../test/support/test-app';
import {
  cpuMs,
  createPostgresDatabase,
  load,
  LoadResult,
  postgresCpuMs,
  printTable,
  startServiceProcess,
} from './support';

// npm run bench:ingest: POST /webhooks/stackstate against the service on real PostgreSQL, and against a
// bare node:http server in the same run, with the same client, connections and bodies.
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IDS = 10_000;

// Even requests walk the ids in order; odd ones revisit the id of LAG pairs before. Each request flips
// its id's state, so the first for an id opens it and every later one is an update: an even mix of opens
// and updates however fast the service is, and never a duplicate.
const LAG = 256;

function requests(): autocannon.Request[] {
  const ids = Array.from({ length: IDS }, () => randomUUID());
  const states: (string | undefined)[] = new Array<string | undefined>(IDS);
  let n = 0;
  return [
    {
      method: 'POST' as const,
      path: '/webhooks/stackstate',
      headers: { 'content-type': 'application/json', 'x-stackstate-webhook-token': STACKSTATE_TOKEN },
      setupRequest: (request: autocannon.Request) => {
        const i = n++;
        const pair = Math.floor(i / 2);
        const index = (i % 2 === 0 ? pair : pair + IDS - LAG) % IDS;
        const state = states[index] === 'DEVIATING' ? 'CRITICAL' : 'DEVIATING';
        states[index] = state;
        const body = stackStateOpen({ notificationId: ids[index], state, triggeredTimeMs: 1_700_000_000_000 + i });
        return { ...request, body: JSON.stringify(body) };
      },
    },
  ];
}

async function main(): Promise<void> {
  const database = await createPostgresDatabase();
  const bare = spawn(process.execPath, [join(__dirname, 'bare-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const barePort = await new Promise<string>((resolve) =>
      bare.stdout.on('data', (c: Buffer) => {
        const m = /:(\d+)/.exec(c.toString());
        if (m) resolve(m[1]);
      }),
    );
    const bareUrl = `http://127.0.0.1:${barePort}`;
    const poolSize = process.env.BENCH_POOL_SIZE;
    const { url, service } = await startServiceProcess(
      database.url,
      undefined,
      poolSize ? { DATABASE_POOL_SIZE: poolSize } : {},
    );
    try {
      await run(bareUrl, url, bare.pid!, service.child.pid!, database.url);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  } finally {
    bare.kill('SIGTERM');
    await database.drop();
  }
}

/**
 * Rounds of: the bare server, the service's cheapest route (GET /healthz: the NestJS floor, no database)
 * and the ingest, each for BENCH_DURATION / BENCH_ROUNDS seconds. Alternating keeps a machine whose speed
 * drifts from favouring whichever ran first; the ratios are taken per round and their median reported.
 */
async function run(bareUrl: string, url: string, barePid: number, servicePid: number, databaseUrl: string) {
  const options = { connections: CONNECTIONS, duration: DURATION / ROUNDS };
  const ingestRequests = requests();
  const bareRequests = requests();
  // A short warm-up of both (JIT, connection pools), not counted.
  await load('warm-up', { ...options, url: bareUrl, duration: 2, requests: bareRequests });
  await load('warm-up', { ...options, url, duration: 3, requests: ingestRequests });
  const groupsBefore = await groupStats(url);

  const totals = {
    bare: empty('bare node:http (JSON.parse + 200)'),
    floor: empty('alert-relay GET /healthz (NestJS floor, no database)'),
    relay: empty('alert-relay POST /webhooks/stackstate (durable)'),
  };
  const cpu = { bare: 0, floor: 0, relay: 0, postgres: 0 };
  const ratios: { bare: number; floor: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let before = cpuMs(barePid);
    const bare = await load(totals.bare.label, { ...options, url: bareUrl, requests: bareRequests });
    cpu.bare += cpuMs(barePid) - before;
    before = cpuMs(servicePid);
    const floor = await load(totals.floor.label, { ...options, url, requests: [{ method: 'GET', path: '/healthz' }] });
    cpu.floor += cpuMs(servicePid) - before;
    before = cpuMs(servicePid);
    const postgresBefore = postgresCpuMs();
    const relay = await load(totals.relay.label, { ...options, url, requests: ingestRequests });
    cpu.relay += cpuMs(servicePid) - before;
    cpu.postgres += postgresCpuMs() - postgresBefore;
    ratios.push({
      bare: relay.requestsPerSecond / bare.requestsPerSecond,
      floor: relay.requestsPerSecond / floor.requestsPerSecond,
    });
    for (const [total, result] of [
      [totals.bare, bare],
      [totals.floor, floor],
      [totals.relay, relay],
    ] as const)
      add(total, result);
  }
  const groups = await groupStats(url);
  printTable([totals.bare, totals.floor, totals.relay]);

  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ notifications: string; events: string }>(
    'SELECT (SELECT count(*) FROM notifications) AS notifications, (SELECT count(*) FROM notification_events) AS events',
  );
  await client.end();
  const relay = totals.relay;
  const perRequest = (ms: number, result: LoadResult) => (ms / Math.max(result.ok, 1)).toFixed(3);
  console.log(
    `connections ${CONNECTIONS}, ${ROUNDS} rounds of ${DURATION / ROUNDS} s per run, ${IDS} distinct notificationIds`,
  );
  console.log(`stored: ${rows[0].notifications} notifications, ${rows[0].events} events (opens + updates committed)`);
  console.log(
    `alert-relay: ${relay.requestsPerSecond.toFixed(0)} accepted/s, p50 ${relay.p50} ms, p99 ${relay.p99} ms (worst round); ` +
      `median ratio per round: ${median(ratios.map((r) => r.bare)).toFixed(3)} of the bare server, ` +
      `${median(ratios.map((r) => r.floor)).toFixed(3)} of the NestJS floor`,
  );
  console.log(
    `CPU per request: service ${perRequest(cpu.relay, relay)} ms (its GET /healthz ${perRequest(cpu.floor, totals.floor)} ms, ` +
      `bare server ${perRequest(cpu.bare, totals.bare)} ms); PostgreSQL ${perRequest(cpu.postgres, relay)} ms`,
  );
  const grouped = { count: groups.count - groupsBefore.count, sum: groups.sum - groupsBefore.sum };
  console.log(
    `group commit: ${grouped.count} transactions for ${grouped.sum} messages (${(grouped.sum / Math.max(grouped.count, 1)).toFixed(1)} per transaction)`,
  );
}

function empty(label: string): LoadResult {
  return { label, requestsPerSecond: 0, ok: 0, non2xx: 0, errors: 0, p50: 0, p99: 0 };
}

// Accumulates rounds: requests per second over all rounds, and the worst round's latency percentiles.
function add(total: LoadResult, round: LoadResult): void {
  const seconds = total.ok / (total.requestsPerSecond || 1) + round.ok / (round.requestsPerSecond || 1);
  total.ok += round.ok;
  total.non2xx += round.non2xx;
  total.errors += round.errors;
  total.requestsPerSecond = total.ok / (seconds || 1);
  total.p50 = Math.max(total.p50, round.p50);
  total.p99 = Math.max(total.p99, round.p99);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The service's group commit histogram so far (alert_relay_ingest_group_size), from /metrics. */
async function groupStats(url: string): Promise<{ count: number; sum: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { count: value('alert_relay_ingest_group_size_count'), sum: value('alert_relay_ingest_group_size_sum') };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
