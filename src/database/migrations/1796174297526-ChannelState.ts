import { MigrationInterface, QueryRunner } from 'typeorm';

export class ChannelState1796174297526 implements MigrationInterface {
  name = 'ChannelState1796174297526';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "channel_state" ("channel" character varying(64) NOT NULL, "tokens" double precision NOT NULL DEFAULT \'0\', "refilled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "failures" integer NOT NULL DEFAULT \'0\', "open_until" TIMESTAMP WITH TIME ZONE, "probe_until" TIMESTAMP WITH TIME ZONE, "disabled_at" TIMESTAMP WITH TIME ZONE, "disabled_reason" text, CONSTRAINT "PK_94aa328b2205732f00e92ce7bcc" PRIMARY KEY ("channel"))',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "channel_state"');
  }
}
