import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795304792630 implements MigrationInterface {
  name = 'Initial1795304792630';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "source" character varying(64) NOT NULL, "source_instance" character varying(64) NOT NULL, "external_id" character varying(1000) NOT NULL, "status" character varying(16) NOT NULL, "severity" character varying(16) NOT NULL, "source_state" character varying(64) NOT NULL, "title" text NOT NULL, "message" text, "component" jsonb, "host" text, "tags" jsonb NOT NULL DEFAULT \'[]\', "metadata" jsonb NOT NULL DEFAULT \'{}\', "links" jsonb NOT NULL DEFAULT \'[]\', "revision" integer NOT NULL, "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, "close_reason" text, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "duplicate_count" integer NOT NULL DEFAULT \'0\', "source_time" TIMESTAMP WITH TIME ZONE, "external_refs" jsonb NOT NULL DEFAULT \'[]\', CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "notifications_source_external_id_idx" ON "notifications"  ("source", "external_id", "opened_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "notifications_open_external_id_key" ON "notifications"  ("source", "external_id") WHERE status = \'open\'',
    );
    // Keyset pagination order of the read API (openedAt DESC, id DESC); by hand, see notification.entity.ts.
    await queryRunner.query('CREATE INDEX "notifications_opened_at_id_idx" ON "notifications" ("opened_at", "id")');
    await queryRunner.query(
      'CREATE INDEX "notifications_status_opened_at_id_idx" ON "notifications" ("status", "opened_at", "id")',
    );
    await queryRunner.query(
      'CREATE TABLE "notification_events" ("sequence" BIGSERIAL NOT NULL, "notification_id" uuid NOT NULL, "type" character varying(32) NOT NULL, "revision" integer NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "source_time" TIMESTAMP WITH TIME ZONE, "payload" jsonb NOT NULL, "details" jsonb NOT NULL DEFAULT \'{}\', CONSTRAINT "PK_da50c86001bebd5d8acdb508756" PRIMARY KEY ("sequence"))',
    );
    await queryRunner.query(
      'CREATE INDEX "notification_events_notification_id_sequence_idx" ON "notification_events"  ("notification_id", "sequence") ',
    );
    await queryRunner.query(
      'ALTER TABLE "notification_events" ADD CONSTRAINT "notification_events_notification_id_fkey" FOREIGN KEY ("notification_id") REFERENCES "notifications"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "notification_events" DROP CONSTRAINT "notification_events_notification_id_fkey"',
    );
    await queryRunner.query('DROP INDEX "public"."notification_events_notification_id_sequence_idx"');
    await queryRunner.query('DROP TABLE "notification_events"');
    await queryRunner.query('DROP INDEX "public"."notifications_open_external_id_key"');
    await queryRunner.query('DROP INDEX "public"."notifications_source_external_id_idx"');
    await queryRunner.query('DROP INDEX "public"."notifications_status_opened_at_id_idx"');
    await queryRunner.query('DROP INDEX "public"."notifications_opened_at_id_idx"');
    await queryRunner.query('DROP TABLE "notifications"');
  }
}
