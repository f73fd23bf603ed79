// npm run bench:storm: an alert storm into a Slack channel at its default rate limit (1/s, burst 3), once
// through a route grouped by host into digests and once through the same route ungrouped (issue 11).
// 5,000 StackState opens over 20 hosts, offered within 10 s; a Slack fake in this process records every
// message. Prints the messages sent and the seconds until every notification has been told (all its
// deliveries `delivered`, read through the API), side by side. Targets: at most one message per group per
// `interval`; every notification told within wait + interval + 10 s; none missing. The ungrouped run is
// measured for BENCH_UNGROUPED_SECONDS and extrapolated (at 1/s it would take over an hour).
// Env: BENCH_WAIT (5s), BENCH_INTERVAL (30s), BENCH_STORM_OPENS (5000), BENCH_STORM_HOSTS (20),
// BENCH_STORM_SECONDS (10), BENCH_UNGROUPED_SECONDS (60), BENCH_DATABASE=embedded, BENCH_NODE_ARGS.
import { durationMs } from '../src/config/duration';
import { FakeChannel, RecordedRequest } from '../test/support/fake-channel';
import { openOn } from '../test/support/digests';
import { API_KEY, defaultTestConfig, STACKSTATE_TOKEN } from '../test/support/test-app';
import { closeLoadClients, postAndRead } from './support/load';
import { check, fmt, printColumns, printVerdicts } from './support/report';
import { createPostgresDatabase, startServiceProcess } from './support/targets';

const WAIT = process.env.BENCH_WAIT ?? '5s';
const INTERVAL = process.env.BENCH_INTERVAL ?? '30s';
const OPENS = Number(process.env.BENCH_STORM_OPENS ?? 5000);
const HOSTS = Number(process.env.BENCH_STORM_HOSTS ?? 20);
const STORM_SECONDS = Number(process.env.BENCH_STORM_SECONDS ?? 10);
const UNGROUPED_SECONDS = Number(process.env.BENCH_UNGROUPED_SECONDS ?? 60);
const EMBEDDED = process.env.BENCH_DATABASE === 'embedded';
const auth = { authorization: `Bearer ${API_KEY}` };

interface StormRun {
  accepted: number;
  failed: number;
  /** Seconds from the first open sent to the last one answered. */
  ingestSeconds: number;
  messages: RecordedRequest[];
  delivered: number;
  pending: number;
  dead: number;
  /** Seconds from the first open sent until every delivery was delivered (measured or extrapolated). */
  toldSeconds: number;
  /** The longest any delivered notification waited from its 200 to its delivery, in seconds. */
  worstWaitSeconds: number;
  extrapolated: boolean;
  stormStart: number;
}

