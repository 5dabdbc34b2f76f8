/**
 * Table types for Kysely. Timestamps are ISO 8601 UTC text (`2024-10-22T17:59:30.000Z`) and days `YYYY-MM-DD` text
 * on both SQLite and PostgreSQL, so that one query layer reads the same values on both, and text order is time order.
 */
import type { Generated } from 'kysely';

export interface PapersTable {
  id: string;
  title: string;
  abstract: string;
  /** JSON array of author names, in order. */
  authors: string;
  /** Space-separated arXiv categories, primary first (as arXiv writes them); '' when unknown. */
  categories: string;
  primary_category: string | null;
  /** JSON array of `{version, created}`. */
  versions: string;
  latest_version: number;
  first_version_at: string | null;
  latest_version_at: string | null;
  comments: string | null;
  journal_ref: string | null;
  doi: string | null;
  report_no: string | null;
  license: string | null;
  submitter: string | null;
  github_repo: string | null;
  project_page: string | null;
  upvotes: Generated<number>;
  num_comments: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface ListingsTable {
  /** A paper is listed on the daily feed at most once. */
  paper_id: string;
  /** The feed day, in the instance's time zone. */
  listed_on: string;
  submitted_at: string;
  /** Who listed it: 'sample', 'import', 'curator', 'ingest' or a user's submission ('user'). */
  source: string;
  submitted_by_user_id: number | null;
  comment: string | null;
}

/** A single row (id 1) whose version every write of papers or listings increments. */
export interface DataVersionTable {
  id: number;
  version: number;
}

export interface Database {
  papers: PapersTable;
  listings: ListingsTable;
  data_version: DataVersionTable;
}
