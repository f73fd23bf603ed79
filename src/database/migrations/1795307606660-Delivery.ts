import { MigrationInterface, QueryRunner } from 'typeorm';

export class Delivery1795307606660 implements MigrationInterface {
  name = 'Delivery1795307606660';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "deliveries" ("sequence" BIGSERIAL NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "notification_id" uuid NOT NULL, "channel" character varying(64) NOT NULL, "revision" integer NOT NULL, "kind" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "route" character varying(128) NOT NULL, "payload" jsonb NOT NULL, "remind_every_seconds" integer, "attempts" integer NOT NULL DEFAULT \'0\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "leased_until" TIMESTAMP WITH TIME ZONE, "lease_token" uuid, "completed_at" TIMESTAMP WITH TIME ZONE, "last_status_code" integer, "last_error" text, CONSTRAINT "PK_8a89ca03892154eec7cfb756216" PRIMARY KEY ("sequence"))',
    );
    await queryRunner.query('CREATE INDEX "deliveries_status_sequence_idx" ON "deliveries"  ("status", "sequence") ');
    await queryRunner.query(
      'CREATE INDEX "deliveries_due_idx" ON "deliveries"  ("next_attempt_at") WHERE status = \'pending\'',
    );
    await queryRunner.query(
      'CREATE INDEX "deliveries_pair_sequence_idx" ON "deliveries"  ("notification_id", "channel", "sequence") ',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "deliveries_id_key" ON "deliveries"  ("id") ');
    await queryRunner.query(
      'CREATE TABLE "delivery_attempts" ("id" BIGSERIAL NOT NULL, "delivery_id" uuid NOT NULL, "attempt" integer NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "duration_ms" integer NOT NULL, "outcome" character varying(16) NOT NULL, "status_code" integer, "error" text, "response" text, "worker" character varying(64) NOT NULL, CONSTRAINT "PK_41eba4eb5401d72860f7cd9a7ac" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "delivery_attempts_delivery_id_idx" ON "delivery_attempts"  ("delivery_id", "id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_notification_id_fkey" FOREIGN KEY ("notification_id") REFERENCES "notifications"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "deliveries"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "delivery_attempts" DROP CONSTRAINT "delivery_attempts_delivery_id_fkey"');
    await queryRunner.query('ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_notification_id_fkey"');
    await queryRunner.query('DROP INDEX "public"."delivery_attempts_delivery_id_idx"');
    await queryRunner.query('DROP TABLE "delivery_attempts"');
    await queryRunner.query('DROP INDEX "public"."deliveries_id_key"');
    await queryRunner.query('DROP INDEX "public"."deliveries_pair_sequence_idx"');
    await queryRunner.query('DROP INDEX "public"."deliveries_due_idx"');
    await queryRunner.query('DROP INDEX "public"."deliveries_status_sequence_idx"');
    await queryRunner.query('DROP TABLE "deliveries"');
  }
}
