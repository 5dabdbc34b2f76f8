/**
 * Comments, stored through Kysely on SQLite or PostgreSQL. Every write is one transaction that also keeps
 * `papers.num_comments` exact and bumps the data version (so cached pages and API answers are rebuilt).
 *
 * How the count stays exact under concurrency: each write first locks the paper's row (an UPDATE that changes
 * nothing; on PostgreSQL it holds the row lock to the end of the transaction, on SQLite writes are serialised
 * anyway), then changes the comment, then recounts the paper's visible comments. A concurrent write on the same
 * paper waits for the lock and, under READ COMMITTED, its recount statement sees the first one's committed rows.
 */
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { bumpDataVersion } from './paper-store.ts';
import type { CommentsTable, Database } from './schema.ts';

export interface CommentAuthor {
  id: number;
  username: string;
  displayName: string | null;
}

export interface StoredComment {
  id: number;
  paperId: string;
  parentId: number | null;
  /** Markdown as written; '' once the author deleted it (the text is erased, not kept). */
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  hiddenAt: string | null;
  author: CommentAuthor;
  /** Whether the paper it is on has been hidden by the moderators (then only admins may see the comment). */
  paperHidden: boolean;
}

export interface NewComment {
  paperId: string;
  userId: number;
  parentId: number | null;
  body: string;
}

/** Why a comment could not be created. */
export type CreateCommentRefusal = 'paper_not_found' | 'paper_hidden' | 'parent_not_found' | 'parent_gone';

export type CreateCommentResult = { ok: true; comment: StoredComment } | { ok: false; reason: CreateCommentRefusal };

export interface CommentStore {
  /** Every comment on the paper (deleted and hidden ones too: the thread keeps its shape), oldest first. */
  listForPaper(paperId: string): Promise<StoredComment[]>;
  get(id: number): Promise<StoredComment | null>;
  /** Adds a comment; the paper must exist and not be hidden, the parent must be a live comment on the same paper. */
  create(input: NewComment): Promise<CreateCommentResult>;
  /** Replaces the body of a comment that is not deleted; null when there is no such comment. */
  edit(id: number, body: string): Promise<StoredComment | null>;
  /** Soft delete: the row stays (replies keep their place), the text is erased. Null when there is no such comment. */
  softDelete(id: number): Promise<StoredComment | null>;
  /** Which of these lower-cased usernames exist, mapped to their stored spelling (for `@mentions`). */
  existingUsernames(keys: readonly string[]): Promise<Map<string, string>>;
}

/** Most usernames looked up at once for mentions (a body mentioning more people links the first ones). */
const MAX_MENTION_LOOKUPS = 200;

export class KyselyCommentStore implements CommentStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async listForPaper(paperId: string): Promise<StoredComment[]> {
    const rows = await withAuthor(this.db)
      .where('comments.paper_id', '=', paperId)
      .orderBy('comments.created_at', 'asc')
      .orderBy('comments.id', 'asc')
      .execute();
    return rows.map(rowToComment);
  }

  async get(id: number): Promise<StoredComment | null> {
    const row = await withAuthor(this.db).where('comments.id', '=', id).executeTakeFirst();
    return row ? rowToComment(row) : null;
  }

  async create(input: NewComment): Promise<CreateCommentResult> {
    return this.db.transaction().execute(async (trx) => {
      const paper = await lockPaperComments(trx, input.paperId);
      if (!paper) return { ok: false, reason: 'paper_not_found' };
      if (paper.hidden_at !== null) return { ok: false, reason: 'paper_hidden' };
      if (input.parentId !== null) {
        const parent = await trx
          .selectFrom('comments')
          .select(['paper_id', 'deleted_at', 'hidden_at'])
          .where('id', '=', input.parentId)
          .executeTakeFirst();
        if (!parent || parent.paper_id !== input.paperId) return { ok: false, reason: 'parent_not_found' };
        if (parent.deleted_at !== null || parent.hidden_at !== null) return { ok: false, reason: 'parent_gone' };
      }
      const inserted = await trx
        .insertInto('comments')
        .values({
          paper_id: input.paperId,
          user_id: input.userId,
          parent_id: input.parentId,
          body: input.body,
          created_at: this.now().toISOString(),
          edited_at: null,
          deleted_at: null,
          hidden_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recountVisibleComments(trx, input.paperId);
      await bumpDataVersion(trx);
      const comment = await getIn(trx, Number(inserted.id));
      return { ok: true, comment: comment! };
    });
  }

  async edit(id: number, body: string): Promise<StoredComment | null> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('comments')
        .set({ body, edited_at: this.now().toISOString() })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return null;
      await bumpDataVersion(trx);
      return getIn(trx, id);
    });
  }

  async softDelete(id: number): Promise<StoredComment | null> {
    return this.db.transaction().execute(async (trx) => {
      const found = await trx.selectFrom('comments').select('paper_id').where('id', '=', id).executeTakeFirst();
      if (!found) return null;
      await lockPaperComments(trx, found.paper_id);
      const result = await trx
        .updateTable('comments')
        .set({ body: '', deleted_at: this.now().toISOString() })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) {
        await recountVisibleComments(trx, found.paper_id);
        await bumpDataVersion(trx);
      }
      return getIn(trx, id);
    });
  }

  async existingUsernames(keys: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(keys)].slice(0, MAX_MENTION_LOOKUPS);
    if (wanted.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('users')
      .select(['username', 'username_key'])
      .where('username_key', 'in', wanted)
      .execute();
    return new Map(rows.map((row) => [row.username_key, row.username]));
  }
}

