/**
 * Secrets the instance makes for itself on first use and shares between its processes through the database (the
 * key that signs CSRF and unsubscribe tokens), so that an operator need not configure one and every web process
 * behind a load balancer agrees.
 */
import type { Kysely } from 'kysely';
import { newSecretToken } from '../accounts/secret-tokens.ts';
import type { Database } from './schema.ts';

/** The secret stored under `name`, created at random by whichever process asks first. */
export async function instanceSecret(db: Kysely<Database>, name: string): Promise<string> {
  await db
    .insertInto('instance_secrets')
    .values({ name, value: newSecretToken() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('instance_secrets')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.value;
}
