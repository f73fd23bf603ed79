import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseTarget } from './database-target';
import { MIGRATIONS } from './migrations';
import { DatabaseLogger } from './typeorm-logger';

/** An entity class (a TypeORM-decorated class). */
export type EntityClass = new () => object;

// Each feature module registers its own entities (TypeOrmModule.forFeature); the app's data source loads
// them all (autoLoadEntities). Tools that run without Nest pass the list (src/entities.ts).
export function dataSourceOptions(
  target: Pick<DatabaseTarget, 'url' | 'poolSize'>,
  entities: EntityClass[] = [],
): DataSourceOptions {
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
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      statement_timeout: 15000,
      application_name: 'alert-relay',
    },
  };
}

// Any constant; it only has to be the same for every replica.
const MIGRATION_LOCK = 0x616c7274;

/**
 * Runs pending migrations under a session advisory lock, so replicas starting together migrate once
 * and the others wait for it.
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
