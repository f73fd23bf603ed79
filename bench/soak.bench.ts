// npm run bench:soak: the service's resident memory over time at half its measured capacity (StackState
// opens and updates, every change delivered to a local webhook sink), on a fresh PostgreSQL database.
// Targets: RSS flat within ±10% after the warm-up (the live heap, from /metrics, printed beside it), and
// delivery never stalls for longer than a sample interval while the load runs.
// Env: BENCH_SOAK_SECONDS (300), BENCH_SOAK_WARMUP_SECONDS (60, not judged), BENCH_SOAK_SAMPLE_SECONDS (5),
// BENCH_SECONDS (the capacity run, 5), BENCH_CONNECTIONS, BENCH_LOAD=autocannon, BENCH_NODE_ARGS, BENCH_POOL_SIZE,
// BENCH_SOAK_RATE (offer this many per second instead of half the capacity: does a pace near capacity
// hold as the tables grow?), BENCH_BASELINE (soak another build's dist/src/main.js instead).
import { defaultTestConfig } from '../test/support/test-app';
import { bodyRun, scenarios } from './support/bodies';
import { rssMb } from './support/cpu';
import { closeLoadClients, describeErrors, LOAD_GENERATOR, paced, runLoad } from './support/load';
import { check, fmt, percentile, printVerdicts } from './support/report';
import { deliveryConfig, startSink } from './support/sink';
import { createPostgresDatabase, startServiceProcess } from './support/targets';

const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 300);
const WARMUP_SECONDS = Number(process.env.BENCH_SOAK_WARMUP_SECONDS ?? 60);
const SAMPLE_SECONDS = Number(process.env.BENCH_SOAK_SAMPLE_SECONDS ?? 5);
const CAPACITY_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const FIXED_RATE = process.env.BENCH_SOAK_RATE ? Number(process.env.BENCH_SOAK_RATE) : undefined;

/** The service's live JS heap (its /metrics), to tell a leak from V8 reserving heap. */
async function heapUsedMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN) / 1048576;
}

async function main(): Promise<void> {
  const database = await createPostgresDatabase();
  const sink = await startSink();
  const service = await startServiceProcess(
    database.url,
    deliveryConfig(defaultTestConfig(), sink.url),
    {},
    process.env.BENCH_BASELINE || undefined,
  );
  try {
    const scenario = scenarios.stackstate;
    await runLoad(service.url, bodyRun(scenario), 2);
    const capacity = await runLoad(service.url, bodyRun(scenario), CAPACITY_SECONDS);
    const rate = FIXED_RATE ?? Math.max(1, Math.round(capacity.rate / 2));
    console.log(
      `bench:soak${process.env.BENCH_BASELINE ? ` (BENCH_BASELINE ${process.env.BENCH_BASELINE})` : ''}: capacity ${fmt(capacity.rate)}/s (${LOAD_GENERATOR}, ${CAPACITY_SECONDS} s, with delivery); ` +
        `now ${rate}/s for ${SOAK_SECONDS} s, RSS every ${SAMPLE_SECONDS} s, the first ${WARMUP_SECONDS} s not judged`,
    );
    const begin = performance.now();
    const samples: { t: number; mb: number; heapMb: number; delivered: number }[] = [];
    const sample = async () => {
      const t = (performance.now() - begin) / 1000;
      const mb = rssMb(service.pid);
      const heapMb = await heapUsedMb(service.url);
      samples.push({ t, mb, heapMb, delivered: sink.received() });
      if (samples.length % Math.max(1, Math.round(30 / SAMPLE_SECONDS)) === 1)
        console.log(
          `  ${fmt(t)} s: RSS ${fmt(mb, 1)} MiB, heap used ${fmt(heapMb, 1)} MiB, ${sink.received()} deliveries so far`,
        );
    };
    await sample();
    const timer = setInterval(() => void sample(), SAMPLE_SECONDS * 1000);
    // Samples only while the load runs: once it stops the heap shrinks, which says nothing about a leak.
    const sent = await paced(service.url, bodyRun(scenario), rate, SOAK_SECONDS).finally(() => clearInterval(timer));

    const judged = samples.filter((s) => s.t >= WARMUP_SECONDS);
    // Delivery must keep going while the load runs: the longest stretch between samples with none.
    let stalled = 0;
    for (let i = 1, since = samples[0]; i < samples.length && samples[i].t <= SOAK_SECONDS; i++) {
      if (samples[i].delivered > since.delivered) since = samples[i];
      else stalled = Math.max(stalled, samples[i].t - since.t);
    }
    const mbs = judged.map((s) => s.mb);
    const first = mbs[0];
    const last = mbs.at(-1)!;
    const min = Math.min(...mbs);
    const max = Math.max(...mbs);
    const spread = Math.max(max / first - 1, 1 - min / first);
    console.log(
      `RSS after the warm-up (${judged.length} samples): first ${fmt(first, 1)}, last ${fmt(last, 1)}, ` +
        `min ${fmt(min, 1)}, max ${fmt(max, 1)} MiB; over the whole run ${fmt(samples[0].mb, 1)} → ${fmt(last, 1)} MiB; ` +
        `heap used after the warm-up ${fmt(judged[0].heapMb, 1)} → ${fmt(judged.at(-1)!.heapMb, 1)} MiB ` +
        `(max ${fmt(Math.max(...judged.map((s) => s.heapMb)), 1)}); ` +
        `${fmt(sent.offered)}/s offered, answers p99 ${fmt(percentile(sent.answerMs, 99), 1)} ms, ` +
        `${sent.non2xx} non-2xx, ${sent.errors} errors${describeErrors(sent)}`,
    );
    // An open-loop client keeps offering when the service falls behind: then answers queue up.
    if (percentile(sent.answerMs, 99) > 1000)
      console.log(
        'the service did not keep up with the offered rate (the machine got busier than during the capacity run)',
      );
    console.log();
    printVerdicts([
      check(
        'RSS: largest departure from the first sample after the warm-up, %',
        spread * 100,
        '<=',
        10,
        `last / first ${fmt(last / first, 3)}`,
        1,
      ),
      check(
        'longest time without a delivery while the load ran, s',
        stalled,
        '<=',
        SAMPLE_SECONDS,
        `${sink.received()} delivered of ${sent.answerMs.length} accepted`,
        0,
      ),
      check('non-2xx answers and errors', sent.non2xx + sent.errors, '<=', 0, 'whole run', 0),
    ]);
  } finally {
    closeLoadClients();
    await service.stop();
    await sink.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
