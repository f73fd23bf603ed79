// npm run bench:delivery: how fast the service delivers to a local webhook sink while ingesting at full
// speed, as a ratio to that ingest rate (target >= 0.5), and ingest-to-delivered latency at half the
// delivery rate (target p99 < 1 s). Every message opens a new notification: one delivery each.
// The service runs as its own process on a fresh PostgreSQL database (the embedded one when
// BENCH_DATABASE=embedded). Env: BENCH_SECONDS (each phase, 15), BENCH_WARMUP_SECONDS (2),
// BENCH_CONNECTIONS (32), BENCH_LOAD=autocannon, BENCH_NODE_ARGS, BENCH_POOL_SIZE.
import { defaultTestConfig } from '../test/support/test-app';
import { bodyRun, scenarios } from './support/bodies';
import { cpuMs, PostgresCpuMeter, PostgresCpuSample } from './support/cpu';
import { closeLoadClients, CONNECTIONS, LOAD_GENERATOR, paced, runLoad } from './support/load';
import { check, fmt, percentile, printVerdicts } from './support/report';
import { deliveryConfig, startSink } from './support/sink';
import { createPostgresDatabase, startServiceProcess } from './support/targets';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const EMBEDDED = process.env.BENCH_DATABASE === 'embedded';

async function main(): Promise<void> {
  const database = EMBEDDED ? undefined : await createPostgresDatabase();
  const meter = database && (await PostgresCpuMeter.connect(database.url));
  const sink = await startSink();
  const service = await startServiceProcess(database?.url, deliveryConfig(defaultTestConfig(), sink.url));
  try {
    console.log(
      `bench:delivery: ${EMBEDDED ? 'embedded PGlite' : `PostgreSQL ${await meter!.serverVersion()}`}; ` +
        `webhook channel to a sink in this process; ${CONNECTIONS} connections; load generator: ${LOAD_GENERATOR}`,
    );
    const opens = scenarios.stackstateOpens;
    // wrk counts the answers it read before its time was up; the requests still in flight then are
    // committed and delivered too, so `accepted` is a lower bound of what the sink will see.
    let accepted = (await runLoad(service.url, bodyRun(opens), WARMUP)).ok;
    const allAccepted = () => sink.firstReceipt.size >= accepted;
    await sink.waitFor('the warm-up', allAccepted, 120_000);

    // Sustained: ingest as fast as the load generator gets answers, workers delivering meanwhile.
    const delivered0 = sink.firstReceipt.size;
    const cpu0 = cpuMs(service.pid);
    const pg0: PostgresCpuSample | undefined = await meter?.sample();
    const load = await runLoad(service.url, bodyRun(opens), SECONDS);
    const delivered = sink.firstReceipt.size - delivered0;
    const cpu = cpuMs(service.pid) - cpu0;
    const pg = pg0 && PostgresCpuMeter.between(pg0, await meter!.sample());
    accepted += load.ok;
    const backlog = Math.max(0, accepted - sink.firstReceipt.size);
    const drainStart = performance.now();
    await sink.waitFor('the sustained phase', allAccepted, 600_000);
    const drainSeconds = (performance.now() - drainStart) / 1000;
    const deliveryRate = delivered / load.seconds;
    console.log(
      `sustained, ${fmt(load.seconds, 1)} s: ingest ${fmt(load.rate)}/s accepted (p50 ${fmt(load.p50, 1)} ms, ` +
        `p99 ${fmt(load.p99, 1)} ms, ${load.non2xx} non-2xx, ${load.errors} errors), delivered meanwhile ` +
        `${fmt(deliveryRate)}/s; service CPU ${fmt(cpu / load.ok, 3)} ms per message (ingest and delivery)` +
        (pg ? `, PostgreSQL ${fmt(pg.database / load.ok, 3)} ms` : ''),
    );
    console.log(
      backlog === 0
        ? 'no backlog at the end: delivery kept up'
        : `backlog at the end: ${backlog} deliveries, drained in ${fmt(drainSeconds, 1)} s with no ingest ` +
            `(${fmt(backlog / drainSeconds)}/s)`,
    );

    // Latency at half the sustained delivery rate, offered at a steady pace.
    const rate = Math.max(1, Math.round(deliveryRate / 2));
    const sent = await paced(service.url, bodyRun(opens), rate, SECONDS);
    const pending = new Set(sent.sentAt.keys());
    const allSent = () => {
      for (const id of pending) if (sink.firstReceipt.has(id)) pending.delete(id);
      return pending.size === 0;
    };
    await sink.waitFor('the paced phase', allSent, 120_000);
    const latencies = [...sent.sentAt].map(([id, at]) => sink.firstReceipt.get(id)! - at);
    console.log(
      `at ${rate}/s (half of that; offered ${fmt(sent.offered)}/s for ${SECONDS} s): ingest-to-delivered ` +
        `p50 ${fmt(percentile(latencies, 50), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms; the ingest ` +
        `answer alone p50 ${fmt(percentile(sent.answerMs, 50), 1)} ms, p99 ${fmt(percentile(sent.answerMs, 99), 1)} ms; ` +
        `${sent.non2xx} non-2xx, ${sent.errors} errors`,
    );
    console.log();
    printVerdicts([
      check('sustained delivery rate / ingest rate', deliveryRate / load.rate, '>=', 0.5, 'measured together'),
      check(
        'ingest-to-delivered p99 at half the delivery rate, ms',
        percentile(latencies, 99),
        '<',
        1000,
        `${rate}/s`,
        0,
      ),
      check(
        'non-2xx answers and errors',
        load.non2xx + load.errors + sent.non2xx + sent.errors,
        '<=',
        0,
        'both phases',
        0,
      ),
    ]);
  } finally {
    closeLoadClients();
    await service.stop();
    await sink.close();
    await meter?.close();
    await database?.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
