import { MigrationInterface, QueryRunner } from 'typeorm';

export class IntegrationApi1795305349718 implements MigrationInterface {
  name = 'IntegrationApi1795305349718';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "idempotency_keys" ("api_key_name" character varying(64) NOT NULL, "key" character varying(200) NOT NULL, "method" character varying(10) NOT NULL, "path" character varying(2000) NOT NULL, "request_hash" character varying(64) NOT NULL, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_cfa0c58abc6308caaf11d202f2e" PRIMARY KEY ("api_key_name", "key"))',
    );
    await queryRunner.query('CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"  ("created_at") ');
    await queryRunner.query('ALTER TABLE "notifications" ADD "acknowledgement" jsonb');
    await queryRunner.query('ALTER TABLE "notifications" ADD "version" integer NOT NULL DEFAULT \'1\'');
    // The writing transaction's id for the change feed; a function so that every writer gets it by default
    // (an xid8 has no cast to bigint but through text).
    await queryRunner.query(
      "CREATE FUNCTION current_xact_id_bigint() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT pg_current_xact_id()::text::bigint'",
    );
    await queryRunner.query(
      'ALTER TABLE "notification_events" ADD "tx_id" bigint NOT NULL DEFAULT current_xact_id_bigint()',
    );
    // By hand (see notification.entity.ts): the change feed's order, and the read API's filters, each
    // followed by the list order so that a filtered page is an index range scan.
    await queryRunner.query(
      'CREATE INDEX "notification_events_tx_id_sequence_idx" ON "notification_events" ("tx_id", "sequence")',
    );
    await queryRunner.query(
      'CREATE INDEX "notifications_source_opened_at_id_idx" ON "notifications" ("source", "opened_at", "id")',
    );
    await queryRunner.query(
      'CREATE INDEX "notifications_severity_opened_at_id_idx" ON "notifications" ("severity", "opened_at", "id")',
    );
    await queryRunner.query(
      'CREATE INDEX "notifications_external_id_opened_at_id_idx" ON "notifications" ("external_id", "opened_at", "id")',
    );
    await queryRunner.query('CREATE INDEX "notifications_updated_at_idx" ON "notifications" ("updated_at")');
    await queryRunner.query(
      'CREATE INDEX "notifications_tags_idx" ON "notifications" USING gin ("tags" jsonb_path_ops)',
    );
    // The same expression as SEARCH_DOCUMENT in notifications.repository.ts ('simple': no stemming, no
    // stop words, any language).
    await queryRunner.query(
      "CREATE INDEX \"notifications_search_idx\" ON \"notifications\" USING gin (to_tsvector('simple', title || ' ' || coalesce(message, '')))",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."notifications_search_idx"');
    await queryRunner.query('DROP INDEX "public"."notifications_tags_idx"');
    await queryRunner.query('DROP INDEX "public"."notifications_updated_at_idx"');
    await queryRunner.query('DROP INDEX "public"."notifications_external_id_opened_at_id_idx"');
    await queryRunner.query('DROP INDEX "public"."notifications_severity_opened_at_id_idx"');
    await queryRunner.query('DROP INDEX "public"."notifications_source_opened_at_id_idx"');
    await queryRunner.query('DROP INDEX "public"."notification_events_tx_id_sequence_idx"');
    await queryRunner.query('ALTER TABLE "notification_events" DROP COLUMN "tx_id"');
    await queryRunner.query('DROP FUNCTION current_xact_id_bigint()');
    await queryRunner.query('ALTER TABLE "notifications" DROP COLUMN "version"');
    await queryRunner.query('ALTER TABLE "notifications" DROP COLUMN "acknowledgement"');
    await queryRunner.query('DROP INDEX "public"."idempotency_keys_created_at_idx"');
    await queryRunner.query('DROP TABLE "idempotency_keys"');
  }
}
