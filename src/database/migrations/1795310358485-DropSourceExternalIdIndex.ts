import { MigrationInterface, QueryRunner } from 'typeorm';

// The ingest lookup (source, external_id, newest opened_at) is served by
// notifications_external_id_opened_at_id_idx (external_id, opened_at, id) with source as a filter; one
// index fewer to maintain on every write.
export class DropSourceExternalIdIndex1795310358485 implements MigrationInterface {
  name = 'DropSourceExternalIdIndex1795310358485';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."notifications_source_external_id_idx"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // By hand: TypeORM reads index columns back in table order.
    await queryRunner.query(
      'CREATE INDEX "notifications_source_external_id_idx" ON "notifications" ("source", "external_id", "opened_at")',
    );
  }
}
