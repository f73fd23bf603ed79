// npm run bench:smtp: mails/s accepted over SMTP by the real service on a fresh PostgreSQL database (each
// `250` means the notification is committed), with N parallel pooled nodemailer connections, against a
// baseline measured in the same run: an smtp-server sink that reads each message and answers 250 without
// parsing or storing. Env: BENCH_MAILS (default 3000), BENCH_CLIENTS (default 16).
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { stringify } from 'yaml';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config/config.loader';
import { createPostgresDatabase } from '../test/support/test-database';

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

async function baselineSink(): Promise<{ port: number; close: () => Promise<void> }> {
  const sink = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    disableReverseLookup: true,
    size: 1024 * 1024,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => callback(null, 'OK: discarded'));
    },
  });
  sink.on('error', () => undefined);
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  return {
    port: (sink.server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => sink.close(() => resolve())),
  };
}

async function main(): Promise<void> {
  const database = await createPostgresDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-bench-'));
  const configPath = join(dir, 'alert-relay.yaml');
  writeFileSync(configPath, stringify({ ingress: { smtp: { maxClients: CLIENTS * 2 } } }));
  const app = await startApp(
    loadConfig({
      PORT: '0',
      SMTP_PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'data'),
      ALERT_RELAY_CONFIG: configPath,
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
    }),
  );
  const sink = await baselineSink();
  try {
    if (!app.smtpPort) throw new Error('SMTP is not listening');
    console.log(`smtp bench: ${MAILS} mails (after ${WARMUP} warm-up), ${CLIENTS} parallel pooled connections`);
    await drive(sink.port, 'warm', WARMUP);
    const baseline = await drive(sink.port, 'base', MAILS);
    await drive(app.smtpPort, 'warm', WARMUP);
    const service = await drive(app.smtpPort, 'run', MAILS);

    // Durable means stored: every mail of the measured run is a committed notification.
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM notifications WHERE source = 'haproxy' AND external_id LIKE 'be_bench_run/%'`,
    );
    await client.end();
    if (Number(rows[0].n) !== MAILS) throw new Error(`expected ${MAILS} stored notifications, found ${rows[0].n}`);

    const line = (name: string, r: Result) =>
      `${name.padEnd(34)} ${r.mailsPerSecond.toFixed(0).padStart(6)} mails/s   p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms (time to 250)`;
    console.log(line('baseline (smtp-server sink)', baseline));
    console.log(line('alert-relay (committed to PostgreSQL)', service));
    console.log(
      `ratio service/baseline: ${(service.mailsPerSecond / baseline.mailsPerSecond).toFixed(2)} throughput, ` +
        `${(service.p99 / baseline.p99).toFixed(1)}x p99; ${rows[0].n} notifications verified stored; target >= 500 mails/s: ` +
        `${service.mailsPerSecond >= 500 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await sink.close();
    await app.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
