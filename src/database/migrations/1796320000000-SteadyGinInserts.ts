import { MigrationInterface, QueryRunner } from 'typeorm';

// The notifications' GIN indexes (tags, search) take each new entry into the index itself instead of a
// pending list: with the list (PostgreSQL's default), every few thousand changes one ingest transaction
// moved the whole list into the index, 40-65 ms with the group's locks held, and every message of that
// group and the next waited for it (docs/design-notes.md, "Phase 9"). PostgreSQL's own advice when
// consistent response time matters more than update speed. Only a storage parameter: no rebuild; what
// an existing list holds is moved into the index here, once (searches read the list too until then).

export class SteadyGinInserts1796320000000 implements MigrationInterface {
  name = 'SteadyGinInserts1796320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER INDEX "notifications_tags_idx" SET (fastupdate = off)');
    await queryRunner.query('ALTER INDEX "notifications_search_idx" SET (fastupdate = off)');
    await queryRunner.query(
      `SELECT gin_clean_pending_list('"notifications_tags_idx"'::regclass), gin_clean_pending_list('"notifications_search_idx"'::regclass)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER INDEX "notifications_search_idx" RESET (fastupdate)');
    await queryRunner.query('ALTER INDEX "notifications_tags_idx" RESET (fastupdate)');
  }
}
