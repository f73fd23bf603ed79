import { MigrationInterface, QueryRunner } from 'typeorm';

export class Digests1796171637428 implements MigrationInterface {
  name = 'Digests1796171637428';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."deliveries_due_idx"');
    await queryRunner.query(
      'CREATE TABLE "digest_groups" ("id" uuid NOT NULL, "route" character varying(128) NOT NULL, "channel" character varying(64) NOT NULL, "group_key" character varying(64) NOT NULL, "labels" jsonb NOT NULL, "wait_ms" bigint NOT NULL, "interval_ms" bigint NOT NULL, "max_items" integer NOT NULL, "last_digest_at" TIMESTAMP WITH TIME ZONE, "retry_at" TIMESTAMP WITH TIME ZONE, "leased_until" TIMESTAMP WITH TIME ZONE, "lease_token" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_fc0cf34c42d8814f5a7e08f498f" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('ALTER TABLE "deliveries" ADD "group_id" uuid');
    await queryRunner.query('ALTER TABLE "deliveries" ADD "digest_id" uuid');
    await queryRunner.query(
      'CREATE INDEX "deliveries_digest_idx" ON "deliveries"  ("digest_id") WHERE digest_id IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "deliveries_group_pending_idx" ON "deliveries"  ("group_id", "created_at") WHERE status = \'pending\' AND group_id IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "deliveries_due_ungrouped_idx" ON "deliveries"  ("next_attempt_at") WHERE status = \'pending\' AND group_id IS NULL',
    );
    await queryRunner.query(
      'ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "digest_groups"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_group_id_fkey"');
    await queryRunner.query('DROP INDEX "public"."deliveries_due_ungrouped_idx"');
    await queryRunner.query('DROP INDEX "public"."deliveries_group_pending_idx"');
    await queryRunner.query('DROP INDEX "public"."deliveries_digest_idx"');
    await queryRunner.query('ALTER TABLE "deliveries" DROP COLUMN "digest_id"');
    await queryRunner.query('ALTER TABLE "deliveries" DROP COLUMN "group_id"');
    await queryRunner.query('DROP TABLE "digest_groups"');
    await queryRunner.query(
      'CREATE INDEX "deliveries_due_idx" ON "deliveries" USING btree ("next_attempt_at") WHERE ((status)::text = \'pending\'::text)',
    );
  }
}
