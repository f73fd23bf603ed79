import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { schemaDiff } from '../src/database/schema-diff';
import { ALL_ENTITIES } from '../src/entities';
import { createPostgresDatabase, TEST_DB } from './support/test-database';

describe(`Migrations (${TEST_DB})`, () => {
  it('agree with the entities: migrating a fresh database leaves nothing for TypeORM to change', async () => {
    if (TEST_DB === 'postgres') {
      const db = await createPostgresDatabase();
      try {
        assert.deepEqual(await schemaDiff(db.url, ALL_ENTITIES), { up: [], down: [] });
      } finally {
        await db.drop();
      }
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'alert-relay-schema-'));
    const db = await startEmbeddedPostgres(dir);
    try {
      assert.deepEqual(await schemaDiff(db.url, ALL_ENTITIES), { up: [], down: [] });
    } finally {
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
