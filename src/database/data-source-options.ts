import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseTarget, ingestDeadlineMs } from './database-target';
import { MIGRATIONS } from './migrations';
import { TimeoutClosingClient } from './timeout-client';
import { DatabaseLogger } from './typeorm-logger';

/** An entity class (a TypeORM-decorated class). */
export type EntityClass = new () => object;

// Each feature module registers its own entities (TypeOrmModule.forFeature); the app's data source loads
// them all (autoLoadEntities). Tools that run without Nest pass the list (src/entities.ts).
export function dataSourceOptions(
  target: Pick<DatabaseTarget, 'url' | 'poolSize' | 'statementTimeoutMs'>,
  entities: EntityClass[] = [],
): DataSourceOptions {
  const timeout = target.statementTimeoutMs;
  return {
    type: 'postgres',
    url: target.url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    migrationsRun: false,
    logger: new DatabaseLogger(),
    maxQueryExecutionTime: 1000,
    extra: {
      max: target.poolSize,
      // Fail fast when the database is unreachable: the producer gets a 503 and retries.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30000,
      application_name: 'alert-relay',
      // A database that stops answering (a hung server, a network that drops packets) must not hold a
      // request forever: the server cancels a statement past statement_timeout, and when not even that
      // answer comes, the client gives up 2 s later and closes the connection.
      ...(timeout === undefined
        ? {}
        : {
            statement_timeout: timeout,
            query_timeout: ingestDeadlineMs(target),
            Client: TimeoutClosingClient,
          }),
    },
  };
}

/** How long the pool waits to open a connection (docs/production.md, timeouts). */
export const CONNECT_TIMEOUT_MS = 5000;

// Any constant; it only has to be the same for every replica.
const MIGRATION_LOCK = 0x616c7274;

/**
 * Runs pending migrations under a session advisory lock, so replicas starting together migrate once
 * and the others wait for it. Give it a data source without statement timeouts: building an index on
 * a large table may take longer than any request should.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
