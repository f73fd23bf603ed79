import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { DATABASE_TARGET, DatabaseTarget } from './database-target';
import { sharedSessionOf, StatementBatch } from './statement-batch';

/** Ends a transaction's wait for its WAL flush at COMMIT; for that transaction only. */
export const ASYNC_COMMIT = 'SET LOCAL synchronous_commit = off';

/**
 * Writes of the background workers that acknowledge nothing to anybody (delivery leases and results,
 * rate-limit tokens, circuit state): each is a transaction of its own that commits without waiting for
 * its WAL to reach the disk, in one round trip as before (BEGIN, `ASYNC_COMMIT`, the statement and the
 * COMMIT go as one batch).
 *
 * Why: a commit otherwise waits for a WAL flush (1-2 ms on the disks of these machines), and the three
 * bookkeeping commits of every delivery queued up with the ingest commits that producers wait for
 * (docs/design-notes.md, "Background writes without a WAL flush").
 *
 * What it risks: only a crash of PostgreSQL or its host (not of this service) within the WAL writer's
 * delay (`wal_writer_delay`, 200 ms by default, at most three times that) loses such a commit. A lost
 * lease or result means the delivery is attempted again (at-least-once, with the same `webhook-id`),
 * a lost token that a rate limit hands out one more. Any later synchronous commit (every ingest, every
 * API write) flushes the WAL before it, these commits included. Ingest, the API's writes and anything
 * else acknowledged to a client keep synchronous commits.
 */
@Injectable()
export class BackgroundWrites {
  // Statements are prepared once per session; the embedded database's connections share one.
  private readonly session: object | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_TARGET) target: DatabaseTarget,
  ) {
    this.session = sharedSessionOf(target);
  }

  /** Runs one statement in a transaction of its own that does not wait for the WAL flush; its rows. */
  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      const batch = new StatementBatch(client, true, this.session);
      batch.add('BEGIN');
      batch.add(ASYNC_COMMIT);
      batch.add(sql, params);
      batch.add('COMMIT');
      try {
        const results = await batch.run();
        return results[2].rows as T[];
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }
}
