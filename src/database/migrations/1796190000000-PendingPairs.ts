import { MigrationInterface, QueryRunner } from 'typeorm';

// A pair's pending deliveries (notification, channel), found without reading every pending row: the
// outbox insert supersedes them, and the claim and the result of an attempt look for an older or newer
// one. Without it PostgreSQL combined the pair index with the status index, whose pending part grows
// with a backlog: each insert read the whole backlog (docs/design-notes.md, "Phase 4").
export class PendingPairs1796190000000 implements MigrationInterface {
  name = 'PendingPairs1796190000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX "deliveries_pair_pending_idx" ON "deliveries" ("notification_id", "channel", "sequence") WHERE status = \'pending\'',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."deliveries_pair_pending_idx"');
  }
}
