import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundWrites } from './background-writes';
import { CommitSignals } from './commit-signals';
import { DatabaseHealthRepository } from './database-health.repository';
import { dataSourceOptions, migrate } from './data-source-options';
import { DATABASE_TARGET, DatabaseTarget } from './database-target';

/**
 * The data source (migrated at start), the target it points at, the commit signals and the background
 * workers' writes; for every module.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(target: DatabaseTarget): DynamicModule {
    const logger = new Logger('Database');
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(target),
            autoLoadEntities: true,
            retryAttempts: 20,
            retryDelay: 3000,
          }),
          dataSourceFactory: async (options) => {
            // Migrations on connections of their own (one holds the lock, one migrates), without the
            // statement timeouts of the service.
            const migrations = await new DataSource(dataSourceOptions({ url: target.url, poolSize: 2 })).initialize();
            try {
              const applied = await migrate(migrations);
              if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
            } finally {
              await migrations.destroy();
            }
            return new DataSource(options!).initialize();
          },
        }),
      ],
      providers: [
        { provide: DATABASE_TARGET, useValue: target },
        CommitSignals,
        DatabaseHealthRepository,
        BackgroundWrites,
      ],
      exports: [DATABASE_TARGET, CommitSignals, DatabaseHealthRepository, BackgroundWrites],
    };
  }
}
