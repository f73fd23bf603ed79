import { MigrationInterface, QueryRunner } from 'typeorm';

// The list sorted by last change (sort=-updatedAt) pages on (updated_at, id): the index on updated_at
// alone becomes one on both (updatedAfter filters still use it).
export class UpdatedAtOrder1796173689003 implements MigrationInterface {
  name = 'UpdatedAtOrder1796173689003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."notifications_updated_at_idx"');
    await queryRunner.query('CREATE INDEX "notifications_updated_at_id_idx" ON "notifications" ("updated_at", "id")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."notifications_updated_at_id_idx"');
    await queryRunner.query('CREATE INDEX "notifications_updated_at_idx" ON "notifications" ("updated_at")');
  }
}
