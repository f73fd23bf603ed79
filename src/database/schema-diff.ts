import { DataSource } from 'typeorm';
import { dataSourceOptions, EntityClass, migrate } from './data-source-options';

export interface SchemaDiff {
  up: string[];
  down: string[];
}

/**
 * Migrates the database at `url`, then asks TypeORM what it would change to match `entities`.
 * Empty means entities and migrations agree.
 */
export async function schemaDiff(url: string, entities: EntityClass[]): Promise<SchemaDiff> {
  const options = {
    ...dataSourceOptions({ url, poolSize: 2 }, entities),
    logger: 'advanced-console' as const,
    logging: false,
  };
  const dataSource = await new DataSource(options).initialize();
  try {
    await migrate(dataSource);
    const sql = await dataSource.driver.createSchemaBuilder().log();
    return {
      up: sql.upQueries.map((q) => q.query),
      down: sql.downQueries.map((q) => q.query).reverse(),
    };
  } finally {
    await dataSource.destroy();
  }
}
