import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { keepProtocolBatchesTogether } from './pglite-socket-queue';

// The embedded database's thread (embedded-postgres.ts): PGlite and its socket server, so that the
// database's work runs beside the service's event loop rather than on it. Messages: to the parent
// `{ url }` once it serves (or `{ error }`), `{ stopped: true }` after a `'stop'`.

interface Options {
  dataPath: string;
  maxConnections: number;
}

async function serve({ dataPath, maxConnections }: Options): Promise<void> {
  mkdirSync(dataPath, { recursive: true });
  const db = await PGlite.create(dataPath);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  keepProtocolBatchesTogether(server, db);
  await server.start();
  parentPort!.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    void (async () => {
      await server.stop();
      await db.close();
      parentPort!.postMessage({ stopped: true });
    })();
  });
  parentPort!.postMessage({ url: `postgres://postgres@${server.getServerConn()}/postgres` });
}

serve(workerData as Options).catch((error: unknown) => {
  parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
});
