import cluster, { Worker } from 'node:cluster';
import { createServer } from 'node:net';
import { AppConfig } from './config/config.loader';
import { serveClusterMetrics } from './metrics/cluster-metrics';

/**
 * WORKERS=N (N > 1): this process (the primary) serves nothing itself; it runs N worker processes, each
 * the whole service as one replica would be (HTTP, SMTP, the delivery, digest and release workers, its
 * own database pool), sharing the HTTP and SMTP ports through node:cluster; `/metrics` on any worker
 * answers for all of them. SIGTERM or SIGINT is passed
 * to every worker, each shuts down gracefully, and the primary exits when all have. A worker that exits
 * on its own (a crash, a failed start) stops the others and the primary exits 1: the supervisor
 * (systemd, Kubernetes) restarts the whole, as it would a single process.
 */
export async function runWorkers(config: AppConfig): Promise<void> {
  // Port 0 (tests) picks a free port once here, so that every worker listens on the same one.
  const env = {
    PORT: String(config.env.port || (await freePort(config.env.host))),
    SMTP_PORT: String(config.env.smtpPort || (await freePort(config.env.host))),
  };
  serveClusterMetrics();
  const say = (line: string) => process.stderr.write(`alert-relay: ${line}\n`);
  const workers = new Set<Worker>();
  let stopping = false;
  let exitCode = 0;
  const stopAll = (reason: string) => {
    if (stopping) return;
    stopping = true;
    say(`${reason}, stopping ${workers.size} worker(s)`);
    for (const worker of workers) worker.process.kill('SIGTERM');
  };
  for (let i = 1; i <= config.env.workers; i++) {
    const worker = cluster.fork({ ...env, ALERT_RELAY_WORKER: String(i) });
    workers.add(worker);
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      const ended = stopping && (code === 0 || signal === 'SIGTERM');
      if (!ended) {
        exitCode = 1;
        stopAll(`worker ${i} (pid ${worker.process.pid}) exited (${signal ?? code})`);
      }
      if (workers.size === 0) process.exit(exitCode);
    });
  }
  say(`running ${config.env.workers} workers on ports ${env.PORT} (HTTP) and ${env.SMTP_PORT} (SMTP)`);
  process.on('SIGTERM', () => stopAll('SIGTERM received'));
  process.on('SIGINT', () => stopAll('SIGINT received'));
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
