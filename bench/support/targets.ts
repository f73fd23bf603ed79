import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ServiceProcess, startService } from '../../test/support/service-process';
import { defaultTestConfig } from '../../test/support/test-app';

export { createPostgresDatabase } from '../../test/support/test-database';

/** A process under load: its base URL, and its pid for /proc. */
export interface Target {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess, cleanUp?: () => void): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    cleanUp?.();
  };
}

/** Runs a compiled bench script (dist/bench/<name>.js) that prints `listening on 127.0.0.1:<port>`. */
export async function startBenchScript(name: string): Promise<Target> {
  const args = (process.env.BENCH_SCRIPT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...args, join(__dirname, '..', `${name}.js`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: stopChild(child) };
}

export interface ServiceTarget extends Target {
  service: ServiceProcess;
}

/**
 * Starts the compiled service as its own process, on `databaseUrl` or, without one, on the embedded
 * database in a temporary DATA_DIR. BENCH_NODE_ARGS passes options to node, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the service (BENCH_SCRIPT_NODE_ARGS: the bench scripts);
 * BENCH_POOL_SIZE sets DATABASE_POOL_SIZE.
 */
export async function startServiceProcess(
  databaseUrl: string | undefined,
  config: Record<string, unknown> = defaultTestConfig(),
  env: Record<string, string> = {},
  main?: string,
): Promise<ServiceTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-bench-'));
  const path = join(dir, 'alert-relay.yaml');
  writeFileSync(path, stringify(config));
  const service = await startService(
    {
      ALERT_RELAY_CONFIG: path,
      DATA_DIR: join(dir, 'data'),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...(process.env.BENCH_POOL_SIZE ? { DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE } : {}),
      ...env,
    },
    (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    60000,
    main,
  );
  const stop = stopChild(service.child, () => rmSync(dir, { recursive: true, force: true }));
  return { url: service.url, pid: service.child.pid!, service, stop };
}

/** The service's counters of ingest transactions and the messages they carried, from /metrics. */
export async function ingestGroups(url: string): Promise<{ transactions: number; messages: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    transactions: value('alert_relay_ingest_group_size_count'),
    messages: value('alert_relay_ingest_group_size_sum'),
  };
}

const ALERTMANAGER_BINARIES = ['prometheus-alertmanager', 'alertmanager'];

/** The Alertmanager binary on PATH (Debian names it prometheus-alertmanager), unless BENCH_ALERTMANAGER=0. */
export function alertmanagerBinary(): string | undefined {
  if (process.env.BENCH_ALERTMANAGER === '0') return undefined;
  return ALERTMANAGER_BINARIES.find((bin) => spawnSync(bin, ['--version']).status === 0);
}

/**
 * Alertmanager in memory on a free loopback port, with a route to a receiver that sends nothing, its own
 * storage dir and no cluster listener.
 */
export async function startAlertmanager(binary: string): Promise<Target & { version: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-bench-am-'));
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(
    config,
    stringify({ route: { receiver: 'discard', group_by: ['alertname'] }, receivers: [{ name: 'discard' }] }),
  );
  const port = await freePort();
  const child = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = stopChild(child, () => rmSync(dir, { recursive: true, force: true }));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`Alertmanager (${binary}) did not become ready on ${url}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const version = /version (\S+)/.exec(spawnSync(binary, ['--version']).stdout.toString())?.[1] ?? '?';
  return { url, pid: child.pid!, stop, version };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
