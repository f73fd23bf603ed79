import { spawn, spawnSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { projectRoot } from '../../src/common/project-root';
import { BodyGenerator, BodyRun } from './bodies';
import { ownCpuMs } from './cpu';

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WRK_THREADS = Number(process.env.BENCH_WRK_THREADS ?? 1);
const LUA = join(projectRoot(), 'bench', 'support', 'bodies.lua');

// wrk (C, one thread by default) costs far less CPU per request than autocannon in this process, which on
// two cores would take a share from the target; BENCH_LOAD=autocannon forces the fallback.
const useWrk = process.env.BENCH_LOAD !== 'autocannon' && spawnSync('wrk', ['-v']).error === undefined;

export const LOAD_GENERATOR = useWrk
  ? `wrk (${WRK_THREADS} thread${WRK_THREADS > 1 ? 's' : ''}, bodies built in Lua)`
  : 'autocannon (in the bench process; install wrk for a cheaper load generator)';

export interface LoadResult {
  /** 2xx answers per second. */
  rate: number;
  ok: number;
  /** Answers with status 400 or above (what wrk counts; autocannon counts every non-2xx). */
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  p50: number;
  p99: number;
  seconds: number;
  /** CPU the load generator itself used, in milliseconds. */
  generatorCpuMs: number;
}

/** As many requests as `CONNECTIONS` connections get answered in `seconds` against `baseUrl`. */
export function runLoad(baseUrl: string, run: BodyRun, seconds: number): Promise<LoadResult> {
  return useWrk ? runWrk(baseUrl, run, seconds) : runAutocannon(baseUrl, run, seconds);
}

async function runWrk(baseUrl: string, run: BodyRun, seconds: number): Promise<LoadResult> {
  const { scenario } = run;
  const threads = Math.min(WRK_THREADS, CONNECTIONS);
  const headers = Object.entries(scenario.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const args = [
    ...['-t', String(threads), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--timeout', '10s', '-s', LUA],
    ...headers,
    baseUrl + scenario.path,
    '--',
    ...[scenario.mode, scenario.ids, run.prefix, ...scenario.states, run.timeBase, scenario.timeStep, threads],
    scenario.template,
  ].map(String);
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const line = /^WRK_RESULT (.*)$/m.exec(output)?.[1];
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${output}`);
  const r = JSON.parse(line) as Record<string, number>;
  const ok = r.requests - r.non2xx;
  const runSeconds = r.durationUs / 1e6;
  return {
    rate: ok / runSeconds,
    ok,
    non2xx: r.non2xx,
    errors: r.socketErrors,
    p50: r.p50Us / 1000,
    p99: r.p99Us / 1000,
    seconds: runSeconds,
    generatorCpuMs: r.cpuTicks * 10,
  };
}

async function runAutocannon(baseUrl: string, run: BodyRun, seconds: number): Promise<LoadResult> {
  const bodies = new BodyGenerator(run);
  const cpuBefore = ownCpuMs();
  const result = await autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: run.scenario.path,
        headers: run.scenario.headers,
        setupRequest: (req: autocannon.Request) => ({ ...req, body: bodies.next().body }),
      },
    ],
  });
  const ok = result['2xx'];
  return {
    rate: ok / (result.duration || 1),
    ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    seconds: result.duration,
    generatorCpuMs: ownCpuMs() - cpuBefore,
  };
}

// An idle connection is closed here before the service's keep-alive timeout (Node's 5 s) closes it, so a
// request is never sent on a socket the server is closing at that moment (ECONNRESET on read).
const agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 4000 });

/** POSTs one body; resolves with the status once the answer is read. */
export async function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return (await postAndRead(url, body, headers, false)).status;
}

/** POSTs one body on the same connections; resolves with the status and (unless `read` is false) the answer. */
export function postAndRead(
  url: string,
  body: string,
  headers: Record<string, string>,
  read = true,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      if (read) res.on('data', (c: Buffer) => chunks.push(c));
      else res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface PacedResult {
  /** When each id's request was sent (performance.now()). */
  sentAt: Map<string, number>;
  /** Request-to-answer times in ms. */
  answerMs: number[];
  non2xx: number;
  errors: number;
  /** Each error message with how often it occurred. */
  errorMessages: Map<string, number>;
  /** The rate actually offered. */
  offered: number;
}

/**
 * An open-loop client: sends `rate` requests per second for `seconds`, whether or not the earlier ones were
 * answered (a closed loop would slow down with the service and hide its latency).
 */
export async function paced(baseUrl: string, run: BodyRun, rate: number, seconds: number): Promise<PacedResult> {
  const bodies = new BodyGenerator(run);
  const result: PacedResult = {
    sentAt: new Map(),
    answerMs: [],
    non2xx: 0,
    errors: 0,
    errorMessages: new Map(),
    offered: 0,
  };
  const total = Math.round(rate * seconds);
  const pending = new Set<Promise<void>>();
  const begin = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = begin + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const { id, body } = bodies.next();
    const start = performance.now();
    result.sentAt.set(id, start);
    const sent = post(baseUrl + run.scenario.path, body, run.scenario.headers).then(
      (status) => {
        result.answerMs.push(performance.now() - start);
        if (status < 200 || status > 299) result.non2xx++;
      },
      (error: unknown) => {
        result.errors++;
        const message = error instanceof Error ? error.message : String(error);
        result.errorMessages.set(message, (result.errorMessages.get(message) ?? 0) + 1);
      },
    );
    pending.add(sent);
    void sent.finally(() => pending.delete(sent));
  }
  result.offered = total / ((performance.now() - begin) / 1000);
  await Promise.all(pending);
  return result;
}

/** What a paced run's failures were, for the output; empty when there were none. */
export function describeErrors(result: PacedResult): string {
  if (result.errorMessages.size === 0) return '';
  return ` (${[...result.errorMessages].map(([message, count]) => `${count}× ${message}`).join('; ')})`;
}

export function closeLoadClients(): void {
  agent.destroy();
}
