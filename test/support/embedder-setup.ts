/**
 * A global setup of the test run: the default embedder's word vectors are converted once here (about 10 s on a
 * fresh clone), before any test process starts, rather than by several of them at the same time (each would wait
 * on the conversion's lock file). Every later load reads the converted file in a fraction of a second.
 */
import { defaultTestEmbedder } from './embedders.ts';

export default async function setup(): Promise<void> {
  await (await defaultTestEmbedder()).close();
}
