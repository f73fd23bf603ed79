import { MigrationInterface, QueryRunner } from 'typeorm';

// A pair's pending deliveries (notification, channel) without reading every pending row: the outbox
// insert supersedes them, and the claim and an attempt's result look for an older or newer one. Without
// it PostgreSQL combined the pair index with the status index, whose pending part is the whole backlog:
// each insert read the backlog (docs/design-notes.md, "Phase 4"). Built inside the migration's
// transaction: writes to `deliveries` wait while it reads the table once.

export class PendingPairs1796222937805 implements MigrationInterface {
  name = 'PendingPairs1796222937805';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX "deliveries_pair_pending_idx" ON "deliveries"  ("notification_id", "channel", "sequence") WHERE status = \'pending\'',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."deliveries_pair_pending_idx"');
  }
}