async function storm(grouped: boolean): Promise<StormRun> {
  const database = EMBEDDED ? undefined : await createPostgresDatabase();
  const slack = await new FakeChannel().start();
  const service = await startServiceProcess(database?.url, {
    ...defaultTestConfig(),
    channels: { slack_storm: { type: 'slack', url: `${slack.url}/services/T000/B000/storm` } },
    routes: [
      {
        name: 'storm',
        match: { source: 'stackstate' },
        channels: ['slack_storm'],
        ...(grouped ? { group: { by: ['host'], wait: WAIT, interval: INTERVAL, maxItems: 50 } } : {}),
      },
    ],
  });
  try {
    const bodies = Array.from({ length: OPENS }, (_, i) => JSON.stringify(openOn(`db-${i % HOSTS}`)));
    const headers = { 'content-type': 'application/json', 'x-stackstate-webhook-token': STACKSTATE_TOKEN };
    const stormStart = Date.now();
    let accepted = 0;
    let failed = 0;
    const acceptedAt = new Map<string, number>();
    const failures = new Map<string, number>();
    const fail = (why: string) => {
      failed++;
      failures.set(why, (failures.get(why) ?? 0) + 1);
    };
    const answers: Promise<void>[] = [];
    // Open loop: the storm comes at its own pace, whether or not the service keeps up.
    for (let i = 0; i < OPENS; i++) {
      const wait = stormStart + (i * STORM_SECONDS * 1000) / OPENS - Date.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      answers.push(
        postAndRead(`${service.url}/webhooks/stackstate`, bodies[i], headers).then(
          (answer) => {
            if (answer.status !== 200) return void fail(`HTTP ${answer.status}`);
            accepted++;
            acceptedAt.set((JSON.parse(answer.body) as { notificationId: string }).notificationId, Date.now());
          },
          (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
        ),
      );
    }
    await Promise.all(answers);
    const ingestSeconds = (Date.now() - stormStart) / 1000;
    if (failed > 0)
      console.log(`  ${failed} opens failed: ${[...failures].map(([why, n]) => `${n}× ${why}`).join('; ')}`);
    const deadline =
      stormStart + (grouped ? durationMs(WAIT) + durationMs(INTERVAL) + 120_000 : UNGROUPED_SECONDS * 1000);
    while ((await anyPending(service.url)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const { told, ...counts } = await statusCounts(service.url);
    const lastDeliveredAt = Math.max(...told.values());
    const worstWaitSeconds = Math.max(...[...told].map(([id, at]) => at - (acceptedAt.get(id) ?? at))) / 1000;
    const finished = counts.pending === 0;
    const toldSeconds = finished
      ? (lastDeliveredAt - stormStart) / 1000
      : // Not finished: the rest at the rate measured so far.
        ((Date.now() - stormStart) / 1000) * (accepted / Math.max(1, counts.delivered));
    return {
      accepted,
      failed,
      ingestSeconds,
      messages: [...slack.requests],
      ...counts,
      toldSeconds,
      worstWaitSeconds,
      extrapolated: !finished,
      stormStart,
    };
  } finally {
    await service.stop();
    await slack.close();
    await database?.drop();
  }
}

/** Deliveries by status through the API (pages of 200), and when each notification was told. */
async function statusCounts(
  url: string,
): Promise<{ delivered: number; pending: number; dead: number; told: Map<string, number> }> {
  const told = new Map<string, number>();
  const count = async (status: string) => {
    let n = 0;
    let cursor: string | null = null;
    do {
      const page = await deliveries(url, { status, limit: '200', ...(cursor ? { cursor } : {}) });
      n += page.items.length;
      for (const d of page.items) if (d.completedAt) told.set(d.notificationId, Date.parse(d.completedAt));
      cursor = page.nextCursor;
    } while (cursor);
    return n;
  };
  const delivered = await count('delivered');
  return { delivered, pending: await count('pending'), dead: await count('dead'), told };
}

async function anyPending(url: string): Promise<boolean> {
  return (await deliveries(url, { status: 'pending', limit: '1' })).items.length > 0;
}

function deliveries(url: string, query: Record<string, string>) {
  return fetch(`${url}/api/v1/deliveries?${new URLSearchParams(query).toString()}`, { headers: auth }).then(
    (r) =>
      r.json() as Promise<{
        items: { notificationId: string; completedAt: string | null }[];
        nextCursor: string | null;
      }>,
  );
}

/** Per host, the digests' arrival times: the host is the end of the Slack text (`… · host db-7`). */
function perGroup(messages: RecordedRequest[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const m of messages) {
    const host = /· host (\S+)$/.exec(String(m.json?.text ?? ''))?.[1] ?? '?';
    groups.set(host, [...(groups.get(host) ?? []), m.receivedAt]);
  }
  return groups;
}

async function main(): Promise<void> {
  console.log(
    `bench:storm: ${fmt(OPENS)} StackState opens over ${HOSTS} hosts offered within ${STORM_SECONDS} s into a ` +
      `Slack channel at its default rate limit (1/s, burst 3), on ${EMBEDDED ? 'embedded PGlite' : 'PostgreSQL'}; ` +
      `grouped by host with wait ${WAIT}, interval ${INTERVAL}, maxItems 50`,
  );
  const grouped = await storm(true);
  const ungrouped = await storm(false);
  const row = (name: string, value: (r: StormRun) => string) => [name, value(grouped), value(ungrouped)];
  console.log();
  printColumns(
    ['', 'grouped by host', 'ungrouped'],
    [
      row('opens accepted (200)', (r) => `${fmt(r.accepted)}${r.failed ? ` (${r.failed} failed)` : ''}`),
      row('ingest took, s', (r) => fmt(r.ingestSeconds, 1)),
      row('Slack messages sent', (r) => fmt(r.messages.length)),
      row('deliveries delivered', (r) => fmt(r.delivered)),
      row('deliveries pending / dead', (r) => `${fmt(r.pending)} / ${fmt(r.dead)}`),
      row('longest wait from 200 to told, s', (r) => fmt(r.worstWaitSeconds, 1)),
      row(
        'every notification told after, s',
        (r) => `${fmt(r.toldSeconds, 1)}${r.extrapolated ? ` (extrapolated from ${UNGROUPED_SECONDS} s)` : ''}`,
      ),
      row('deliveries per message', (r) => fmt(r.delivered / Math.max(1, r.messages.length), 1)),
    ],
  );
  const groups = perGroup(grouped.messages);
  const gaps = [...groups.values()].flatMap((times) =>
    times
      .sort((a, b) => a - b)
      .slice(1)
      .map((t, i) => t - times[i]),
  );
  const intervalMs = durationMs(INTERVAL);
  const first = [...groups.values()].map((times) => (times[0] - grouped.stormStart) / 1000);
  console.log();
  console.log(
    `grouped: ${groups.size} groups, ${fmt(grouped.messages.length)} digests (${fmt(grouped.messages.length / Math.max(1, groups.size), 1)} per group); ` +
      `first digests ${fmt(Math.min(...first), 1)}-${fmt(Math.max(...first), 1)} s after the storm began; ` +
      `shortest gap between two digests of a group ${gaps.length ? fmt(Math.min(...gaps) / 1000, 1) : '—'} s`,
  );
  printVerdicts([
    check(
      'shortest gap between two digests of one group, s',
      gaps.length ? Math.min(...gaps) / 1000 : Infinity,
      '>=',
      intervalMs / 1000,
      'at most one message per group per interval',
      1,
    ),
    check(
      'grouped: longest wait of a notification from its 200 to its digest, s',
      grouped.worstWaitSeconds,
      '<=',
      (durationMs(WAIT) + intervalMs) / 1000 + 10,
      `wait ${WAIT} + interval ${INTERVAL} + 10 s; all told ${fmt(grouped.toldSeconds, 1)} s after the storm began, ` +
        `which took ${fmt(grouped.ingestSeconds, 1)} s to ingest`,
      1,
    ),
    check(
      'grouped: notifications not delivered',
      grouped.accepted - grouped.delivered + grouped.pending + grouped.dead,
      '<=',
      0,
      `${fmt(grouped.delivered)} delivered of ${fmt(grouped.accepted)} accepted`,
      0,
    ),
    check('opens refused', grouped.failed + ungrouped.failed, '<=', 0, 'both runs', 0),
  ]);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(closeLoadClients);
