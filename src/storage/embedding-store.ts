/**
 * Paper vectors for semantic search (table `paper_embeddings`, migration 009), behind one interface with one Kysely
 * implementation for SQLite and PostgreSQL. Vectors are stored as Float32 little-endian bytes (a BLOB, a bytea), so
 * neither database needs an extension; searching them is the in-memory index's job (search/vector-index.ts), which
 * loads them in pages and then only what changed since the marker it last saw.
 *
 * Which papers need a vector: those with none, with another embedder's, or whose title or abstract changed since
 * (a paper updated after its vector was made is re-read, and embedded again only when the hash of its text differs).
 */
import { createHash } from 'node:crypto';
import { type Kysely, PostgresAdapter, sql, type Transaction } from 'kysely';
import { paperEmbeddingText } from '../search/embedder.ts';
import { bumpDataVersion } from './paper-store.ts';
import type { Database } from './schema.ts';

/** A paper whose vector is missing or stale, with the text to embed. */
export interface PaperToEmbed {
  id: string;
  /** What the embedder is given (search/embedder.ts paperEmbeddingText). */
  text: string;
  /** The hash of `text`, stored with the vector. */
  textHash: string;
  /** The paper's updated_at when this text was read. */
  paperUpdatedAt: string;
}

/** A vector to store. */
export interface NewPaperVector {
  paperId: string;
  textHash: string;
  paperUpdatedAt: string;
  vector: Float32Array;
}

/** A stored vector with its change marker. */
export interface StoredVector {
  paperId: string;
  vector: Float32Array;
  changeSeq: number;
}

/** Where a page of changes ended: the next page starts after it. */
export interface ChangeCursor {
  changeSeq: number;
  paperId: string;
}

/** The start of everything: marker 0 is below every stored change. */
export const CHANGE_CURSOR_START: ChangeCursor = { changeSeq: 0, paperId: '' };

export interface EmbeddingCounts {
  /** Papers in the catalogue (hidden ones included: they are embedded too, in case they are shown again). */
  papers: number;
  /** Vectors made by this embedder. */
  vectors: number;
  /** Papers without a current vector of this embedder (an upper bound: an unchanged text is not re-embedded). */
  needing: number;
}

export interface EmbeddingStore {
  /**
   * Up to `limit` papers, in id order after `afterId`, that need a vector of this embedder (see the module
   * comment); with `all`, every paper (a full re-embedding). Papers whose text is unchanged although they were
   * updated are marked current here and not returned.
   */
  papersNeedingVectors(
    embedderId: string,
    options: { limit: number; afterId?: string; all?: boolean },
  ): Promise<PaperToEmbed[]>;
  /** Stores vectors (replacing any older one of each paper) in one transaction; returns the batch's change marker. */
  upsertVectors(embedderId: string, dimensions: number, vectors: readonly NewPaperVector[]): Promise<number>;
  /**
   * Vectors of this embedder changed after `cursor` (marker, then paper id), in that order, up to `limit`. From
   * CHANGE_CURSOR_START it pages through all of them.
   */
  vectorsChangedSince(embedderId: string, cursor: ChangeCursor, limit: number): Promise<StoredVector[]>;
  /** The newest change marker of this embedder's vectors (0 when none) and how many there are. */
  vectorState(embedderId: string): Promise<{ marker: number; count: number }>;
  /** The stored vector of one paper, when it has one of this embedder. */
  vectorOf(embedderId: string, paperId: string): Promise<Float32Array | null>;
  counts(embedderId: string): Promise<EmbeddingCounts>;
}

/** Papers read per candidate query when skipping unchanged texts, in rows. */
const CANDIDATE_OVERFETCH = 2;
/** Characters of the hex SHA-256 kept: 64 bits tell edits apart. */
const TEXT_HASH_LENGTH = 16;
/** PostgreSQL advisory lock key serialising vector writers (so that change markers are in commit order). */
const WRITER_LOCK_KEY = 90_090_009;
/** Whether this machine stores floats little-endian (every platform Node supports in practice). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The stored hash of a paper's embedded text. */
export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, TEXT_HASH_LENGTH);
}

