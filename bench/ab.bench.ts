// npm run bench:ab -- [stackstate|monasca|repeat|alertmanagerWebhook|pagerduty]: this build against another
// (BENCH_BASELINE=<its dist/src/main.js>, required) under the same load AT THE SAME TIME, each on a
// database of its own. On these shared machines the speed drifts by half within a minute (bench:ingest's
// bare server per round), so builds measured one after the other differ by more than a change of a few
// per cent makes; measured side by side, both see the same drift, and the per-round ratio of their CPU
// per message is steadier. Each round runs one wrk per build concurrently (BENCH_CONNECTIONS each).
// Env: BENCH_SECONDS (per round, 5), BENCH_ROUNDS (6), BENCH_WARMUP_SECONDS (3).
import { loadavg } from 'node:os';
import { BodyGenerator, bodyRun, Scenario, scenarios } from './support/bodies';
import { cpuMs, PostgresCpuMeter } from './support/cpu';
import { closeLoadClients, CONNECTIONS, LOAD_GENERATOR, LoadResult, post, runLoad } from './support/load';
import { fmt, median } from './support/report';
import { createPostgresDatabase, ingestGroups, startServiceProcess, ServiceTarget } from './support/targets';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

interface Side {
  name: string;
  target: ServiceTarget;
  meter: PostgresCpuMeter;
}

interface Sample {
  load: LoadResult;
  cpuMs: number;
  postgresMs: number;
  messagesPerTransaction: number;
}

async function measure(side: Side, scenario: Scenario, seconds: number): Promise<Sample> {
  const pgBefore = await side.meter.sample();
  const groupsBefore = await ingestGroups(side.target.url);
  const cpuBefore = cpuMs(side.target.pid);
  const load = await runLoad(side.target.url, bodyRun(scenario), seconds);
  const cpu = cpuMs(side.target.pid) - cpuBefore;
  const pg = PostgresCpuMeter.between(pgBefore, await side.meter.sample());
  const groupsAfter = await ingestGroups(side.target.url);
  const transactions = groupsAfter.transactions - groupsBefore.transactions;
  return {
    load,
    cpuMs: cpu,
    postgresMs: pg.database,
    messagesPerTransaction: transactions > 0 ? (groupsAfter.messages - groupsBefore.messages) / transactions : NaN,
  };
}

// Opens every id of the repeat scenario once, so that everything measured is a duplicate.
async function seedRepeats(url: string): Promise<void> {
  const scenario = scenarios.repeat;
  const bodies = new BodyGenerator(bodyRun(scenario));
  for (let i = 0; i < scenario.ids; i++) {
    const status = await post(url + scenario.path, bodies.next().body, scenario.headers);
    if (status !== 200) throw new Error(`seeding the repeats: answer ${status}`);
  }
}

async function main(): Promise<void> {
  // autocannon would load both builds from this one process: the two loads would not be independent.
  if (!LOAD_GENERATOR.startsWith('wrk')) throw new Error('bench:ab needs wrk (apt-get install wrk)');
  const baselineMain = process.env.BENCH_BASELINE;
  if (!baselineMain) throw new Error('set BENCH_BASELINE to the other build’s dist/src/main.js');
  const name = (process.argv[2] ?? 'stackstate') as keyof typeof scenarios;
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; choose from ${Object.keys(scenarios).join(', ')}`);
  const stops: (() => Promise<void>)[] = [];
  try {
    const side = async (label: string, main?: string): Promise<Side> => {
      const database = await createPostgresDatabase();
      stops.push(() => database.drop());
      const meter = await PostgresCpuMeter.connect(database.url, { writers: false });
      stops.push(() => meter.close());
      const target = await startServiceProcess(database.url, undefined, {}, main);
      stops.push(() => target.stop());
      return { name: label, target, meter };
    };
    const sides = [await side('this build'), await side('baseline', baselineMain)];
    console.log(
      `bench:ab: ${name}, ${ROUNDS} rounds of ${SECONDS} s (after ${WARMUP} s warm-up), both builds loaded at ` +
        `once, ${CONNECTIONS} connections each; ${LOAD_GENERATOR}; load average ${loadavg()[0].toFixed(2)}`,
    );
    if (name === 'repeat') for (const s of sides) await seedRepeats(s.target.url);
    await Promise.all(sides.map((s) => measure(s, scenario, WARMUP)));
    const rounds: Sample[][] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const samples = await Promise.all(sides.map((s) => measure(s, scenario, SECONDS)));
      rounds.push(samples);
      const cpu = samples.map((s) => s.cpuMs / Math.max(1, s.load.ok));
      console.log(
        `round ${round}: ` +
          samples.map((s, i) => `${sides[i].name} ${fmt(s.load.rate)}/s ${fmt(cpu[i], 3)} ms/msg`).join(' | ') +
          ` | CPU ratio ${fmt(cpu[0] / cpu[1], 3)}`,
      );
    }
    const perMessage = (s: Sample) => s.cpuMs / Math.max(1, s.load.ok);
    const ratios = rounds.map(([a, b]) => perMessage(a) / perMessage(b));
    const total = (i: number, f: (s: Sample) => number) => rounds.reduce((sum, r) => sum + f(r[i]), 0);
    const failures = rounds.flat().reduce((sum, s) => sum + s.load.non2xx + s.load.errors, 0);
    console.log(
      `service CPU per message, this build / baseline: median of rounds ${fmt(median(ratios), 3)} ` +
        `(rounds ${ratios.map((r) => fmt(r, 2)).join(', ')}); over all rounds ` +
        `${fmt(total(0, (s) => s.cpuMs) / total(0, (s) => s.load.ok) / (total(1, (s) => s.cpuMs) / total(1, (s) => s.load.ok)), 3)}`,
    );
    console.log(
      `rate, this build / baseline: ${fmt(median(rounds.map(([a, b]) => a.load.rate / b.load.rate)), 3)}; ` +
        `PostgreSQL CPU per message (each database's backends): ${fmt(median(rounds.map(([a, b]) => a.postgresMs / a.load.ok / (b.postgresMs / b.load.ok))), 3)}; ` +
        `messages per transaction ${fmt(median(rounds.map(([a]) => a.messagesPerTransaction)), 1)} vs ` +
        `${fmt(median(rounds.map(([, b]) => b.messagesPerTransaction)), 1)}; non-2xx and errors: ${failures}`,
    );
  } finally {
    closeLoadClients();
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
