/**
 * Exact nearest-neighbour search over paper vectors, in memory: one contiguous Float32Array of n x d (row `slot` is
 * one paper), the paper ids by slot and a map from id to slot. A query is a dot product with every row (vectors
 * are unit length, so that is the cosine) and a bounded heap keeping the best k: exact, and at 100,000 papers a
 * few milliseconds per 100 dimensions (bench/search.ts measures it). A candidate filter restricts the scan to the
 * rows of some ids (a filtered query scans only what its filters allow).
 *
 * Because the index lives in each web process and is filled from the database (storage/embedding-store.ts), it
 * works the same on SQLite and PostgreSQL with no vector extension. LiveVectorIndex keeps it current: it loads
 * every vector once, then only the rows changed since the last marker it saw, at most every refresh interval, and
 * reloads everything when rows disappeared (a deleted paper).
 */
import type { EmbeddingStore } from '../storage/embedding-store.ts';
import { CHANGE_CURSOR_START, type ChangeCursor } from '../storage/embedding-store.ts';
import type { SearchHit } from './lexical-search.ts';

/** Rows allocated at first, and the growth factor when full. */
const INITIAL_CAPACITY_ROWS = 1024;
const GROWTH_FACTOR = 1.5;

/** An exact in-memory vector index (see the module comment). */
export class VectorIndex {
  private matrix: Float32Array;
  private ids: string[] = [];
  private readonly slots = new Map<string, number>();

  constructor(
    readonly dimensions: number,
    capacityRows = INITIAL_CAPACITY_ROWS,
  ) {
    if (!Number.isInteger(dimensions) || dimensions <= 0) throw new Error(`bad vector dimensions: ${dimensions}`);
    this.matrix = new Float32Array(Math.max(1, capacityRows) * dimensions);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** Adds or replaces a paper's vector (copied). */
  upsert(id: string, vector: Float32Array): void {
    if (vector.length !== this.dimensions) {
      throw new Error(`vector of ${id} has ${vector.length} dimensions, the index ${this.dimensions}`);
    }
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      this.ensureCapacity(slot + 1);
      this.ids.push(id);
      this.slots.set(id, slot);
    }
    this.matrix.set(vector, slot * this.dimensions);
  }

  /** Removes a paper (the last row moves into its slot, keeping the rows contiguous). */
  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const last = this.ids.length - 1;
    if (slot !== last) {
      const d = this.dimensions;
      this.matrix.copyWithin(slot * d, last * d, (last + 1) * d);
      const moved = this.ids[last]!;
      this.ids[slot] = moved;
      this.slots.set(moved, slot);
    }
    this.ids.pop();
    this.slots.delete(id);
    return true;
  }

  /** A copy of a paper's vector, or null. */
  vectorOf(id: string): Float32Array | null {
    const slot = this.slots.get(id);
    if (slot === undefined) return null;
    return this.matrix.slice(slot * this.dimensions, (slot + 1) * this.dimensions);
  }

  /**
   * The `k` rows most similar to `query` (dot product), best first, ties by id; only `candidates` when given (ids
   * not in the index are ignored). Rows scoring exactly 0 against a non-zero query are kept; a zero query matches
   * nothing.
   */
  search(query: Float32Array, k: number, candidates?: Iterable<string>): SearchHit[] {
    if (query.length !== this.dimensions) {
      throw new Error(`query has ${query.length} dimensions, the index ${this.dimensions}`);
    }
    if (k <= 0 || this.ids.length === 0 || isZero(query)) return [];
    const heap = new TopK(k);
    if (candidates === undefined) {
      // The hot loop: dot products row by row, and the heap touched only by a row that beats its current minimum.
      const d = this.dimensions;
      const m = this.matrix;
      const rows = this.ids.length;
      // Four partial sums: about a quarter faster than one in V8 (measured at 100,000 x 100, bench/search.ts).
      const d4 = d - (d % 4);
      for (let slot = 0, base = 0; slot < rows; slot++, base += d) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let i = 0;
        for (; i < d4; i += 4) {
          s0 += m[base + i]! * query[i]!;
          s1 += m[base + i + 1]! * query[i + 1]!;
          s2 += m[base + i + 2]! * query[i + 2]!;
          s3 += m[base + i + 3]! * query[i + 3]!;
        }
        for (; i < d; i++) s0 += m[base + i]! * query[i]!;
        const sum = s0 + s1 + s2 + s3;
        if (sum > heap.threshold) heap.offer(slot, sum);
      }
    } else {
      for (const id of candidates) {
        const slot = this.slots.get(id);
        if (slot !== undefined) heap.offer(slot, this.dot(slot, query));
      }
    }
    return heap
      .drain()
      .map(({ slot, score }) => ({ id: this.ids[slot]!, score }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private dot(slot: number, query: Float32Array): number {
    const d = this.dimensions;
    const m = this.matrix;
    const base = slot * d;
    let sum = 0;
    for (let i = 0; i < d; i++) sum += m[base + i]! * query[i]!;
    return sum;
  }

  private ensureCapacity(rows: number): void {
    if (rows * this.dimensions <= this.matrix.length) return;
    const capacity = Math.max(rows, Math.ceil((this.matrix.length / this.dimensions) * GROWTH_FACTOR));
    const grown = new Float32Array(capacity * this.dimensions);
    grown.set(this.matrix.subarray(0, this.ids.length * this.dimensions));
    this.matrix = grown;
  }
}

function isZero(vector: Float32Array): boolean {
  for (let i = 0; i < vector.length; i++) if (vector[i] !== 0) return false;
  return true;
}

/** A bounded min-heap of (slot, score): keeps the k highest scores seen, in O(log k) per offer. */
class TopK {
  private readonly slots: Int32Array;
  private readonly scores: Float64Array;
  private count = 0;

  constructor(private readonly k: number) {
    this.slots = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  /** A score must exceed this to enter: -Infinity until the heap is full, then its smallest score. */
  get threshold(): number {
    return this.count < this.k ? Number.NEGATIVE_INFINITY : this.scores[0]!;
  }

  offer(slot: number, score: number): void {
    if (this.count < this.k) {
      let i = this.count++;
      // Sift up.
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.scores[parent]! <= score) break;
        this.slots[i] = this.slots[parent]!;
        this.scores[i] = this.scores[parent]!;
        i = parent;
      }
      this.slots[i] = slot;
      this.scores[i] = score;
      return;
    }
    if (score <= this.scores[0]!) return;
    // Replace the smallest and sift down.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.count) break;
      const right = left + 1;
      const child = right < this.count && this.scores[right]! < this.scores[left]! ? right : left;
      if (this.scores[child]! >= score) break;
      this.slots[i] = this.slots[child]!;
      this.scores[i] = this.scores[child]!;
      i = child;
    }
    this.slots[i] = slot;
    this.scores[i] = score;
  }

  drain(): { slot: number; score: number }[] {
    const out: { slot: number; score: number }[] = [];
    for (let i = 0; i < this.count; i++) out.push({ slot: this.slots[i]!, score: this.scores[i]! });
    return out;
  }
}

