import { Logger as NestLogger } from '@nestjs/common';
import { Logger as TypeOrmLogger } from 'typeorm';
import { errorText } from '../common/errors';

/** Sends TypeORM's migration and schema messages to the service log; never query parameters. */
export class DatabaseLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');

  logQuery(): void {}
  logQueryError(error: string | Error): void {
    this.logger.debug(`query failed: ${errorText(error)}`);
  }
  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${query.slice(0, 200)}`);
  }
  logSchemaBuild(message: string): void {
    this.logger.log(message);
  }
  // database.module.ts logs which migrations were applied in one line; TypeORM's steps are detail.
  logMigration(message: string): void {
    this.logger.debug(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}
