/**
 * The papers and the daily feed, stored through Kysely on SQLite or PostgreSQL. This is the one place that knows
 * how a paper is laid out in rows; everything above speaks `Paper` and `PaperRecord`.
 */
import { type Insertable, type Kysely, PostgresAdapter, type Selectable, sql, type Transaction } from 'kysely';
import {
  latestVersionNumber,
  mergePaperRecords,
  type Paper,
  type PaperRecord,
  type PaperVersion,
  sameRecord,
  versionBounds,
} from '../domain/paper.ts';
import { usernameKey } from '../domain/username.ts';
import type { Database, PapersTable } from './schema.ts';
import { refreshTrendingScores } from './trending-scores.ts';

export interface Listing {
  paperId: string;
  listedOn: string;
  submittedAt: string;
  source: ListingSource;
  submittedByUserId: number | null;
  comment: string | null;
  /** The person who submitted it (user listings), as read with the feed; absent when not read. */
  submitter?: ListingSubmitter | null;
}

export interface ListingSubmitter {
  username: string;
  displayName: string | null;
}

export type ListingSource = 'sample' | 'import' | 'curator' | 'ingest' | 'user';

export interface ListedPaper {
  paper: Paper;
  listing: Listing;
}

/** Feed order. `trending` ranks by the stored trending score (domain/trending.ts), then upvotes. */
export type FeedSort = 'upvotes' | 'publishedAt' | 'trending';

export interface FeedQuery {
  /** First day, inclusive; omitted = no lower bound. */
  from?: string;
  /** Last day, inclusive; omitted = no upper bound. */
  to?: string;
  sort: FeedSort;
  offset: number;
  limit: number;
  /** Only listings made by the instance itself (sample, import, ingest, curator), not by a person. */
  systemListingsOnly?: boolean;
  /** Only papers submitted by the person with this username (case-insensitive). */
  submitterUsername?: string;
  /** Only papers in this arXiv category (primary or cross-list), e.g. `cs.LG`. */
  category?: string;
  /** Only papers with an author of exactly this name (ignoring ASCII case). */
  author?: string;
}

export type FeedCountQuery = Pick<
  FeedQuery,
  'from' | 'to' | 'systemListingsOnly' | 'submitterUsername' | 'category' | 'author'
>;

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface PaperStore {
  /** Inserts or merges records (see mergePaperRecords) in one transaction; unchanged papers are not rewritten. */
  upsertPapers(records: PaperRecord[]): Promise<UpsertCounts>;
  /**
   * upsertPapers and addListings in one transaction, so that an interrupted import never leaves papers without the
   * listings it meant to give them. Returns the upsert counts and how many listings were new.
   */
  upsertPapersAndListings(
    records: PaperRecord[],
    listings: Listing[],
  ): Promise<{ counts: UpsertCounts; listed: number }>;
  getPaper(id: string): Promise<Paper | null>;
  /** Several papers with their listings (when listed), by id; unknown ids are left out. */
  getPapersWithListings(ids: string[]): Promise<Map<string, { paper: Paper; listing: Listing | null }>>;
  getListing(paperId: string): Promise<Listing | null>;
  /** Lists papers on the feed; a paper already listed keeps its first listing. Returns how many were new. */
  addListings(listings: Listing[]): Promise<number>;
  listFeed(query: FeedQuery): Promise<ListedPaper[]>;
  countFeed(query: FeedCountQuery): Promise<number>;
  /** The most recent day with a listing, or null on an empty feed. */
  latestListingDay(): Promise<string | null>;
  /** The closest days with listings strictly before `from` and strictly after `to`. */
  nearestListingDays(from: string, to: string): Promise<{ before: string | null; after: string | null }>;
  countPapers(): Promise<number>;
  /**
   * A number that changes whenever papers or listings change, in any process: callers cache what they derived from
   * the data under it (see web/response-cache.ts).
   */
  dataVersion(): Promise<number>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** How many papers this person submitted for this feed day (`YYYY-MM-DD`): the daily quota counts these. */
  countSubmissionsOn(userId: number, listedOn: string): Promise<number>;
  /**
   * A person's submission, in one transaction: the paper's metadata when it was fetched (merged as an import
   * merges), the links they gave, and its listing, with the data version bumped. Nothing is written when the paper
   * is already listed (also by someone submitting it at the same moment: exactly one wins) or when the person's
   * quota for the day is used up (counted again inside the transaction, so parallel requests cannot exceed it).
   */
  submitPaper(submission: PaperSubmission): Promise<SubmissionOutcome>;
}

