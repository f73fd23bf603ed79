// npm run bench:smtp: mails/s accepted over SMTP by the real service on a fresh PostgreSQL database (each
// `250` means the notification is committed), with N parallel pooled nodemailer connections, against a
// baseline measured in the same run: an smtp-server sink (bench/smtp-sink.ts) that reads each message and
// answers 250 without parsing or storing. Env: BENCH_MAILS (default 3000), BENCH_CLIENTS (default 16).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { Client } from 'pg';
import { createPostgresDatabase, ServiceTarget, startServiceProcess } from './support/targets';

const MAILS = Number(process.env.BENCH_MAILS ?? 3000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const WARMUP = Math.min(300, MAILS);

interface Result {
  mailsPerSecond: number;
  p50: number;
  p99: number;
}

function haproxyMail(run: string, i: number) {
  const text = `Server be_bench_${run}/srv${i} is DOWN, reason: Layer4 timeout, check duration: 2001ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue`;
  return {
    envelope: { from: 'haproxy@example.com', to: ['alerts@example.com'] },
    raw: [
      'From: haproxy@example.com',
      'To: alerts@example.com',
      'Date: Sun, 22 Nov 2026 00:23:16 +0000 (UTC)',
      `Subject: [HAProxy Alert] ${text}`,
      '',
      text,
      '',
    ].join('\r\n'),
  };
}

async function drive(port: number, run: string, count: number): Promise<Result> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    pool: true,
    maxConnections: CLIENTS,
    maxMessages: Infinity,
    ignoreTLS: true,
  });
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      const info = await transport.sendMail(haproxyMail(run, i));
      if (!info.response.startsWith('250')) throw new Error(`unexpected reply: ${info.response}`);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  transport.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { mailsPerSecond: count / seconds, p50: pct(50), p99: pct(99) };
}

async function main(): Promise<void> {
  const database = await createPostgresDatabase();
  // Service and baseline each run in their own process, as the load generator (this one) does.
  const sink = spawn(process.execPath, [join(__dirname, 'smtp-sink.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sinkPort = await new Promise<number>((resolve) =>
    sink.stdout.on('data', (c: Buffer) => {
      const m = /:(\d+)/.exec(c.toString());
      if (m) resolve(Number(m[1]));
    }),
  );
  let service: ServiceTarget | undefined;
  try {
    service = await startServiceProcess(database.url, { ingress: { smtp: { maxClients: CLIENTS * 2 } } });
    const output = service.service.output();
    const smtpPort = Number(/SMTP accepting mail on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    if (!smtpPort) throw new Error(`the service did not report its SMTP port:\n${output}`);
    console.log(`smtp bench: ${MAILS} mails (after ${WARMUP} warm-up), ${CLIENTS} parallel pooled connections`);
    await drive(sinkPort, 'warm', WARMUP);
    const baseline = await drive(sinkPort, 'base', MAILS);
    await drive(smtpPort, 'warm', WARMUP);
    const relay = await drive(smtpPort, 'run', MAILS);

    // Durable means stored: every mail of the measured run is a committed notification.
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM notifications WHERE source = 'haproxy' AND external_id LIKE 'be_bench_run/%'`,
    );
    await client.end();
    if (Number(rows[0].n) !== MAILS) throw new Error(`expected ${MAILS} stored notifications, found ${rows[0].n}`);

    const line = (name: string, r: Result) =>
      `${name.padEnd(40)} ${r.mailsPerSecond.toFixed(0).padStart(6)} mails/s   p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms (time to 250)`;
    console.log(line('baseline (smtp-server sink, no storage)', baseline));
    console.log(line('alert-relay (committed to PostgreSQL)', relay));
    console.log(
      `ratio alert-relay/baseline: ${(relay.mailsPerSecond / baseline.mailsPerSecond).toFixed(2)} (throughput), ` +
        `${(relay.p99 / baseline.p99).toFixed(1)}x (p99); ${rows[0].n} notifications verified stored; ` +
        `target >= 500 mails/s: ${relay.mailsPerSecond >= 500 ? 'met' : 'NOT met'}`,
    );
  } finally {
    sink.kill('SIGTERM');
    await service?.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