/** A vector as stored: Float32 little-endian bytes. */
export function encodeVector(vector: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i]!, true);
  return bytes;
}

/**
 * Reads stored bytes into `target` at `offset` (in floats); copies, because a driver's buffer may be unaligned.
 * Throws when the length is not `dimensions` floats (a corrupt row is never half-read).
 */
export function decodeVectorInto(bytes: Uint8Array, dimensions: number, target: Float32Array, offset: number): void {
  if (bytes.byteLength !== dimensions * 4) {
    throw new Error(`a stored vector has ${bytes.byteLength} bytes, expected ${dimensions * 4}`);
  }
  if (LITTLE_ENDIAN) {
    new Uint8Array(target.buffer, target.byteOffset + offset * 4, dimensions * 4).set(bytes);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < dimensions; i++) target[offset + i] = view.getFloat32(i * 4, true);
}

export function decodeVector(bytes: Uint8Array, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  decodeVectorInto(bytes, dimensions, vector, 0);
  return vector;
}

export class KyselyEmbeddingStore implements EmbeddingStore {
  private readonly postgres: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async papersNeedingVectors(
    embedderId: string,
    options: { limit: number; afterId?: string; all?: boolean },
  ): Promise<PaperToEmbed[]> {
    const wanted: PaperToEmbed[] = [];
    let afterId = options.afterId ?? '';
    // Candidates whose text turned out unchanged are marked current and skipped: keep reading until the page fills.
    for (;;) {
      const fetch = options.limit * CANDIDATE_OVERFETCH;
      const rows = await this.db
        .selectFrom('papers')
        .leftJoin('paper_embeddings as e', 'e.paper_id', 'papers.id')
        .select([
          'papers.id',
          'papers.title',
          'papers.abstract',
          'papers.updated_at',
          'e.embedder_id',
          'e.text_hash',
          'e.paper_updated_at',
        ])
        .where('papers.id', '>', afterId)
        .$if(!options.all, (qb) =>
          qb.where((eb) =>
            eb.or([
              eb('e.paper_id', 'is', null),
              eb('e.embedder_id', '<>', embedderId),
              eb('papers.updated_at', '>', eb.ref('e.paper_updated_at')),
            ]),
          ),
        )
        .orderBy('papers.id')
        .limit(fetch)
        .execute();
      const unchanged: { id: string; updatedAt: string }[] = [];
      for (const row of rows) {
        const text = paperEmbeddingText(row);
        const hash = textHash(text);
        if (!options.all && row.embedder_id === embedderId && row.text_hash === hash) {
          unchanged.push({ id: row.id, updatedAt: row.updated_at });
          continue;
        }
        wanted.push({ id: row.id, text, textHash: hash, paperUpdatedAt: row.updated_at });
        if (wanted.length >= options.limit) break;
      }
      await this.markCurrent(unchanged);
      if (wanted.length >= options.limit || rows.length < fetch) return wanted;
      afterId = rows[rows.length - 1]!.id;
    }
  }

