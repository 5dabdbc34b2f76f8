import type { Kysely } from 'kysely';

/** Papers and the daily feed's listings. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('papers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('abstract', 'text', (c) => c.notNull())
    .addColumn('authors', 'text', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('primary_category', 'text')
    .addColumn('versions', 'text', (c) => c.notNull())
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('first_version_at', 'text')
    .addColumn('latest_version_at', 'text')
    .addColumn('comments', 'text')
    .addColumn('journal_ref', 'text')
    .addColumn('doi', 'text')
    .addColumn('report_no', 'text')
    .addColumn('license', 'text')
    .addColumn('submitter', 'text')
    .addColumn('github_repo', 'text')
    .addColumn('project_page', 'text')
    .addColumn('upvotes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('num_comments', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('listings')
    .addColumn('paper_id', 'text', (c) => c.primaryKey().references('papers.id').onDelete('cascade'))
    .addColumn('listed_on', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('submitted_by_user_id', 'integer')
    .addColumn('comment', 'text')
    .execute();
  await db.schema.createIndex('listings_by_day').on('listings').columns(['listed_on', 'submitted_at']).execute();
  await db.schema.createIndex('papers_by_first_version').on('papers').column('first_version_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('listings').execute();
  await db.schema.dropTable('papers').execute();
}