/**
 * Hides or shows a comment (moderation), inside the caller's transaction, keeping the paper's count exact and
 * bumping the data version. Returns the comment as it is now and whether anything changed; null when unknown.
 */
export async function setCommentHiddenIn(
  trx: Transaction<Database>,
  id: number,
  hiddenAt: string | null,
): Promise<{ comment: StoredComment; changed: boolean } | null> {
  const found = await trx.selectFrom('comments').select('paper_id').where('id', '=', id).executeTakeFirst();
  if (!found) return null;
  await lockPaperComments(trx, found.paper_id);
  const result = await trx
    .updateTable('comments')
    .set({ hidden_at: hiddenAt })
    .where('id', '=', id)
    .where('hidden_at', hiddenAt === null ? 'is not' : 'is', null)
    .executeTakeFirst();
  const changed = Number(result.numUpdatedRows) > 0;
  if (changed) {
    await recountVisibleComments(trx, found.paper_id);
    await bumpDataVersion(trx);
  }
  return { comment: (await getIn(trx, id))!, changed };
}

/**
 * Takes the paper's row lock for the rest of the transaction (see the module comment) and reads what a comment
 * write needs to know about the paper; null when the paper does not exist.
 */
async function lockPaperComments(
  trx: Transaction<Database>,
  paperId: string,
): Promise<{ hidden_at: string | null } | null> {
  const locked = await trx
    .updateTable('papers')
    .set((eb) => ({ num_comments: eb.ref('num_comments') }))
    .where('id', '=', paperId)
    .executeTakeFirst();
  if (Number(locked.numUpdatedRows) === 0) return null;
  const paper = await trx.selectFrom('papers').select('hidden_at').where('id', '=', paperId).executeTakeFirstOrThrow();
  return { hidden_at: paper.hidden_at };
}

/** Sets `papers.num_comments` to the number of visible (neither deleted nor hidden) comments. */
async function recountVisibleComments(trx: Transaction<Database>, paperId: string): Promise<void> {
  await trx
    .updateTable('papers')
    .set({
      num_comments: sql<number>`(select count(*) from comments where comments.paper_id = ${paperId} and comments.deleted_at is null and comments.hidden_at is null)`,
    })
    .where('id', '=', paperId)
    .execute();
}

function withAuthor(db: Kysely<Database> | Transaction<Database>) {
  return db
    .selectFrom('comments')
    .innerJoin('users', 'users.id', 'comments.user_id')
    .innerJoin('papers', 'papers.id', 'comments.paper_id')
    .selectAll('comments')
    .select([
      'users.username as author_username',
      'users.display_name as author_display_name',
      'papers.hidden_at as paper_hidden_at',
    ]);
}

async function getIn(trx: Transaction<Database>, id: number): Promise<StoredComment | null> {
  const row = await withAuthor(trx).where('comments.id', '=', id).executeTakeFirst();
  return row ? rowToComment(row) : null;
}

type CommentRow = Selectable<CommentsTable> & {
  author_username: string;
  author_display_name: string | null;
  paper_hidden_at: string | null;
};

function rowToComment(row: CommentRow): StoredComment {
  return {
    id: Number(row.id),
    paperId: row.paper_id,
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    body: row.body,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    hiddenAt: row.hidden_at,
    author: { id: Number(row.user_id), username: row.author_username, displayName: row.author_display_name },
    paperHidden: row.paper_hidden_at !== null,
  };
}
