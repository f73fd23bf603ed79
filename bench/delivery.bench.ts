// npm run bench:delivery: delivery to a local webhook sink against the ingest rate of the same run.
// 1. ingest alone (workers off: the outbox fills), 2. the drain of that outbox alone (a restart with
// workers on), 3. both at once at full speed: delivered/s as a ratio to ingested/s (target >= 0.5),
// 4. ingest-to-delivered latency at half that delivery rate, offered at a steady pace (target p99 < 1 s).
// Every message opens a new notification: one delivery each. The service runs as its own process on a
// fresh PostgreSQL database (the embedded one with BENCH_DATABASE=embedded). Env: BENCH_SECONDS (each
// phase, 10), BENCH_CONNECTIONS (32), BENCH_LOAD=autocannon, BENCH_NODE_ARGS, BENCH_POOL_SIZE.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultTestConfig } from '../test/support/test-app';
import { bodyRun, scenarios } from './support/bodies';
import { cpuMs, PostgresCpuMeter } from './support/cpu';
import {
  closeLoadClients,
  CONNECTIONS,
  describeErrors,
  LOAD_GENERATOR,
  LoadResult,
  paced,
  runLoad,
} from './support/load';
import { check, fmt, percentile, printVerdicts } from './support/report';
import { deliveryConfig, startSink } from './support/sink';
import { createPostgresDatabase, ServiceTarget, startServiceProcess } from './support/targets';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const EMBEDDED = process.env.BENCH_DATABASE === 'embedded';
const opens = scenarios.stackstateOpens;

const describe = (load: LoadResult) =>
  `${fmt(load.rate)}/s accepted (p50 ${fmt(load.p50, 1)} ms, p99 ${fmt(load.p99, 1)} ms, ` +
  `${load.non2xx} non-2xx, ${load.errors} errors)`;

async function main(): Promise<void> {
  const database = EMBEDDED ? undefined : await createPostgresDatabase();
  const meter = database && (await PostgresCpuMeter.connect(database.url));
  const sink = await startSink();
  // The embedded database lives in DATA_DIR, which must outlive the restart between phases 1 and 2.
  const dataDir = EMBEDDED ? mkdtempSync(join(tmpdir(), 'alert-relay-bench-')) : undefined;
  const env: Record<string, string> = dataDir ? { DATA_DIR: dataDir } : {};
  const start = (workers: boolean) =>
    startServiceProcess(database?.url, deliveryConfig(defaultTestConfig(), sink.url, workers), env);
  let service: ServiceTarget | undefined;
  try {
    console.log(
      `bench:delivery: ${EMBEDDED ? 'embedded PGlite' : `PostgreSQL ${await meter!.serverVersion()}`}; ` +
        `webhook channel to a sink in this process; ${CONNECTIONS} connections; load generator: ${LOAD_GENERATOR}`,
    );
    // wrk counts the answers it read before its time was up; requests still in flight then are committed
    // and delivered too, so `accepted` is a lower bound of what the sink will see.
    let accepted = 0;
    const allAccepted = () => sink.firstReceipt.size >= accepted;

    service = await start(false);
    const warmUp = await runLoad(service.url, bodyRun(opens), 2);
    const alone = await runLoad(service.url, bodyRun(opens), SECONDS);
    console.log(`1. ingest alone, workers off: ${describe(alone)}`);
    await service.stop();

    // Workers may start before the service says it listens: count from then on.
    service = await start(true);
    let t0 = performance.now();
    const before = sink.firstReceipt.size;
    accepted = warmUp.ok + alone.ok;
    await sink.waitFor('the outbox', allAccepted, 600_000);
    const drainRate = (sink.firstReceipt.size - before) / ((performance.now() - t0) / 1000);
    console.log(`2. the outbox drained alone (after a restart with workers on): ${fmt(drainRate)} deliveries/s`);

    const delivered0 = sink.firstReceipt.size;
    const cpu0 = cpuMs(service.pid);
    const pg0 = await meter?.sample();
    const together = await runLoad(service.url, bodyRun(opens), SECONDS);
    const delivered = sink.firstReceipt.size - delivered0;
    const perMessage = (ms: number) => fmt(ms / together.ok, 3);
    const cpu = perMessage(cpuMs(service.pid) - cpu0);
    const pg = pg0 && PostgresCpuMeter.between(pg0, await meter!.sample());
    accepted += together.ok;
    const deliveryRate = delivered / together.seconds;
    console.log(
      `3. ingest and delivery together: ingest ${describe(together)}, delivered meanwhile ${fmt(deliveryRate)}/s; ` +
        `CPU per message (ingest and delivery): service ${cpu} ms${pg ? `, PostgreSQL ${perMessage(pg.database)} ms` : ''}`,
    );
    const backlog = Math.max(0, accepted - sink.firstReceipt.size);
    t0 = performance.now();
    await sink.waitFor('the sustained phase', allAccepted, 600_000);
    if (backlog > 0)
      console.log(`   backlog at the end: ${backlog}, drained in ${fmt((performance.now() - t0) / 1000, 1)} s`);

    const rate = Math.max(1, Math.round(deliveryRate / 2));
    const sent = await paced(service.url, bodyRun(opens), rate, SECONDS);
    const pending = new Set(sent.sentAt.keys());
    const allSent = () => {
      for (const id of pending) if (sink.firstReceipt.has(id)) pending.delete(id);
      return pending.size === 0;
    };
    await sink.waitFor('the paced phase', allSent, 120_000);
    const latencies = [...sent.sentAt].map(([id, at]) => sink.firstReceipt.get(id)! - at);
    const ms = (values: number[], p: number) => fmt(percentile(values, p), 1);
    console.log(
      `4. at ${rate}/s, half that delivery rate (offered ${fmt(sent.offered)}/s for ${SECONDS} s): ingest-to-delivered ` +
        `p50 ${ms(latencies, 50)} ms, p99 ${ms(latencies, 99)} ms; the ingest answer alone p50 ` +
        `${ms(sent.answerMs, 50)} ms, p99 ${ms(sent.answerMs, 99)} ms; ${sent.non2xx} non-2xx, ${sent.errors} errors${describeErrors(sent)}`,
    );
    console.log();
    const failures = alone.non2xx + alone.errors + together.non2xx + together.errors + sent.non2xx + sent.errors;
    printVerdicts([
      check(
        'delivery rate / ingest rate, together (3)',
        deliveryRate / together.rate,
        '>=',
        0.5,
        `${fmt(deliveryRate)} vs ${fmt(together.rate)} /s; alone (2 / 1): ${fmt(drainRate / alone.rate, 2)}; ` +
          `ingest together / alone: ${fmt(together.rate / alone.rate, 2)}`,
      ),
      check(
        'ingest-to-delivered p99 at half the delivery rate, ms (4)',
        percentile(latencies, 99),
        '<',
        1000,
        `${rate}/s`,
        0,
      ),
      check('the outbox drained alone, deliveries/s (2)', drainRate, '>=', 1000, 'docs/delivery.md', 0),
      check('non-2xx answers and errors', failures, '<=', 0, 'all phases', 0),
    ]);
  } finally {
    closeLoadClients();
    await service?.stop();
    await sink.close();
    await meter?.close();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