/** What submitPaper stores. */
export interface PaperSubmission {
  /** Metadata fetched from arXiv, or null when the paper is already in the catalogue. */
  record: PaperRecord | null;
  /** The listing (source 'user', with the submitter's id). */
  listing: Listing;
  /** Links the submitter gave; null leaves the stored one as it is. */
  links: { githubRepo: string | null; projectPage: string | null };
  /** The most submissions the person may have on the listing's day, this one included; null = no limit (admins). */
  dailyQuota: number | null;
}

/** How a submission ended. */
export type SubmissionOutcome =
  | { kind: 'listed' }
  | { kind: 'already-listed'; listing: Listing }
  | { kind: 'quota-exceeded'; submittedToday: number }
  | { kind: 'paper-missing' };

type PaperRow = Selectable<PapersTable>;

export class KyselyPaperStore implements PaperStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async upsertPapers(records: PaperRecord[]): Promise<UpsertCounts> {
    return (await this.upsertPapersAndListings(records, [])).counts;
  }

  async upsertPapersAndListings(
    records: PaperRecord[],
    listings: Listing[],
  ): Promise<{ counts: UpsertCounts; listed: number }> {
    if (records.length === 0 && listings.length === 0) {
      return { counts: { inserted: 0, updated: 0, unchanged: 0 }, listed: 0 };
    }
    return this.db.transaction().execute(async (trx) => {
      const counts = records.length > 0 ? await this.upsertIn(trx, records) : { inserted: 0, updated: 0, unchanged: 0 };
      const listed = listings.length > 0 ? await this.insertListings(trx, listings) : 0;
      if (listed > 0) await bumpDataVersion(trx);
      return { counts, listed };
    });
  }

  private async upsertIn(trx: Transaction<Database>, records: PaperRecord[]): Promise<UpsertCounts> {
    const ids = [...new Set(records.map((r) => r.id))];
    const existingRows = await trx.selectFrom('papers').selectAll().where('id', 'in', ids).execute();
    const stored = new Map(existingRows.map((row) => [row.id, rowToRecord(row)]));
    const merged = new Map<string, PaperRecord>();
    for (const record of records) {
      merged.set(record.id, mergePaperRecords(merged.get(record.id) ?? stored.get(record.id) ?? null, record));
    }
    const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };
    const nowIso = this.now().toISOString();
    const rows: Insertable<PapersTable>[] = [];
    for (const [id, record] of merged) {
      const before = stored.get(id);
      if (before && sameRecord(before, record)) {
        counts.unchanged += 1;
        continue;
      }
      if (before) counts.updated += 1;
      else counts.inserted += 1;
      rows.push(recordToRow(record, nowIso));
    }
    if (rows.length > 0) {
      await trx
        .insertInto('papers')
        .values(rows)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => {
            const updates: Record<string, unknown> = {};
            for (const column of UPDATABLE_COLUMNS) updates[column] = eb.ref(`excluded.${column}`);
            return updates;
          }),
        )
        .execute();
      await bumpDataVersion(trx);
    }
    return counts;
  }

  async getPaper(id: string): Promise<Paper | null> {
    const row = await this.db.selectFrom('papers').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rowToPaper(row) : null;
  }

  async getPapersWithListings(ids: string[]): Promise<Map<string, { paper: Paper; listing: Listing | null }>> {
    const found = new Map<string, { paper: Paper; listing: Listing | null }>();
    if (ids.length === 0) return found;
    const rows = await this.db
      .selectFrom('papers')
      .leftJoin('listings', 'listings.paper_id', 'papers.id')
      .leftJoin('users', 'users.id', 'listings.submitted_by_user_id')
      .selectAll('papers')
      .select([
        'listings.listed_on',
        'listings.submitted_at',
        'listings.source',
        'listings.submitted_by_user_id',
        'listings.comment',
        'users.username as submitter_username',
        'users.display_name as submitter_display_name',
      ])
      .where('papers.id', 'in', [...new Set(ids)])
      .execute();
    for (const row of rows) {
      const listing =
        row.listed_on && row.submitted_at && row.source
          ? {
              ...rowToListing({
                paper_id: row.id,
                listed_on: row.listed_on,
                submitted_at: row.submitted_at,
                source: row.source,
                submitted_by_user_id: row.submitted_by_user_id,
                comment: row.comment,
              }),
              submitter: row.submitter_username
                ? { username: row.submitter_username, displayName: row.submitter_display_name }
                : null,
            }
          : null;
      found.set(row.id, { paper: rowToPaper(row), listing });
    }
    return found;
  }

  async getListing(paperId: string): Promise<Listing | null> {
    const row = await this.db
      .selectFrom('listings')
      .leftJoin('users', 'users.id', 'listings.submitted_by_user_id')
      .selectAll('listings')
      .select(['users.username as submitter_username', 'users.display_name as submitter_display_name'])
      .where('listings.paper_id', '=', paperId)
      .executeTakeFirst();
    if (!row) return null;
    return {
      ...rowToListing(row),
      submitter: row.submitter_username
        ? { username: row.submitter_username, displayName: row.submitter_display_name }
        : null,
    };
  }

  async addListings(listings: Listing[]): Promise<number> {
    if (listings.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      const added = await this.insertListings(trx, listings);
      if (added > 0) await bumpDataVersion(trx);
      return added;
    });
  }

  private async insertListings(trx: Transaction<Database>, listings: Listing[]): Promise<number> {
    const result = await trx
      .insertInto('listings')
      .values(
        listings.map((l) => ({
          paper_id: l.paperId,
          listed_on: l.listedOn,
          submitted_at: l.submittedAt,
          source: l.source,
          submitted_by_user_id: l.submittedByUserId,
          comment: l.comment,
        })),
      )
      .onConflict((oc) => oc.column('paper_id').doNothing())
      .executeTakeFirst();
    const added = Number(result.numInsertedOrUpdatedRows ?? 0);
    // A listing counts in the paper's trending score (domain/trending.ts), so new ones give their papers a score.
    if (added > 0)
      await refreshTrendingScores(
        trx,
        listings.map((l) => l.paperId),
      );
    return added;
  }

  async listFeed(query: FeedQuery): Promise<ListedPaper[]> {
    let q = this.feedRows(query)
      .selectAll('papers')
      .select([
        'listings.listed_on',
        'listings.submitted_at',
        'listings.source',
        'listings.submitted_by_user_id',
        'listings.comment',
        'users.username as submitter_username',
        'users.display_name as submitter_display_name',
      ]);
    if (query.sort === 'publishedAt') {
      q = q.orderBy('listings.listed_on', 'desc').orderBy('listings.submitted_at', 'desc');
    } else if (query.sort === 'trending') {
      q = q.orderBy('papers.trending_score', 'desc').orderBy('papers.upvotes', 'desc');
    } else {
      q = q.orderBy('papers.upvotes', 'desc').orderBy('listings.submitted_at', 'desc');
    }
    const rows = await q.orderBy('papers.id', 'asc').offset(query.offset).limit(query.limit).execute();
    return rows.map((row) => ({
      paper: rowToPaper(row),
      listing: {
        ...rowToListing({ ...row, paper_id: row.id }),
        submitter: row.submitter_username
          ? { username: row.submitter_username, displayName: row.submitter_display_name }
          : null,
      },
    }));
  }

  async countFeed(query: FeedCountQuery): Promise<number> {
    const row = await this.feedRows(query)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Listings of visible papers in a period, with their submitters, filtered as asked. */
  private feedRows(query: FeedCountQuery) {
    let q = this.db
      .selectFrom('listings')
      .innerJoin('papers', 'papers.id', 'listings.paper_id')
      .leftJoin('users', 'users.id', 'listings.submitted_by_user_id')
      .where('papers.hidden_at', 'is', null);
    if (query.from) q = q.where('listings.listed_on', '>=', query.from);
    if (query.to) q = q.where('listings.listed_on', '<=', query.to);
    if (query.systemListingsOnly) q = q.where('listings.submitted_by_user_id', 'is', null);
    if (query.submitterUsername) q = q.where('users.username_key', '=', usernameKey(query.submitterUsername));
    // Categories are stored space-separated and authors as a JSON array: match a whole element, never a part.
    if (query.category) {
      q = q.where(
        sql<boolean>`(' ' || papers.categories || ' ') like ${`% ${escapeLike(query.category)} %`} escape '\\'`,
      );
    }
    if (query.author) {
      const needle = `%${escapeLike(JSON.stringify(query.author).toLowerCase())}%`;
      q = q.where(sql<boolean>`lower(papers.authors) like ${needle} escape '\\'`);
    }
    return q;
  }

  async latestListingDay(): Promise<string | null> {
    const row = await this.db
      .selectFrom('listings')
      .select((eb) => eb.fn.max('listed_on').as('day'))
      .executeTakeFirst();
    return row?.day ?? null;
  }

  async nearestListingDays(from: string, to: string): Promise<{ before: string | null; after: string | null }> {
    const [before, after] = await Promise.all([
      this.db
        .selectFrom('listings')
        .select((eb) => eb.fn.max('listed_on').as('day'))
        .where('listed_on', '<', from)
        .executeTakeFirst(),
      this.db
        .selectFrom('listings')
        .select((eb) => eb.fn.min('listed_on').as('day'))
        .where('listed_on', '>', to)
        .executeTakeFirst(),
    ]);
    return { before: before?.day ?? null, after: after?.day ?? null };
  }

  async countPapers(): Promise<number> {
    const row = await this.db
      .selectFrom('papers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async dataVersion(): Promise<number> {
    const row = await this.db.selectFrom('data_version').select('version').where('id', '=', 1).executeTakeFirst();
    return Number(row?.version ?? 0);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async countSubmissionsOn(userId: number, listedOn: string): Promise<number> {
    return countSubmissionsIn(this.db, userId, listedOn);
  }

  async submitPaper(submission: PaperSubmission): Promise<SubmissionOutcome> {
    const { record, listing, links, dailyQuota } = submission;
    const userId = listing.submittedByUserId;
    try {
      return await this.db.transaction().execute(async (trx) => {
        if (dailyQuota !== null && userId !== null) {
          // One person's submissions one at a time: a row lock on PostgreSQL (SQLite runs one writer at a time).
          if (trx.getExecutor().adapter instanceof PostgresAdapter) {
            await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
          }
          const submittedToday = await countSubmissionsIn(trx, userId, listing.listedOn);
          if (submittedToday >= dailyQuota) throw new SubmissionRefused({ kind: 'quota-exceeded', submittedToday });
        }
        if (record) {
          await this.upsertIn(trx, [record]);
        } else {
          const exists = await trx
            .selectFrom('papers')
            .select('id')
            .where('id', '=', listing.paperId)
            .executeTakeFirst();
          if (!exists) throw new SubmissionRefused({ kind: 'paper-missing' });
        }
        const linkUpdates = {
          ...(links.githubRepo !== null ? { github_repo: links.githubRepo } : {}),
          ...(links.projectPage !== null ? { project_page: links.projectPage } : {}),
        };
        if (Object.keys(linkUpdates).length > 0) {
          await trx
            .updateTable('papers')
            .set({ ...linkUpdates, updated_at: this.now().toISOString() })
            .where('id', '=', listing.paperId)
            .execute();
        }
        // The listing's primary key decides between simultaneous submitters: the second insert finds the first.
        if ((await this.insertListings(trx, [listing])) === 0) {
          throw new SubmissionRefused({ kind: 'already-listed', listing });
        }
        await bumpDataVersion(trx);
        return { kind: 'listed' as const };
      });
    } catch (error) {
      if (!(error instanceof SubmissionRefused)) throw error;
      if (error.outcome.kind !== 'already-listed') return error.outcome;
      // Read the winner's listing now that its transaction has committed.
      const winner = await this.getListing(listing.paperId);
      return { kind: 'already-listed', listing: winner ?? listing };
    }
  }
}

/** Thrown inside submitPaper's transaction to roll it back with an outcome. */
class SubmissionRefused extends Error {
  constructor(readonly outcome: Exclude<SubmissionOutcome, { kind: 'listed' }>) {
    super(outcome.kind);
  }
}

async function countSubmissionsIn(db: Kysely<Database>, userId: number, listedOn: string): Promise<number> {
  const row = await db
    .selectFrom('listings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('submitted_by_user_id', '=', userId)
    .where('listed_on', '=', listedOn)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Escapes LIKE's wildcards (and the escape character itself) so that a value matches only literally. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** Marks every cached answer stale (see PaperStore.dataVersion); call inside the transaction that writes. */
export async function bumpDataVersion(trx: Transaction<Database>): Promise<void> {
  await trx
    .updateTable('data_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .execute();
}

/** Columns a re-import may change; counters and the first-seen time belong to the instance. */
const UPDATABLE_COLUMNS = [
  'title',
  'abstract',
  'authors',
  'categories',
  'primary_category',
  'versions',
  'latest_version',
  'first_version_at',
  'latest_version_at',
  'comments',
  'journal_ref',
  'doi',
  'report_no',
  'license',
  'submitter',
  'github_repo',
  'project_page',
  'updated_at',
] as const;

/** The row for a record, as written by upsertPapers. */
export function recordToRow(record: PaperRecord, nowIso: string): Insertable<PapersTable> {
  const { firstVersionAt, latestVersionAt } = versionBounds(record);
  return {
    id: record.id,
    title: record.title,
    abstract: record.abstract,
    authors: JSON.stringify(record.authors),
    categories: record.categories.join(' '),
    primary_category: record.categories[0] ?? null,
    versions: JSON.stringify(record.versions),
    latest_version: latestVersionNumber(record),
    first_version_at: firstVersionAt,
    latest_version_at: latestVersionAt,
    comments: record.comments,
    journal_ref: record.journalRef,
    doi: record.doi,
    report_no: record.reportNo,
    license: record.license,
    submitter: record.submitter,
    github_repo: record.githubRepo,
    project_page: record.projectPage,
    created_at: nowIso,
    updated_at: nowIso,
  };
}

function rowToRecord(row: PaperRow): PaperRecord {
  return {
    id: row.id,
    title: row.title,
    abstract: row.abstract,
    authors: JSON.parse(row.authors) as string[],
    categories: row.categories === '' ? [] : row.categories.split(' '),
    versions: JSON.parse(row.versions) as PaperVersion[],
    comments: row.comments,
    journalRef: row.journal_ref,
    doi: row.doi,
    reportNo: row.report_no,
    license: row.license,
    submitter: row.submitter,
    githubRepo: row.github_repo,
    projectPage: row.project_page,
  };
}

function rowToPaper(row: PaperRow): Paper {
  return {
    ...rowToRecord(row),
    firstVersionAt: row.first_version_at,
    latestVersionAt: row.latest_version_at,
    upvotes: Number(row.upvotes),
    numComments: Number(row.num_comments),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    hiddenAt: row.hidden_at,
  };
}

function rowToListing(row: {
  paper_id: string;
  listed_on: string;
  submitted_at: string;
  source: string;
  submitted_by_user_id: number | null;
  comment: string | null;
}): Listing {
  return {
    paperId: row.paper_id,
    listedOn: row.listed_on,
    submittedAt: row.submitted_at,
    source: row.source as ListingSource,
    submittedByUserId: row.submitted_by_user_id,
    comment: row.comment,
  };
}
