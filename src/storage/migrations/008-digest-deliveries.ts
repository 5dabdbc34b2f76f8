import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * One row per subscription and digest period: the digest sender's ledger. The unique key (subscription_id,
 * period_key) is what "each subscription receives each period's digest exactly once" rests on: planning a period
 * inserts with ON CONFLICT DO NOTHING, so a rerun, a second sender or a restarted one finds the row already there
 * and only ever moves it forward (queued -> sending -> sent/failed/skipped, or back to queued for a retry).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = (name: string) =>
    postgres
      ? ([name, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().generatedByDefaultAsIdentity()] as const)
      : ([name, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement()] as const);

  await db.schema
    .createTable('digest_deliveries')
    .addColumn(...serial('id'))
    .addColumn('subscription_id', 'integer', (c) => c.notNull().references('subscriptions.id').onDelete('cascade'))
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('cadence', 'text', (c) => c.notNull().check(sql`cadence in ('daily', 'weekly')`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('queued', 'sending', 'sent', 'failed', 'skipped')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('claimed_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('message_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addUniqueConstraint('digest_deliveries_once_per_period', ['subscription_id', 'period_key'])
    .execute();
  await db.schema
    .createIndex('digest_deliveries_by_period')
    .on('digest_deliveries')
    .columns(['period_key', 'status', 'next_attempt_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('digest_deliveries').execute();
}
