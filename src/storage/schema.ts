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
  /** Always equals the number of rows in `upvotes` for the paper (kept in the same transaction). */
  upvotes: Generated<number>;
  /** Visible comments (neither deleted nor hidden), kept in the same transaction as the comment's change. */
  num_comments: Generated<number>;
  created_at: string;
  updated_at: string;
  /** Set when an admin hid the paper: it leaves feeds, search and its page answers 404-like "hidden". */
  hidden_at: Generated<string | null>;
  /** The stored trending score (domain/trending.ts), refreshed on each vote and by the periodic recomputation. */
  trending_score: Generated<number>;
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

export interface UsersTable {
  id: Generated<number>;
  /** Lower-cased; unique. */
  email: string;
  /** Unique, case-insensitively (stored as typed, compared lower-cased through `username_key`). */
  username: string;
  username_key: string;
  display_name: string | null;
  /** 1 for admins, 0 otherwise (an integer on both databases). */
  is_admin: Generated<number>;
  banned_at: string | null;
  created_at: string;
}

/** A signed-in browser. The cookie holds a random token; only its SHA-256 is stored. */
export interface SessionsTable {
  token_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  user_agent: string | null;
}

/** An emailed sign-in link: single use, short-lived, stored hashed. */
export interface MagicLinksTable {
  token_hash: string;
  email: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  /** Where to go after signing in (a path on this site). */
  return_to: string | null;
}

/** A person's account at an OpenID Connect provider. */
export interface OidcIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: number;
  created_at: string;
}

/** A personal API token for `Authorization: Bearer`; shown once, stored hashed. */
export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  /** The first characters of the token, to tell tokens apart in settings. */
  token_prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** One per person per paper. */
export interface UpvotesTable {
  user_id: number;
  paper_id: string;
  created_at: string;
}

export interface CommentsTable {
  id: Generated<number>;
  paper_id: string;
  user_id: number;
  /** The comment replied to, or null for a top-level comment. */
  parent_id: number | null;
  /** Markdown as written. */
  body: string;
  created_at: string;
  edited_at: string | null;
  /** Soft delete by the author: the thread keeps its shape, the text is gone from every answer. */
  deleted_at: string | null;
  /** Hidden by an admin. */
  hidden_at: string | null;
}

/** What admins did, for other admins to see. */
export interface AuditLogTable {
  id: Generated<number>;
  actor_user_id: number;
  /** e.g. 'paper.feature', 'paper.hide', 'comment.hide', 'user.ban'. */
  action: string;
  target_type: string;
  target_id: string;
  /** JSON with the action's details (the date featured on, the reason). */
  detail: string | null;
  created_at: string;
}

/** Values the instance creates once and shares between its processes (e.g. the key that signs CSRF tokens). */
export interface InstanceSecretsTable {
  name: string;
  value: string;
}

/** One run of an ingest source (see storage/ingest-store.ts). */
export interface IngestRunsTable {
  id: Generated<number>;
  /** 'daily' (the announcement feed), 'oai' (an OAI-PMH harvest) or 'snapshot' (a metadata snapshot import). */
  source: string;
  started_at: string;
  finished_at: string | null;
  /** 'running', 'ok', 'partial' (finished, some records skipped), 'failed' or 'interrupted'. */
  status: string;
  /** JSON: what was asked (categories, from/until/set, file). */
  params: string | null;
  /** JSON: fetched, inserted, updated, unchanged, listed, skipped, ... */
  counts: string | null;
  /** JSON array of sentences: what went wrong or was skipped, capped. */
  errors: string | null;
}

/** Named resumable state: an OAI-PMH resumption token, a snapshot file's committed position. */
export interface IngestStateTable {
  key: string;
  /** JSON. */
  value: string;
  updated_at: string;
}

export interface Database {
  papers: PapersTable;
  listings: ListingsTable;
  data_version: DataVersionTable;
  users: UsersTable;
  sessions: SessionsTable;
  magic_links: MagicLinksTable;
  oidc_identities: OidcIdentitiesTable;
  api_tokens: ApiTokensTable;
  upvotes: UpvotesTable;
  comments: CommentsTable;
  audit_log: AuditLogTable;
  instance_secrets: InstanceSecretsTable;
  ingest_runs: IngestRunsTable;
  ingest_state: IngestStateTable;
  subscriptions: SubscriptionsTable;
  digest_deliveries: DigestDeliveriesTable;
  paper_embeddings: PaperEmbeddingsTable;
}

/**
 * An email subscription to the digest: double opt-in (pending until its emailed link is used), one pending or
 * active row per address and cadence, the confirmation secret stored hashed.
 */
export interface SubscriptionsTable {
  id: Generated<number>;
  /** Normalised (trimmed, lower-cased). */
  email: string;
  cadence: 'daily' | 'weekly';
  /** 0 (Sunday) to 6 for weekly digests; null for daily. */
  weekly_day: number | null;
  /** JSON {categories, authors, keywords}. */
  topics: string;
  status: 'pending' | 'active' | 'unsubscribed';
  /** The account that subscribed, when signed in with this address; null for anonymous subscriptions. */
  user_id: number | null;
  confirmation_token_hash: string | null;
  confirmation_expires_at: string | null;
  confirmation_used_at: string | null;
  /** JSON {weeklyDay, topics} asked for by a re-subscription of an active row, applied when it is confirmed. */
  requested_changes: string | null;
  /** Confirmation mails sent to this row in the hour starting at mails_window_started_at. */
  mails_window_started_at: string | null;
  mails_in_window: Generated<number>;
  created_at: string;
  updated_at: string;
  confirmed_at: string | null;
  unsubscribed_at: string | null;
  /** Permanent delivery failures in a row (the digest sender pauses the address after several). */
  consecutive_failures: Generated<number>;
  paused_at: string | null;
}

/**
 * One subscription's digest for one period (`daily:YYYY-MM-DD`, `weekly:YYYY-Www`): unique per (subscription_id,
 * period_key), so each period's digest is recorded, and sent, at most once per subscription.
 */
export interface DigestDeliveriesTable {
  id: Generated<number>;
  subscription_id: number;
  period_key: string;
  cadence: 'daily' | 'weekly';
  status: 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';
  /** Temporary failures so far. */
  attempts: Generated<number>;
  /** A queued retry waits until then; null = due now. */
  next_attempt_at: string | null;
  /** The sender run that claimed it (`host:pid:random`) while `sending`. */
  claimed_by: string | null;
  last_error: string | null;
  /** The Message-ID the mail carried (deterministic per period and subscription). */
  message_id: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

/** A paper's vector for semantic search (migration 009; storage/embedding-store.ts). */
export interface PaperEmbeddingsTable {
  paper_id: string;
  /** The Embedder.id that made the vector: vectors of different embedders are never compared. */
  embedder_id: string;
  dimensions: number;
  /** Float32 little-endian, `dimensions` of them. */
  vector: Uint8Array;
  /** SHA-256 (hex, shortened) of the embedded text: a changed title or abstract is embedded again. */
  text_hash: string;
  /** Grows with every write; the in-memory index loads rows above the marker it last saw. */
  change_seq: number;
  /** The paper's `updated_at` when its text was read: a paper updated since is checked again. */
  paper_updated_at: string;
}
