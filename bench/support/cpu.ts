import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';

// /proc reports times in clock ticks; Linux on x86 and arm uses 100 per second (getconf CLK_TCK).
const TICK_MS = 10;

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): field 3 (state) is index 0.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU time (user + system, all threads) a process and its live children (the workers of WORKERS=N) have
 * used so far, in milliseconds.
 */
export function cpuMs(pid: number): number {
  const f = statFields(pid);
  return (Number(f[11]) + Number(f[12])) * TICK_MS + childrenOf(pid).reduce((sum, child) => sum + cpuMs(child), 0);
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return []; // gone meanwhile, or a kernel without /proc/<pid>/task/<tid>/children
  }
}

/** Resident set size of a process, in MiB. */
export function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** The bench process's own CPU time (all threads), in milliseconds. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export interface PostgresCpu {
  /** The backends serving the bench database plus the cluster's WAL writer, checkpointer and bgwriter. */
  database: number;
  /** Every process named postgres on this machine, with the children they reaped (others' work too). */
  cluster: number;
}

export interface PostgresCpuSample {
  processes: Map<number, number>;
  cluster: number;
}

/**
 * PostgreSQL CPU, read from /proc. `database` counts the processes of pg_stat_activity that work for the
 * bench database (its client backends and autovacuum workers, found again at each sample so that a new
 * pool connection counts) and the cluster-wide writers that every commit needs (WAL writer,
 * checkpointer, background writer): the figure to compare. `cluster` also counts other databases' work
 * (other engineers' tests on a shared server): a cross-check, not a result.
 */
export class PostgresCpuMeter {
  private constructor(
    private readonly client: Client,
    private readonly writers: boolean,
  ) {}

  /** `writers: false` counts the database's own backends only (two databases measured at once share the writers). */
  static async connect(databaseUrl: string, options: { writers?: boolean } = {}): Promise<PostgresCpuMeter> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    return new PostgresCpuMeter(client, options.writers ?? true);
  }

  async sample(): Promise<PostgresCpuSample> {
    const { rows } = await this.client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE pid <> pg_backend_pid()
          AND ((datname = current_database() AND backend_type IN ('client backend', 'autovacuum worker'))
            OR ($1 AND backend_type IN ('walwriter', 'checkpointer', 'background writer')))`,
      [this.writers],
    );
    const processes = new Map<number, number>();
    for (const { pid } of rows) {
      const ms = tryRead(() => cpuMs(pid));
      if (ms !== undefined) processes.set(pid, ms);
    }
    return { processes, cluster: clusterCpuMs() };
  }

  /** CPU used between two samples; a process first seen in `after` counts whole (it started meanwhile). */
  static between(before: PostgresCpuSample, after: PostgresCpuSample): PostgresCpu {
    let database = 0;
    for (const [pid, ms] of after.processes) database += ms - (before.processes.get(pid) ?? 0);
    return { database, cluster: after.cluster - before.cluster };
  }

  async serverVersion(): Promise<string> {
    return (await this.client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

// utime + stime + cutime + cstime of every postgres process: a backend that ends moves its time into the
// postmaster's children's times, so the sum stays continuous.
function clusterCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    total +=
      tryRead(() => {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') return 0;
        const f = statFields(Number(entry));
        return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
      }) ?? 0;
  }
  return total;
}

// A process can end between listing and reading.
function tryRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
