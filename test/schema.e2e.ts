import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from '../src/database/data-source-options';
import { schemaDiff } from '../src/database/schema-diff';
import { ALL_ENTITIES } from '../src/entities';
import { createServedDatabase, TEST_DB } from './support/test-database';

/** A fresh database of the run's kind, given to `use` by its URL and dropped afterwards. */
async function withFreshDatabase(use: (url: string) => Promise<void>): Promise<void> {
  const db = await createServedDatabase();
  try {
    await use(db.url);
  } finally {
    await db.drop();
  }
}

describe(`Migrations (${TEST_DB})`, () => {
  it('agree with the entities: migrating a fresh database leaves nothing for TypeORM to change', async () => {
    await withFreshDatabase(async (url) => {
      assert.deepEqual(await schemaDiff(url, ALL_ENTITIES), { up: [], down: [] });
    });
  });

  it("leave the notifications' GIN indexes without a pending list (no ingest transaction flushes one)", async () => {
    await withFreshDatabase(async (url) => {
      const dataSource = await new DataSource(dataSourceOptions({ url, poolSize: 2 })).initialize();
      try {
        await migrate(dataSource);
        const indexes: { name: string; options: string[] | null }[] = await dataSource.query(
          `SELECT c.relname AS name, c.reloptions AS options
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
            WHERE i.indrelid = 'notifications'::regclass AND am.amname = 'gin' ORDER BY c.relname`,
        );
        assert.deepEqual(indexes, [
          { name: 'notifications_search_idx', options: ['fastupdate=off'] },
          { name: 'notifications_tags_idx', options: ['fastupdate=off'] },
        ]);
      } finally {
        await dataSource.destroy();
      }
    });
  });
});
