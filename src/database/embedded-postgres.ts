import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface EmbeddedPostgres {
  url: string;
  dataPath: string;
  stop(): Promise<void>;
}

// The socket multiplexer refuses connections past maxConnections, so the pool must stay below it.
export const EMBEDDED_MAX_CONNECTIONS = 24;

type WorkerMessage = { url: string } | { error: string } | { stopped: true };

/**
 * Serves PGlite (PostgreSQL in WebAssembly, data in `dataDir/pgdata`) on a loopback port so that the
 * ordinary `pg` driver and TypeORM use the same SQL path as on a real server. Single process only. The
 * database runs on a thread of its own (embedded-postgres.worker.ts): on the service's event loop, its
 * work and the service's took turns on one core (docs/design-notes.md, "Phase 7").
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dataPath = join(dataDir, 'pgdata');
  const worker = new Worker(join(__dirname, 'embedded-postgres.worker.js'), {
    workerData: { dataPath, maxConnections: EMBEDDED_MAX_CONNECTIONS },
  });
  const url = await served(worker);
  // Once it serves, a thread that dies takes the database with it: the process cannot go on without it.
  const died = (error: Error) => {
    process.stderr.write(`alert-relay: the embedded database failed: ${error.stack ?? String(error)}\n`);
    process.exit(1);
  };
  worker.on('error', died);
  return {
    url,
    dataPath,
    async stop() {
      worker.off('error', died);
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (message: WorkerMessage) => 'stopped' in message && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}

/**
 * The address the thread serves on, once it does. Listeners come off one by one: `removeAllListeners()`
 * would take Node's own too, and the thread's port would no longer keep the process alive.
 */
function served(worker: Worker): Promise<string> {
  return new Promise((resolve, reject) => {
    const done = () => worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    const onMessage = (message: WorkerMessage) => {
      done();
      if ('url' in message) resolve(message.url);
      else
        reject(new Error(`the embedded database did not start: ${'error' in message ? message.error : 'no address'}`));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`the embedded database's thread exited (${code}) before it served`));
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}
