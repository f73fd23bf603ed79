import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { keepProtocolBatchesTogether } from './pglite-socket-queue';

export interface EmbeddedPostgres {
  url: string;
  dataPath: string;
  stop(): Promise<void>;
}

// The socket multiplexer refuses connections past maxConnections, so the pool must stay below it.
export const EMBEDDED_MAX_CONNECTIONS = 24;

/**
 * Serves PGlite (PostgreSQL in WebAssembly, data in `dataDir/pgdata`) on a loopback port so that the
 * ordinary `pg` driver and TypeORM use the same SQL path as on a real server. Single process only.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dataPath = join(dataDir, 'pgdata');
  mkdirSync(dataPath, { recursive: true });
  const db = await PGlite.create(dataPath);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: EMBEDDED_MAX_CONNECTIONS });
  keepProtocolBatchesTogether(server, db);
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    dataPath,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
