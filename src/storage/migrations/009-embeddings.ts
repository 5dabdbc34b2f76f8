import type { Kysely } from 'kysely';

/** (Being written.) */
export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
