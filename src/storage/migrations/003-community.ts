import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

/**
 * The community: accounts (users, sessions, magic links, OpenID Connect identities, API tokens), upvotes, comments,
 * the admins' audit log, and the papers' moderation and trending columns.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  // An auto-numbered key: an identity column on PostgreSQL, SQLite's rowid alias elsewhere.
  const serial = (name: string) =>
    postgres
      ? ([name, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().generatedByDefaultAsIdentity()] as const)
      : ([name, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement()] as const);
  const real = postgres ? 'double precision' : 'real';

  await db.schema.alterTable('papers').addColumn('hidden_at', 'text').execute();
  await db.schema
    .alterTable('papers')
    .addColumn('trending_score', real, (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('papers_by_trending').on('papers').column('trending_score').execute();

  await db.schema
    .createTable('users')
    .addColumn(...serial('id'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('banned_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_by_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('magic_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('return_to', 'text')
    .execute();
  await db.schema.createIndex('magic_links_by_email').on('magic_links').columns(['email', 'created_at']).execute();

  await db.schema
    .createTable('oidc_identities')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('oidc_identities_pk', ['issuer', 'subject'])
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn(...serial('id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_by_user').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('upvotes')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('upvotes_pk', ['user_id', 'paper_id'])
    .execute();
  await db.schema.createIndex('upvotes_by_paper').on('upvotes').columns(['paper_id', 'created_at']).execute();

  await db.schema
    .createTable('comments')
    .addColumn(...serial('id'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('parent_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('hidden_at', 'text')
    .execute();
  await db.schema.createIndex('comments_by_paper').on('comments').columns(['paper_id', 'created_at']).execute();
  await db.schema.createIndex('comments_by_user').on('comments').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn(...serial('id'))
    .addColumn('actor_user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_by_time').on('audit_log').column('created_at').execute();

  await db.schema
    .createTable('instance_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createIndex('listings_by_submitter')
    .on('listings')
    .columns(['submitted_by_user_id', 'submitted_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'instance_secrets',
    'audit_log',
    'comments',
    'upvotes',
    'api_tokens',
    'oidc_identities',
    'magic_links',
    'sessions',
    'users',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('listings_by_submitter').execute();
  await db.schema.dropIndex('papers_by_trending').execute();
  await db.schema.alterTable('papers').dropColumn('trending_score').execute();
  await db.schema.alterTable('papers').dropColumn('hidden_at').execute();
}
