import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

// Debian's prometheus-alertmanager (0.25; .ci/apt-packages installs it on a clean machine).
const BINARY = 'prometheus-alertmanager';

export interface AlertmanagerAlertInput {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/** A real Alertmanager on a loopback port, alone (no cluster), with its own storage and config. */
export class AlertmanagerProcess {
  private output = '';

  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(config: Record<string, unknown>): Promise<AlertmanagerProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'alertmanager-'));
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));
    const port = await freePort();
    const child = spawn(
      BINARY,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Empty: no gossip with peers, no waiting for a cluster to settle.
        '--cluster.listen-address=',
        '--log.level=debug',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(new Error(`cannot run ${BINARY} (apt-get install prometheus-alertmanager): ${error.message}`)),
      );
    });
    await spawned;
    const am = new AlertmanagerProcess(`http://127.0.0.1:${port}`, child, dir);
    await am.waitUntilReady();
    return am;
  }

  /** Alerts as Prometheus pushes them (POST /api/v2/alerts); an `endsAt` in the past resolves. */
  async push(alerts: AlertmanagerAlertInput[]): Promise<void> {
    const response = await fetch(`${this.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    if (!response.ok) throw new Error(`Alertmanager refused the alerts: ${response.status} ${await response.text()}`);
  }

  /** What it logged (its notify errors name our answers), for a failing test's message. */
  log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`Alertmanager exited: ${this.output}`);
      const ready = await fetch(`${this.url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`Alertmanager did not get ready: ${this.output}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
