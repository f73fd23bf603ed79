import { MigrationInterface, QueryRunner } from 'typeorm';

// The newest notification of an id is read through (external_id, opened_at, id) only (READ_LATEST_MANY):
// (source, external_id, opened_at) served nothing else, and every insert and non-HOT update of a
// notification paid for its entry (docs/design-notes.md, "Phase 10").

export class LatestByExternalId1796400000000 implements MigrationInterface {
  name = 'LatestByExternalId1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."notifications_source_external_id_idx"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX "notifications_source_external_id_idx" ON "notifications" ("source", "external_id", "opened_at")',
    );
  }
}
