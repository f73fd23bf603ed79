import { MigrationInterface, QueryRunner } from 'typeorm';

// By hand (the index is not TypeORM's, see notification.entity.ts): the search document keeps the first
// 10,000 characters of the title and 100,000 of the message, so that no title or message a client may
// send overflows tsvector's 1 MB (SQLSTATE 54000). The same expression as SEARCH_DOCUMENT.
export class SearchDocumentCap1796171354960 implements MigrationInterface {
  name = 'SearchDocumentCap1796171354960';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."notifications_search_idx"');
    await queryRunner.query(
      "CREATE INDEX \"notifications_search_idx\" ON \"notifications\" USING gin (to_tsvector('simple', left(title, 10000) || ' ' || left(coalesce(message, ''), 100000)))",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."notifications_search_idx"');
    await queryRunner.query(
      "CREATE INDEX \"notifications_search_idx\" ON \"notifications\" USING gin (to_tsvector('simple', title || ' ' || coalesce(message, '')))",
    );
  }
}
