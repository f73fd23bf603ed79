import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/common/project-root';

export const MAIN = join(projectRoot(), 'dist', 'src', 'main.js');

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  /** Everything it wrote (up to 64 MiB), for tests that look at every line. */
  fullOutput(): string;
  /** Resolves with the exit code (or signal) once the process ends. */
  exited: Promise<number | string>;
}

/** Runs the compiled service as a separate process, as an operator would (`main`: another build's). */
export function spawnService(env: Record<string, string>, nodeArgs: string[] = [], main = MAIN): ServiceProcess {
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keeps the start (startup lines) and the end (latest lines) of a possibly long log.
  let head = '';
  let tail = '';
  const all: Buffer[] = [];
  let allBytes = 0;
  const append = (chunk: Buffer) => {
    if (allBytes < 64 * 1024 * 1024) {
      all.push(chunk);
      allBytes += chunk.length;
    }
    if (head.length < 64 * 1024) head += chunk.toString();
    else tail = (tail + chunk.toString()).slice(-64 * 1024);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const output = () => (tail ? `${head}\n[...]\n${tail}` : head);
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, output, fullOutput: () => Buffer.concat(all).toString(), exited };
}

/** Waits until `predicate(output)` holds, or fails after `timeoutMs`. */
export async function waitForOutput(
  service: ServiceProcess,
  predicate: (output: string) => boolean,
  timeoutMs = 30000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(service.output())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for the service; output so far:\n${service.output()}`);
    if (service.child.exitCode !== null) throw new Error(`the service exited early:\n${service.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts the compiled service on a free loopback port (and a free SMTP port) and waits for its
 * "listening on" line; `env` adds to or overrides those defaults (ALERT_RELAY_CONFIG, DATABASE_URL, …).
 */
export async function startService(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  timeoutMs = 60000,
  main = MAIN,
): Promise<ServiceProcess & { url: string }> {
  const service = spawnService(
    { PORT: '0', SMTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    nodeArgs,
    main,
  );
  const listening = /listening on 127\.0\.0\.1:(\d+)/;
  await waitForOutput(service, (out) => listening.test(out), timeoutMs);
  return { ...service, url: `http://127.0.0.1:${listening.exec(service.output())![1]}` };
}
