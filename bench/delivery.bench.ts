// npm run bench:delivery — delivery throughput to a local sink and ingest-to-delivered latency at a
// steady 200 notifications/s, each printed with a baseline measured in the same run on the same
// machine (a bare HTTP client against the same sink; the ingest request's own round trip).
//
// The service runs as a child process (node dist/src/main.js) on a fresh PostgreSQL database when one
// answers at TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres), otherwise on the
// embedded one. BENCH_NOTIFICATIONS (default 3000) sets the throughput batch; BENCH_SECONDS (default 10)
// the latency run.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, Agent } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { stackStateOpen } from '../test/support/fixtures';
import { createPostgresDatabase, TestDatabase } from '../test/support/test-database';
import { ServiceProcess, startService } from '../test/support/service-process';

const TOKEN = 'bench-stackstate-token';
const N = Number(process.env.BENCH_NOTIFICATIONS ?? 3000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = 200;
const CONCURRENCY = 32;

interface Sink {
  url: string;
  received: Map<string, number>;
  onReceive?: () => void;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const received = new Map<string, number>();
  const sink: Sink = { url: '', received, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const key = body?.data?.notification?.externalId ?? `raw-${received.size}`;
        if (!received.has(key)) received.set(key, now);
      } catch {
        received.set(`raw-${received.size}`, now);
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      sink.onReceive?.();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sink.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return sink;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let running: ServiceProcess | undefined;

async function startBenchService(
  configPath: string,
  env: Record<string, string>,
): Promise<ServiceProcess & { url: string }> {
  const service = await startService({ ALERT_RELAY_CONFIG: configPath, ...env });
  running = service;
  return service;
}

async function stopService(service: ServiceProcess): Promise<void> {
  service.child.kill('SIGTERM');
  await service.exited;
}

function config(sinkUrl: string, workers: boolean) {
  return {
    ingress: { stackstate: { tokens: [{ name: 'bench', token: TOKEN }] } },
    channels: { sink: { type: 'webhook', url: `${sinkUrl}/hook` } },
    defaultChannels: ['sink'],
    delivery: { workers, concurrency: CONCURRENCY, pollInterval: '1s' },
  };
}

async function runPool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

function waitForCount(sink: Sink, count: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (sink.received.size >= count) return resolve();
    const timer = setTimeout(() => reject(new Error(`only ${sink.received.size} of ${count} delivered`)), timeoutMs);
    sink.onReceive = () => {
      if (sink.received.size >= count) {
        clearTimeout(timer);
        sink.onReceive = undefined;
        resolve();
      }
    };
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-bench-'));
  let database: TestDatabase | undefined;
  const env: Record<string, string> = { DATA_DIR: join(dir, 'data') };
  try {
    database = await createPostgresDatabase();
    env.DATABASE_URL = database.url!;
  } catch {
    database = undefined;
  }
  console.log(`database: ${env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}; ${CONCURRENCY} concurrent sends`);
  const sink = await startSink();
  const configPath = join(dir, 'bench.yaml');
  try {
    // Baseline 1: a bare HTTP client posting the same kind of body to the same sink.
    const body = JSON.stringify({ type: 'notification.opened', data: { notification: { externalId: 'x' } } });
    const baselineCount = N;
    let t0 = performance.now();
    await runPool(
      Array.from({ length: baselineCount }, (_v, i) => i),
      CONCURRENCY,
      async () => {
        await post(`${sink.url}/hook`, body);
      },
    );
    const baselineRate = baselineCount / ((performance.now() - t0) / 1000);
    sink.received.clear();

    // Throughput: enqueue N deliveries with the workers off, then start a worker process and time the drain.
    writeFileSync(configPath, stringify(config(sink.url, false)));
    let service = await startBenchService(configPath, env);
    await runPool(
      Array.from({ length: N }, () => randomUUID()),
      16,
      async (id) => {
        const status = await post(
          `${service.url}/webhooks/stackstate`,
          JSON.stringify(stackStateOpen({ notificationId: id })),
          {
            'X-StackState-Webhook-Token': TOKEN,
          },
        );
        if (status !== 200) throw new Error(`ingest answered ${status}`);
      },
    );
    await stopService(service);
    writeFileSync(configPath, stringify(config(sink.url, true)));
    const started = performance.now();
    service = await startBenchService(configPath, env);
    t0 = performance.now();
    await waitForCount(sink, N, 300_000);
    const drainSeconds = (performance.now() - t0) / 1000;
    const rate = N / drainSeconds;
    console.log(
      `throughput: ${rate.toFixed(0)} deliveries/s (${N} in ${drainSeconds.toFixed(2)} s after a ${(
        (t0 - started) /
        1000
      ).toFixed(1)} s start); baseline bare HTTP client to the same sink: ${baselineRate.toFixed(0)} req/s; ratio ${(
        rate / baselineRate
      ).toFixed(2)}; target >= 1000/s: ${rate >= 1000 ? 'met' : 'NOT met'}`,
    );

    // Latency: 200 notifications/s for SECONDS; ingest-to-delivered = sink receipt - request start.
    sink.received.clear();
    const sentAt = new Map<string, number>();
    const ingestMs: number[] = [];
    const total = RATE * SECONDS;
    const pending: Promise<void>[] = [];
    const begin = performance.now();
    for (let i = 0; i < total; i++) {
      const due = begin + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const id = randomUUID();
      const start = performance.now();
      sentAt.set(id, start);
      pending.push(
        post(`${service.url}/webhooks/stackstate`, JSON.stringify(stackStateOpen({ notificationId: id })), {
          'X-StackState-Webhook-Token': TOKEN,
        }).then(() => {
          ingestMs.push(performance.now() - start);
        }),
      );
    }
    await Promise.all(pending);
    await waitForCount(sink, total, 60_000);
    const achieved = total / ((performance.now() - begin) / 1000);
    const latencies = [...sentAt].map(([id, at]) => sink.received.get(id)! - at);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const i50 = percentile(ingestMs, 50);
    const i99 = percentile(ingestMs, 99);
    console.log(
      `latency at ${RATE}/s (${total} notifications, offered ${achieved.toFixed(0)}/s): ingest-to-delivered p50 ${p50.toFixed(
        1,
      )} ms, p99 ${p99.toFixed(1)} ms; baseline ingest response alone p50 ${i50.toFixed(1)} ms, p99 ${i99.toFixed(
        1,
      )} ms; ratio p50 ${(p50 / i50).toFixed(2)}, p99 ${(p99 / i99).toFixed(2)}; target p99 < 200 ms: ${
        p99 < 200 ? 'met' : 'NOT met'
      }`,
    );
    await stopService(service);
  } finally {
    // A failed run must not leave the service behind.
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    await sink.close();
    agent.destroy();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