  /** The vector still matches the text: remember the newer updated_at so the paper is not read again. */
  private async markCurrent(papers: { id: string; updatedAt: string }[]): Promise<void> {
    if (papers.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const paper of papers) {
        await trx
          .updateTable('paper_embeddings')
          .set({ paper_updated_at: paper.updatedAt })
          .where('paper_id', '=', paper.id)
          .execute();
      }
    });
  }

  async upsertVectors(embedderId: string, dimensions: number, vectors: readonly NewPaperVector[]): Promise<number> {
    for (const { paperId, vector } of vectors) {
      if (vector.length !== dimensions) {
        throw new Error(`the vector of ${paperId} has ${vector.length} dimensions, expected ${dimensions}`);
      }
    }
    return this.db.transaction().execute(async (trx) => {
      const marker = await this.nextMarker(trx);
      if (vectors.length === 0) return marker - 1;
      // A paper deleted since it was read would fail the foreign key: store only papers that still exist.
      const ids = vectors.map((v) => v.paperId);
      const existing = new Set(
        (await trx.selectFrom('papers').select('id').where('id', 'in', ids).execute()).map((row) => row.id),
      );
      const rows = vectors
        .filter((v) => existing.has(v.paperId))
        .map((v) => ({
          paper_id: v.paperId,
          embedder_id: embedderId,
          dimensions,
          vector: encodeVector(v.vector),
          text_hash: v.textHash,
          change_seq: marker,
          paper_updated_at: v.paperUpdatedAt,
        }));
      if (rows.length > 0) {
        await trx
          .insertInto('paper_embeddings')
          .values(rows)
          .onConflict((oc) =>
            oc.column('paper_id').doUpdateSet((eb) => ({
              embedder_id: eb.ref('excluded.embedder_id'),
              dimensions: eb.ref('excluded.dimensions'),
              vector: eb.ref('excluded.vector'),
              text_hash: eb.ref('excluded.text_hash'),
              change_seq: eb.ref('excluded.change_seq'),
              paper_updated_at: eb.ref('excluded.paper_updated_at'),
            })),
          )
          .execute();
      }
      return marker;
    });
  }

  /**
   * The marker for this write. Writers are serialised first (SQLite: the data version update takes the write lock;
   * PostgreSQL: an advisory transaction lock, plus the same update), so a marker is only ever seen after every
   * smaller one has committed: a reader that has marker N has all changes up to N.
   */
  private async nextMarker(trx: Transaction<Database>): Promise<number> {
    if (this.postgres) await sql`select pg_advisory_xact_lock(${WRITER_LOCK_KEY})`.execute(trx);
    // Vectors change what search and similar papers answer: cached answers go stale with them.
    await bumpDataVersion(trx);
    const row = await trx
      .selectFrom('paper_embeddings')
      .select((eb) => eb.fn.max<number | null>('change_seq').as('marker'))
      .executeTakeFirst();
    return Number(row?.marker ?? 0) + 1;
  }

  async vectorsChangedSince(embedderId: string, cursor: ChangeCursor, limit: number): Promise<StoredVector[]> {
    const rows = await this.db
      .selectFrom('paper_embeddings')
      .select(['paper_id', 'dimensions', 'vector', 'change_seq'])
      .where('embedder_id', '=', embedderId)
      .where((eb) =>
        eb.or([
          eb('change_seq', '>', cursor.changeSeq),
          eb.and([eb('change_seq', '=', cursor.changeSeq), eb('paper_id', '>', cursor.paperId)]),
        ]),
      )
      .orderBy('change_seq')
      .orderBy('paper_id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      paperId: row.paper_id,
      vector: decodeVector(row.vector, row.dimensions),
      changeSeq: Number(row.change_seq),
    }));
  }

  async vectorState(embedderId: string): Promise<{ marker: number; count: number }> {
    const row = await this.db
      .selectFrom('paper_embeddings')
      .select((eb) => [eb.fn.max<number | null>('change_seq').as('marker'), eb.fn.countAll<number>().as('count')])
      .where('embedder_id', '=', embedderId)
      .executeTakeFirst();
    return { marker: Number(row?.marker ?? 0), count: Number(row?.count ?? 0) };
  }

  async vectorOf(embedderId: string, paperId: string): Promise<Float32Array | null> {
    const row = await this.db
      .selectFrom('paper_embeddings')
      .select(['dimensions', 'vector'])
      .where('paper_id', '=', paperId)
      .where('embedder_id', '=', embedderId)
      .executeTakeFirst();
    return row ? decodeVector(row.vector, row.dimensions) : null;
  }

  async counts(embedderId: string): Promise<EmbeddingCounts> {
    const row = await this.db
      .selectFrom('papers')
      .leftJoin('paper_embeddings as e', 'e.paper_id', 'papers.id')
      .select((eb) => [
        eb.fn.countAll<number>().as('papers'),
        eb.fn.sum<number>(sql`case when e.embedder_id = ${embedderId} then 1 else 0 end`).as('vectors'),
        eb.fn
          .sum<number>(
            sql`case when e.paper_id is null or e.embedder_id <> ${embedderId} or papers.updated_at > e.paper_updated_at then 1 else 0 end`,
          )
          .as('needing'),
      ])
      .executeTakeFirst();
    return { papers: Number(row?.papers ?? 0), vectors: Number(row?.vectors ?? 0), needing: Number(row?.needing ?? 0) };
  }
}