/** Rows read per page when loading vectors from the store. */
const LOAD_PAGE_ROWS = 2_000;
/** How often, at most, a search checks the store for new vectors, in milliseconds. */
export const DEFAULT_REFRESH_INTERVAL_MS = 2_000;

export interface LiveVectorIndexOptions {
  /** At most this often the store is asked whether vectors changed (0: before every search; tests). */
  refreshIntervalMs?: number;
  now?: () => number;
}

/**
 * The index of one embedder's vectors, kept current from the store (see the module comment). Refreshes are
 * single-flight: concurrent searches share one.
 */
export class LiveVectorIndex {
  private index: VectorIndex;
  private cursor: ChangeCursor = CHANGE_CURSOR_START;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | null = null;
  private readonly refreshIntervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: EmbeddingStore,
    readonly embedderId: string,
    readonly dimensions: number,
    options: LiveVectorIndexOptions = {},
  ) {
    this.index = new VectorIndex(dimensions);
    this.refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
    this.now = options.now ?? (() => performance.now());
  }

  /** The index as of the last refresh (refreshing first when the interval has passed). */
  async current(): Promise<VectorIndex> {
    if (this.now() - this.checkedAt >= this.refreshIntervalMs) await this.refresh();
    return this.index;
  }

  /** Brings the index up to date with the store now (shared with a refresh already running). */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const startedAt = this.now();
    const state = await this.store.vectorState(this.embedderId);
    if (state.marker > this.cursor.changeSeq) await this.loadChanges(this.index);
    // Fewer rows in the store than here: papers were deleted (their vectors went with them). Reload everything
    // into a new index and swap it in, so that searches meanwhile use the old one.
    if (state.count < this.index.size || state.marker < this.cursor.changeSeq) {
      const fresh = new VectorIndex(this.dimensions, state.count);
      const saved = this.cursor;
      this.cursor = CHANGE_CURSOR_START;
      try {
        await this.loadChanges(fresh);
      } catch (error) {
        this.cursor = saved;
        throw error;
      }
      this.index = fresh;
    }
    this.checkedAt = startedAt;
  }

  private async loadChanges(into: VectorIndex): Promise<void> {
    for (;;) {
      const page = await this.store.vectorsChangedSince(this.embedderId, this.cursor, LOAD_PAGE_ROWS);
      for (const row of page) {
        if (row.vector.length === this.dimensions) into.upsert(row.paperId, row.vector);
        else into.remove(row.paperId);
      }
      const last = page[page.length - 1];
      if (last) this.cursor = { changeSeq: last.changeSeq, paperId: last.paperId };
      if (page.length < LOAD_PAGE_ROWS) return;
    }
  }
}
