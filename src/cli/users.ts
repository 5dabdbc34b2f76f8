/**
 * `paperboy users create|list|set-admin`: accounts for operators and scripts, without a browser (the first admin
 * of a new instance, accounts for a reading group). Output is one line per account on stdout; refusals are one
 * line on stderr with a non-zero exit (2 for arguments that can never work, 1 for a conflict with stored data).
 */
import type { Command } from 'commander';
import { checkSignInEmail } from '../domain/sign-in-email.ts';
import { usernameFromEmail, usernameProblem } from '../domain/username.ts';
import { AccountConflictError, KyselyAccountStore, type User } from '../storage/account-store.ts';
import { CliError, openRuntime } from './runtime.ts';

/** Exit code for arguments that cannot be right (a malformed address or username). */
const EXIT_USAGE = 2;

/** `@ada <ada@example.org> admin, joined 2024-05-01 (id 3)`: one account on one line. */
export function describeUser(user: User): string {
  const roles = [user.isAdmin ? 'admin' : 'member', ...(user.bannedAt ? ['suspended'] : [])].join(', ');
  const name = user.displayName ? ` "${user.displayName}"` : '';
  return `@${user.username}${name} <${user.email}> ${roles}, joined ${user.createdAt.slice(0, 10)} (id ${user.id})`;
}

/** The address from the command line, or a usage error saying what is wrong with it. */
export function requireEmailArgument(raw: string): string {
  const checked = checkSignInEmail(raw);
  if (!checked.ok) throw new CliError(checked.problem, EXIT_USAGE);
  return checked.email;
}

/** Runs `work` with the account store over the configured database, closing it afterwards. */
export async function withAccounts<T>(work: (accounts: KyselyAccountStore) => Promise<T>): Promise<T> {
  const runtime = await openRuntime();
  try {
    return await work(new KyselyAccountStore(runtime.database.db));
  } finally {
    await runtime.database.close();
  }
}

export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description('manage accounts: create, list, make admin');

  users
    .command('create')
    .description('create an account (it signs in with an emailed link, or single sign-on with the same email)')
    .argument('<email>', 'the email address of the person')
    .option('--username <name>', 'the username (default: from the email address, numbered when taken)')
    .option('--display-name <name>', 'the name shown on their profile')
    .option('--admin', 'make the account an admin')
    .action(async (rawEmail: string, options: { username?: string; displayName?: string; admin?: boolean }) => {
      const email = requireEmailArgument(rawEmail);
      if (options.username !== undefined) {
        const problem = usernameProblem(options.username);
        if (problem) throw new CliError(problem, EXIT_USAGE);
      }
      const user = await withAccounts(async (accounts) => {
        try {
          const input = { email, displayName: options.displayName ?? null, isAdmin: options.admin ?? false };
          return options.username !== undefined
            ? await accounts.createUser({ ...input, username: options.username })
            : await accounts.createUserWithFreeUsername({ ...input, usernameBase: usernameFromEmail(email) });
        } catch (error) {
          if (error instanceof AccountConflictError) throw new CliError(error.message);
          throw error;
        }
      });
      process.stdout.write(`created ${describeUser(user)}\n`);
    });

  users
    .command('list')
    .description('list every account, oldest first')
    .action(async () => {
      const all = await withAccounts((accounts) => accounts.listUsers());
      for (const user of all) process.stdout.write(`${describeUser(user)}\n`);
      if (all.length === 0) process.stderr.write('no accounts yet (paperboy users create EMAIL)\n');
    });

  users
    .command('set-admin')
    .description('make an account an admin (--on) or a member again (--off)')
    .argument('<email>', 'the email address of the account')
    .option('--on', 'make it an admin')
    .option('--off', 'make it a member')
    .action(async (rawEmail: string, options: { on?: boolean; off?: boolean }) => {
      if (Boolean(options.on) === Boolean(options.off))
        throw new CliError('give exactly one of --on or --off', EXIT_USAGE);
      const email = requireEmailArgument(rawEmail);
      const user = await withAccounts(async (accounts) => {
        const found = await accounts.getUserByEmail(email);
        if (!found) throw new CliError(`no account has the email ${email}`);
        await accounts.setAdmin(found.id, options.on === true);
        return (await accounts.getUserById(found.id))!;
      });
      process.stdout.write(`updated ${describeUser(user)}\n`);
    });
}
