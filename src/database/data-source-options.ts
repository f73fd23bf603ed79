import { DataSource, DataSourceOptions } from 'typeorm';
import { DeliveryAttemptEntity } from '../delivery/delivery-attempt.entity';
import { DeliveryEntity } from '../delivery/delivery.entity';
import { IdempotencyKeyEntity } from '../api/idempotency-key.entity';
import { NotificationEventEntity } from '../notifications/notification-event.entity';
import { NotificationEntity } from '../notifications/notification.entity';
import { DatabaseTarget } from './database-target';
import { MIGRATIONS } from './migrations';
import { DatabaseLogger } from './typeorm-logger';

export const ENTITIES = [
  NotificationEntity,
  NotificationEventEntity,
  IdempotencyKeyEntity,
  DeliveryEntity,
  DeliveryAttemptEntity,
];

export function dataSourceOptions(target: Pick<DatabaseTarget, 'url' | 'poolSize'>): DataSourceOptions {
  return {
    type: 'postgres',
    url: target.url,
    entities: ENTITIES,
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
