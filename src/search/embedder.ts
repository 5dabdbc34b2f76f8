/**
 * Turning text into vectors for semantic search, behind one small interface so that the offline default and an
 * operator's transformer model (ONNX) are interchangeable: the vector index, the background embedding job,
 * `paperboy reindex` and the eval only ever see an Embedder. Vectors made by different embedders (or versions of
 * one) are never compared: each vector is stored with the `id` of the embedder that made it.
 */

/** What is being embedded: some models embed a query differently from a document (e.g. "query: " prefixes). */
export type EmbeddingRole = 'query' | 'document';

export interface Embedder {
  /**
   * Names the model and everything that changes its vectors (e.g. `glove-sif-100d@1`, `onnx:all-MiniLM-L6-v2`):
   * stored with each vector, and a change means the papers are embedded again.
   */
  readonly id: string;
  /** The length of every vector. */
  readonly dimensions: number;
  /**
   * One unit-length vector per text, in order (so a dot product is the cosine similarity). A text with nothing the
   * model knows gets a zero vector, which matches nothing.
   */
  embed(texts: readonly string[], role: EmbeddingRole): Promise<Float32Array[]>;
  /** Frees what the model holds (a native session, large buffers). */
  close(): Promise<void>;
}

/** The text of a paper that is embedded: its title and abstract (what a reader's description is compared with). */
export function paperEmbeddingText(paper: { title: string; abstract: string | null }): string {
  return paper.abstract ? `${paper.title}. ${paper.abstract}` : paper.title;
}
