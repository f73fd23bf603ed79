// npm run bench:ingest [-- monasca repeat embedded alertmanager-webhook pagerduty workers]: the service's durable ingest side by side with what
// bounds it, in alternating rounds of one run (see docs/design-notes.md, "Ingest speed"): a bare node:http
// server, the minimal NestJS app (bench/minimal-app), Alertmanager when installed, and the service on a
// fresh PostgreSQL database (and on the embedded one). Prints rate, p50/p99, non-2xx and CPU per request
// of each process (and of PostgreSQL per message), then the targets of issue 14 as PASS/FAIL lines.
// Env: BENCH_SECONDS (per target per round, 5), BENCH_ROUNDS (3), BENCH_WARMUP_SECONDS (2),
// BENCH_CONNECTIONS (32), BENCH_SCENARIOS (comma-separated; the arguments win), BENCH_LOAD=autocannon,
// BENCH_WRK_THREADS, BENCH_ALERTMANAGER=0, BENCH_NODE_ARGS and BENCH_POOL_SIZE (the service's), BENCH_SCRIPT_NODE_ARGS (the bare server's and minimal app's),
// BENCH_BASELINE (another build's dist/src/main.js: run it too, on its own database, and compare),
// BENCH_WORKERS (the `workers` scenario's WORKERS, 2; setting it adds the scenario to the default run).
import { cpus, loadavg } from 'node:os';
import { BodyGenerator, bodyRun, Scenario, scenarios } from './support/bodies';
import { cpuMs, PostgresCpuMeter } from './support/cpu';
import { CONNECTIONS, LOAD_GENERATOR, LoadResult, post, runLoad, closeLoadClients } from './support/load';
import { check, fmt, median, printColumns, printVerdicts, Verdict } from './support/report';
import {
  alertmanagerBinary,
  createPostgresDatabase,
  ingestGroups,
  startAlertmanager,
  startBenchScript,
  startServiceProcess,
  Target,
} from './support/targets';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const OPTIONAL = ['monasca', 'repeat', 'embedded', 'alertmanager-webhook', 'pagerduty', 'workers'] as const;
type Optional = (typeof OPTIONAL)[number];
// `workers` (the service with WORKERS=BENCH_WORKERS, 2 by default) runs when named or BENCH_WORKERS is set.
const DEFAULT = OPTIONAL.filter((name) => name !== 'workers' || process.env.BENCH_WORKERS);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);

interface Measure {
  load: LoadResult;
  cpuMs: number;
  postgres?: { database: number; cluster: number };
  groups?: { transactions: number; messages: number };
}

interface Run {
  label: string;
  /** For the per-round lines. */
  short: string;
  target: Target;
  scenario: Scenario;
  /** The service: read its group-commit counters. */
  service?: boolean;
  /** The service on PostgreSQL: read the database's CPU too. */
  postgres?: PostgresCpuMeter;
  /** Where the database runs when it is not PostgreSQL's own processes. */
  databaseNote?: string;
  rounds: Measure[];
}

async function measure(run: Run, seconds: number): Promise<Measure> {
  const body = bodyRun(run.scenario);
  const pgBefore = await run.postgres?.sample();
  const groupsBefore = run.service ? await ingestGroups(run.target.url) : undefined;
  const cpuBefore = cpuMs(run.target.pid);
  const load = await runLoad(run.target.url, body, seconds);
  const cpu = cpuMs(run.target.pid) - cpuBefore;
  const pgAfter = await run.postgres?.sample();
  const groupsAfter = run.service ? await ingestGroups(run.target.url) : undefined;
  return {
    load,
    cpuMs: cpu,
    postgres: pgBefore && pgAfter ? PostgresCpuMeter.between(pgBefore, pgAfter) : undefined,
    groups:
      groupsBefore && groupsAfter
        ? {
            transactions: groupsAfter.transactions - groupsBefore.transactions,
            messages: groupsAfter.messages - groupsBefore.messages,
          }
        : undefined,
  };
}

function selected(): Set<Optional> {
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : process.env.BENCH_SCENARIOS?.split(',');
  if (!names) return new Set(DEFAULT);
  const unknown = names.filter((n) => n !== 'stackstate' && !OPTIONAL.includes(n as Optional));
  if (unknown.length > 0)
    throw new Error(`unknown scenario ${unknown.join(', ')}; choose from stackstate, ${OPTIONAL.join(', ')}`);
  return new Set(names.filter((n): n is Optional => OPTIONAL.includes(n as Optional)));
}

