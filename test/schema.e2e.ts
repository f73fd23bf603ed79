import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from '../src/database/data-source-options';
import { schemaDiff } from '../src/database/schema-diff';
import { ALL_ENTITIES } from '../src/entities';
import { READ_LATEST_MANY } from '../src/notifications/notification-sql';
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

/** A fresh database of the run's kind with every migration run, given to `use` as a DataSource. */
async function withMigratedDatabase(use: (dataSource: DataSource) => Promise<void>): Promise<void> {
  await withFreshDatabase(async (url) => {
    const dataSource = await new DataSource(dataSourceOptions({ url, poolSize: 2 })).initialize();
    try {
      await migrate(dataSource);
      await use(dataSource);
    } finally {
      await dataSource.destroy();
    }
  });
}

describe(`Migrations (${TEST_DB})`, () => {
  it('agree with the entities: migrating a fresh database leaves nothing for TypeORM to change', async () => {
    await withFreshDatabase(async (url) => {
      assert.deepEqual(await schemaDiff(url, ALL_ENTITIES), { up: [], down: [] });
    });
  });

  it("leave the notifications' GIN indexes a small pending list (no ingest transaction moves 4 MB into one)", async () => {
    await withMigratedDatabase(async (dataSource) => {
      const indexes: { name: string; options: string[] | null }[] = await dataSource.query(
        `SELECT c.relname AS name, c.reloptions AS options
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
            WHERE i.indrelid = 'notifications'::regclass AND am.amname = 'gin' ORDER BY c.relname`,
      );
      assert.deepEqual(indexes, [
        { name: 'notifications_search_idx', options: ['fastupdate=on', 'gin_pending_list_limit=256'] },
        { name: 'notifications_tags_idx', options: ['fastupdate=on', 'gin_pending_list_limit=256'] },
      ]);
    });
  });

  it("read an id's newest notification by external_id, whatever the statistics say of source", async () => {
    await withMigratedDatabase(async (dataSource) => {
      // Statistics that make source look the better way in: 2,000 sources, each external id (a UUID) in
      // two of them. Planned on statistics like these, or on none (by the indexes' sizes), the read once
      // scanned (source, opened_at, id), reading every notification of the source (docs/design-notes.md,
      // "Phase 10").
      await dataSource.query(
        `INSERT INTO notifications (source, source_instance, external_id, status, severity, source_state, title,
                                      tags, metadata, links, revision, opened_at, updated_at, last_seen_at,
                                      duplicate_count, version)
           SELECT 'source-' || g, 'test', md5('id-' || (g % 1000))::uuid::text, 'open', 'critical', 'ALARM',
                  'Disk full', '[]', '{}', '[]', 1, now() - g * interval '1 second', now(), now(), 0, 1
             FROM generate_series(1, 2000) AS g`,
      );
      await dataSource.query('ANALYZE notifications');
      const runner = dataSource.createQueryRunner();
      try {
        await runner.query('SET plan_cache_mode = force_generic_plan');
        await runner.query(`PREPARE latest(text[], text[]) AS ${READ_LATEST_MANY}`);
        const [{ 'QUERY PLAN': plan }]: { 'QUERY PLAN': unknown }[] = await runner.query(
          `EXPLAIN (FORMAT JSON) EXECUTE latest(ARRAY['source-7'], ARRAY[md5('id-7')::uuid::text])`,
        );
        assert.deepEqual(indexNames(plan), ['notifications_external_id_opened_at_id_idx'], JSON.stringify(plan));
        const rows: { source: string }[] = await runner.query(
          `EXECUTE latest(ARRAY['source-7', 'source-1007'], ARRAY[md5('id-7')::uuid::text, md5('id-7')::uuid::text])`,
        );
        assert.deepEqual(
          rows.map((r) => r.source),
          ['source-7', 'source-1007'],
        );
      } finally {
        await runner.release();
      }
    });
  });
});

/** Every index a JSON plan reads, once each. */
function indexNames(plan: unknown): string[] {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Index Name' && typeof value === 'string') names.add(value);
        else visit(value);
      }
    }
  };
  visit(plan);
  return [...names];
}
