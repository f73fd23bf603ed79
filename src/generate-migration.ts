import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorText } from './common/errors';
import { startEmbeddedPostgres } from './database/embedded-postgres';
import { schemaDiff } from './database/schema-diff';
import { ALL_ENTITIES } from './entities';

// npm run migration:generate -- <Name>: writes src/database/migrations/<timestamp>-<Name>.ts with what the
// entities need beyond the existing migrations, computed on a scratch embedded database. Review it,
// then add it to migrations/index.ts.
async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name))
    throw new Error('usage: npm run migration:generate -- PascalCaseName');
  const dir = mkdtempSync(join(tmpdir(), 'alert-relay-migration-'));
  const db = await startEmbeddedPostgres(dir);
  try {
    const diff = await schemaDiff(db.url, ALL_ENTITIES);
    if (diff.up.length === 0) {
      process.stdout.write('entities and migrations agree; nothing to generate\n');
      return;
    }
    const timestamp = Date.now();
    const file = join(__dirname, '..', '..', 'src', 'database', 'migrations', `${timestamp}-${name}.ts`);
    const lines = (queries: string[]) =>
      queries.map((q) => `    await queryRunner.query(${JSON.stringify(q)});`).join('\n');
    writeFileSync(
      file,
      `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${timestamp} implements MigrationInterface {
  name = '${name}${timestamp}';

  async up(queryRunner: QueryRunner): Promise<void> {
${lines(diff.up)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${lines(diff.down)}
  }
}
`,
    );
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${errorText(error)}\n`);
  process.exit(1);
});