// Opens every id of the repeat scenario once, so that everything measured is a duplicate.
async function seedRepeats(url: string): Promise<void> {
  const scenario = scenarios.repeat;
  const bodies = new BodyGenerator(bodyRun(scenario));
  for (let batch = 0; batch < scenario.ids; batch += 16) {
    const statuses = await Promise.all(
      Array.from({ length: Math.min(16, scenario.ids - batch) }, () =>
        post(url + scenario.path, bodies.next().body, scenario.headers),
      ),
    );
    if (statuses.some((s) => s !== 200)) throw new Error(`seeding the repeats: answers ${statuses.join(', ')}`);
  }
}

async function main(): Promise<void> {
  const chosen = selected();
  const stops: (() => Promise<void>)[] = [];
  try {
    const database = await createPostgresDatabase();
    stops.push(() => database.drop());
    const meter = await PostgresCpuMeter.connect(database.url);
    stops.push(() => meter.close());
    const start = async <T extends Target>(target: Promise<T>) => {
      const started = await target;
      stops.push(() => started.stop());
      return started;
    };
    const bare = await start(startBenchScript('bare-server'));
    const minimal = await start(startBenchScript('minimal-app/main'));
    const service = await start(startServiceProcess(database.url));
    const amBinary = alertmanagerBinary();
    const alertmanager = amBinary ? await start(startAlertmanager(amBinary)) : undefined;
    const embedded = chosen.has('embedded') ? await start(startServiceProcess(undefined)) : undefined;
    // On a database of its own each, measured on its own: another build (BENCH_BASELINE), the service
    // with WORKERS=N.
    const onOwnDatabase = async (env: Record<string, string>, main?: string) => {
      const own = await createPostgresDatabase();
      stops.push(() => own.drop());
      const ownMeter = await PostgresCpuMeter.connect(own.url);
      stops.push(() => ownMeter.close());
      return { target: await start(startServiceProcess(own.url, undefined, env, main)), meter: ownMeter };
    };
    const baselineMain = process.env.BENCH_BASELINE;
    const baseline = baselineMain ? await onOwnDatabase({}, baselineMain) : undefined;
    const workers = chosen.has('workers') ? await onOwnDatabase({ WORKERS: String(WORKERS) }) : undefined;

    const run = (short: string, label: string, target: Target, scenario: Scenario, extra: Partial<Run> = {}): Run => ({
      short,
      label,
      target,
      scenario,
      rounds: [],
      ...extra,
    });
    const onPostgres = { service: true, postgres: meter };
    const runs = {
      bare: run('bare', 'bare node:http', bare, scenarios.stackstate),
      minimal: run('minimal', 'minimal NestJS app', minimal, scenarios.stackstate),
      service: run('service', 'service, PostgreSQL', service, scenarios.stackstate, onPostgres),
      workers:
        workers &&
        run('service workers', `service, WORKERS=${WORKERS}`, workers.target, scenarios.stackstate, {
          service: true, // /metrics sums the workers' group-commit counters
          postgres: workers.meter,
        }),
      baseline:
        baseline &&
        run('baseline', 'baseline build, PostgreSQL', baseline.target, scenarios.stackstate, {
          service: true,
          postgres: baseline.meter,
        }),
      alertmanager:
        alertmanager &&
        run('alertmanager', `Alertmanager ${alertmanager.version}`, alertmanager, scenarios.alertmanager),
      minimalMonasca:
        chosen.has('monasca') || chosen.has('repeat')
          ? run('minimal monasca', 'minimal NestJS app', minimal, scenarios.monasca)
          : undefined,
      monasca: chosen.has('monasca')
        ? run('service monasca', 'service, PostgreSQL', service, scenarios.monasca, onPostgres)
        : undefined,
      repeat: chosen.has('repeat')
        ? run('service repeats', 'service, PostgreSQL', service, scenarios.repeat, onPostgres)
        : undefined,
      alertmanagerWebhook: chosen.has('alertmanager-webhook')
        ? run('service am-webhook', 'service, PostgreSQL', service, scenarios.alertmanagerWebhook, onPostgres)
        : undefined,
      pagerduty: chosen.has('pagerduty')
        ? run('service pagerduty', 'service, PostgreSQL', service, scenarios.pagerduty, onPostgres)
        : undefined,
      embedded:
        embedded &&
        run('embedded', 'service, embedded PGlite', embedded, scenarios.stackstate, {
          service: true,
          databaseNote: 'in process',
        }),
    };
    const order = Object.values(runs).filter((r): r is Run => r !== undefined);

    console.log(
      `bench:ingest: ${ROUNDS} alternating rounds of ${SECONDS} s per target (after ${WARMUP} s warm-up each), ` +
        `${CONNECTIONS} connections; load generator: ${LOAD_GENERATOR}`,
    );
    const load = loadavg().map((l) => l.toFixed(2));
    const noAlertmanager = '; Alertmanager not installed (apt-get install prometheus-alertmanager)';
    console.log(
      `machine: ${cpus().length} cores, load average ${load.join(' ')} at start; node ${process.version}; ` +
        `PostgreSQL ${await meter.serverVersion()}${alertmanager ? '' : noAlertmanager}`,
    );

    if (runs.repeat) await seedRepeats(service.url);
    for (const r of order) await measure(r, WARMUP);
    for (let round = 1; round <= ROUNDS; round++) {
      const line: string[] = [];
      for (const r of order) {
        const m = await measure(r, SECONDS);
        r.rounds.push(m);
        line.push(`${r.short} ${fmt(m.load.rate)}`);
      }
      console.log(`round ${round}, rate/s: ${line.join(' | ')}`);
    }
    console.log();
    printTable(order);
    console.log();
    printVerdicts(verdicts(runs));
  } finally {
    closeLoadClients();
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => console.error(e));
  }
}

