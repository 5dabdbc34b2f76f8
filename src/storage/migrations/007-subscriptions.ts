import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Email subscriptions to the digest (double opt-in): one row per address and cadence while pending or active (a
 * partial unique index, so re-subscribing updates the row instead of adding one; an unsubscribed row stays as
 * history and a new subscription gets a new row). The confirmation secret is stored only as its SHA-256; the
 * failure counters are for the digest sender, which pauses an address that keeps bouncing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = (name: string) =>
    postgres
      ? ([name, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().generatedByDefaultAsIdentity()] as const)
      : ([name, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement()] as const);

  await db.schema
    .createTable('subscriptions')
    .addColumn(...serial('id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('cadence', 'text', (c) => c.notNull().check(sql`cadence in ('daily', 'weekly')`))
    .addColumn('weekly_day', 'integer', (c) => c.check(sql`weekly_day between 0 and 6`))
    .addColumn('topics', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'active', 'unsubscribed')`))
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('confirmation_token_hash', 'text', (c) => c.unique())
    .addColumn('confirmation_expires_at', 'text')
    .addColumn('confirmation_used_at', 'text')
    .addColumn('requested_changes', 'text')
    .addColumn('mails_window_started_at', 'text')
    .addColumn('mails_in_window', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('unsubscribed_at', 'text')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('paused_at', 'text')
    .execute();
  await sql`create unique index subscriptions_one_live_per_address on subscriptions (email, cadence) where status <> 'unsubscribed'`.execute(
    db,
  );
  await db.schema.createIndex('subscriptions_by_status').on('subscriptions').columns(['status', 'cadence']).execute();
  await db.schema.createIndex('subscriptions_by_user').on('subscriptions').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('subscriptions').execute();
}
