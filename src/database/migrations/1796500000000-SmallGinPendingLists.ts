import { MigrationInterface, QueryRunner } from 'typeorm';

// The notifications' GIN indexes (tags, search) take new entries into a pending list again, but one of
// 256 kB instead of PostgreSQL's 4 MB default, moved into the index in batches. Inserted into the index
// one by one (SteadyGinInserts), their entries cost a fifth of PostgreSQL's CPU per ingested message;
// with the default list, one transaction in a few thousand moved 4 MB at once, 40-65 ms with its group's
// locks held. 256 kB moves in a few milliseconds: no ingest statement over 22 ms in PostgreSQL's log
// (docs/design-notes.md, "Phase 10"). Only storage parameters: no rebuild.

export class SmallGinPendingLists1796500000000 implements MigrationInterface {
  name = 'SmallGinPendingLists1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const index of ['notifications_tags_idx', 'notifications_search_idx']) {
      await queryRunner.query(`ALTER INDEX "${index}" SET (fastupdate = on, gin_pending_list_limit = 256)`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of ['notifications_tags_idx', 'notifications_search_idx']) {
      await queryRunner.query(`ALTER INDEX "${index}" RESET (gin_pending_list_limit)`);
      await queryRunner.query(`ALTER INDEX "${index}" SET (fastupdate = off)`);
      // What the list holds is moved into the index now: searches would read it until a vacuum.
      await queryRunner.query(`SELECT gin_clean_pending_list('"${index}"'::regclass)`);
    }
  }
}
