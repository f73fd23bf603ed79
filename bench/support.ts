import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { stringify } from 'yaml';
import { ServiceProcess, startService } from '../test/support/service-process';
import { defaultTestConfig } from '../test/support/test-app';

export { createPostgresDatabase } from '../test/support/test-database';

/**
 * Starts the compiled service as its own process on real PostgreSQL; resolves with its base URL.
 * BENCH_NODE_ARGS passes options to node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the service.
 */
export async function startServiceProcess(
  databaseUrl: string,
  config = defaultTestConfig(),
  env: Record<string, string> = {},
): Promise<{ url: string; service: ServiceProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-bench-'));
  const path = join(dir, 'alert-relay.yaml');
  writeFileSync(path, stringify(config));
  const service = await startService(
    { ALERT_RELAY_CONFIG: path, DATA_DIR: join(dir, 'data'), DATABASE_URL: databaseUrl, ...env },
    (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  return { url: service.url, service };
}

export interface LoadResult {
  label: string;
  requestsPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
}

export async function load(label: string, options: autocannon.Options): Promise<LoadResult> {
  const result = await autocannon(options);
  const ok = result['2xx'];
  return {
    label,
    requestsPerSecond: ok / (result.duration || 1),
    ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

export function printTable(results: LoadResult[]): void {
  const rows = results.map((r) => ({
    run: r.label,
    'accepted/s': r.requestsPerSecond.toFixed(0),
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    '2xx': r.ok,
    'non-2xx': r.non2xx,
    errors: r.errors,
  }));
  console.table(rows);
}

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc (Linux). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** CPU time of every PostgreSQL server process on this machine, in milliseconds (Linux). */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      total += cpuMs(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}
