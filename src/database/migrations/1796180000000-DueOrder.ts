import { MigrationInterface, QueryRunner } from 'typeorm';

// The workers claim due deliveries ORDER BY next_attempt_at, sequence LIMIT n: with both columns in the
// index the scan stops after n rows instead of reading and sorting every pending row (a storm's backlog
// of thousands took the claim past the statement timeout, and delivery stopped; docs/design-notes.md).
export class DueOrder1796180000000 implements MigrationInterface {
  name = 'DueOrder1796180000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."deliveries_due_ungrouped_idx"');
    await queryRunner.query(
      'CREATE INDEX "deliveries_due_ungrouped_idx" ON "deliveries" ("next_attempt_at", "sequence") WHERE status = \'pending\' AND group_id IS NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."deliveries_due_ungrouped_idx"');
    await queryRunner.query(
      'CREATE INDEX "deliveries_due_ungrouped_idx" ON "deliveries" ("next_attempt_at") WHERE status = \'pending\' AND group_id IS NULL',
    );
  }
}