const sum = (run: Run, f: (m: Measure) => number) => run.rounds.reduce((total, m) => total + f(m), 0);
const med = (run: Run | undefined, f: (m: Measure) => number) => (run ? median(run.rounds.map(f)) : NaN);
const rate = (m: Measure) => m.load.rate;
const cpuPerRequest = (m: Measure) => m.cpuMs / Math.max(m.load.ok, 1);
const postgresPerMessage = (m: Measure) => (m.postgres?.database ?? NaN) / Math.max(m.load.ok, 1);

/** The median over rounds of a per-round ratio: drift of the machine between rounds cancels out. */
function ratio(a: Run | undefined, b: Run | undefined, f: (m: Measure) => number): number {
  if (!a || !b) return NaN;
  return median(a.rounds.map((m, i) => f(m) / f(b.rounds[i])));
}

function printTable(runs: Run[]): void {
  const perMessage = (run: Run, f: (m: Measure) => number | undefined) =>
    sum(run, (m) => f(m) ?? NaN) / sum(run, (m) => m.load.ok);
  printColumns(
    [
      'target',
      'scenario',
      'rate/s',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'errors',
      'CPU ms/req',
      'PG ms/msg',
      'cluster',
      'msgs/tx',
      'gen ms/req',
    ],
    runs.map((run) => [
      run.label,
      run.scenario.label,
      fmt(med(run, rate)),
      fmt(
        med(run, (m) => m.load.p50),
        1,
      ),
      fmt(
        med(run, (m) => m.load.p99),
        1,
      ),
      String(sum(run, (m) => m.load.non2xx)),
      String(sum(run, (m) => m.load.errors)),
      fmt(med(run, cpuPerRequest), 3),
      run.databaseNote ??
        fmt(
          perMessage(run, (m) => m.postgres?.database),
          3,
        ),
      run.databaseNote
        ? ''
        : fmt(
            perMessage(run, (m) => m.postgres?.cluster),
            3,
          ),
      run.service ? fmt(sum(run, (m) => m.groups!.messages) / sum(run, (m) => m.groups!.transactions), 1) : '',
      fmt(
        med(run, (m) => m.load.generatorCpuMs / Math.max(m.load.ok, 1)),
        3,
      ),
    ]),
  );
  console.log(
    "rate, p50, p99, CPU: medians of the rounds; non-2xx, errors: totals. CPU ms/req: the target process's " +
      'utime+stime (/proc, all threads) over a round / its 2xx answers. PG ms/msg: the backends of the bench ' +
      'database plus the WAL writer, checkpointer and bgwriter, per 2xx answer, over all rounds; cluster: every ' +
      "postgres process on the machine (other users' work included). msgs/tx: messages per ingest transaction " +
      "(group commit). gen ms/req: the load generator's own CPU.",
  );
  const bare = runs[0];
  console.log(`noise indicator, ${bare.label} per round: ${bare.rounds.map((m) => fmt(m.load.rate)).join(', ')} /s`);
}

