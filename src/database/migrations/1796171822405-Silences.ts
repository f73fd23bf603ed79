import { MigrationInterface, QueryRunner } from 'typeorm';

export class Silences1796171822405 implements MigrationInterface {
  name = 'Silences1796171822405';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "silences" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "matchers" jsonb NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "comment" text NOT NULL, "created_by" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_with" character varying(64) NOT NULL, "ended_with" character varying(64), CONSTRAINT "PK_b4439bdeda8c2240b661f157884" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "silences_created_at_idx" ON "silences"  ("created_at") ');
    await queryRunner.query('CREATE INDEX "silences_ends_at_idx" ON "silences"  ("ends_at") ');
    await queryRunner.query('ALTER TABLE "deliveries" ADD "hold" jsonb');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "deliveries" DROP COLUMN "hold"');
    await queryRunner.query('DROP INDEX "public"."silences_ends_at_idx"');
    await queryRunner.query('DROP INDEX "public"."silences_created_at_idx"');
    await queryRunner.query('DROP TABLE "silences"');
  }
}