function verdicts(runs: Record<string, Run | undefined>): Verdict[] {
  const out: Verdict[] = [];
  const am = runs.alertmanager;
  const p99 = (m: Measure) => m.load.p99;
  const failures = (run: Run) => sum(run, (m) => m.load.non2xx + m.load.errors);
  const source = (name: string, service: Run | undefined, minimal: Run | undefined) => {
    if (!service) return;
    out.push(
      check(
        `${name}: service CPU per message / minimal app CPU per request`,
        ratio(service, minimal, cpuPerRequest),
        '<=',
        1.5,
        `${fmt(med(service, cpuPerRequest), 3)} vs ${fmt(med(minimal, cpuPerRequest), 3)} ms`,
      ),
      check(
        `${name}: service rate / minimal app rate`,
        ratio(service, minimal, rate),
        '>=',
        0.7,
        `${fmt(med(service, rate))} vs ${fmt(med(minimal, rate))} /s`,
      ),
      check(
        `${name}: service rate / Alertmanager rate`,
        ratio(service, am, rate),
        '>=',
        0.1,
        am ? `${fmt(med(service, rate))} vs ${fmt(med(am, rate))} /s` : 'Alertmanager not installed',
      ),
      check(
        `${name}: service p99, ms`,
        med(service, p99),
        '<',
        50,
        `median of the rounds; the minimal app's ${fmt(med(minimal, p99), 1)} ms`,
      ),
      check(`${name}: non-2xx answers and errors`, failures(service), '<=', 0, 'total of the rounds', 0),
    );
  };
  source('StackState', runs.service, runs.minimal);
  source('Monasca', runs.monasca, runs.minimalMonasca);
  for (const [name, run] of [
    ['Alertmanager webhook', runs.alertmanagerWebhook],
    ['PagerDuty v2', runs.pagerduty],
  ] as const) {
    if (!run) continue;
    out.push(
      check(
        `${name}: service CPU per message / StackState's`,
        ratio(run, runs.service, cpuPerRequest),
        '<=',
        1.5,
        `${fmt(med(run, cpuPerRequest), 3)} vs ${fmt(med(runs.service, cpuPerRequest), 3)} ms; ` +
          `${fmt(med(run, rate))}/s, p99 ${fmt(med(run, p99), 1)} ms`,
      ),
      check(`${name}: non-2xx answers and errors`, failures(run), '<=', 0, 'total of the rounds', 0),
    );
  }
  if (runs.workers)
    out.push(
      check(
        `WORKERS=${WORKERS}: rate / one process's rate (StackState)`,
        ratio(runs.workers, runs.service, rate),
        '>=',
        1,
        `${fmt(med(runs.workers, rate))} vs ${fmt(med(runs.service, rate))} /s on ${cpus().length} cores; CPU per ` +
          `message ${fmt(med(runs.workers, cpuPerRequest), 3)} vs ${fmt(med(runs.service, cpuPerRequest), 3)} ms`,
      ),
      check(`WORKERS=${WORKERS}: non-2xx answers and errors`, failures(runs.workers), '<=', 0, 'total', 0),
    );
  if (runs.baseline)
    out.push(
      check(
        'this build / BENCH_BASELINE: service CPU per message (StackState)',
        ratio(runs.service, runs.baseline, cpuPerRequest),
        '<=',
        1,
        `${fmt(med(runs.service, cpuPerRequest), 3)} vs ${fmt(med(runs.baseline, cpuPerRequest), 3)} ms; rate ` +
          `${fmt(ratio(runs.service, runs.baseline, rate), 2)}x; PostgreSQL CPU per message ` +
          `${fmt(ratio(runs.service, runs.baseline, postgresPerMessage), 2)}x`,
      ),
    );
  const repeat = runs.repeat;
  if (repeat) {
    const groups = (f: 'transactions' | 'messages') => sum(repeat, (m) => m.groups![f]);
    out.push(
      check(
        'repeats: service rate / minimal app rate (Monasca)',
        ratio(repeat, runs.minimalMonasca, rate),
        '>=',
        0.9,
        `${fmt(med(repeat, rate))} vs ${fmt(med(runs.minimalMonasca, rate))} /s; ` +
          `${fmt(groups('transactions') / Math.max(groups('messages'), 1), 2)} ingest transactions per repeat ` +
          `(${fmt(med(repeat, cpuPerRequest), 3)} ms service CPU each)`,
      ),
      check(
        'repeats: p99, ms',
        med(repeat, p99),
        '<',
        50,
        `median of the rounds; the minimal app's ${fmt(med(runs.minimalMonasca, p99), 1)} ms`,
      ),
      check('repeats: non-2xx answers and errors', failures(repeat), '<=', 0, 'total of the rounds', 0),
    );
  }
  if (runs.embedded)
    out.push(
      check(
        'embedded database: rate / PostgreSQL rate (StackState)',
        ratio(runs.embedded, runs.service, rate),
        '>=',
        0.5,
        `${fmt(med(runs.embedded, rate))} vs ${fmt(med(runs.service, rate))} /s; p99 ${fmt(med(runs.embedded, p99), 1)} ms`,
      ),
    );
  return out;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
