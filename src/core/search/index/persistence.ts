/**
 * The index as data (IndexState) and back: what a snapshot keeps so a restart answers searches
 * without indexing the text again. The large arrays are shared, not copied: a build replaces them
 * rather than writing into them, so they stay valid while a snapshot of them is being written.
 */
import { fieldsOf, foldFields, FROM_STORE, NO_FIELDS, normalisedFields, plainFieldsOf } from './fields.ts';
import { BigramTable } from './primitives.ts';
import type { IndexableEntry, IndexState } from '../index-types.ts';
import type { Documents } from './documents.ts';
import type { Grams } from './grams.ts';
import type { LongKeywords } from './long-keywords.ts';
import type { Postings } from './postings.ts';

export interface IndexParts {
  documents: Documents;
  grams: Grams;
  postings: Postings;
  longKeywords: LongKeywords;
}

export function exportState({ documents, grams, postings, longKeywords }: IndexParts): IndexState {
  const n = documents.count;
  let deltaLength = 0;
  for (const list of postings.delta.values()) deltaLength += 2 + list.length;
  const delta = new Float64Array(deltaLength);
  let at = 0;
  for (const [g, list] of postings.delta) {
    delta[at++] = g;
    delta[at++] = list.length;
    for (const p of list) delta[at++] = p;
  }
  return {
    docCount: n,
    live: documents.live,
    ids: documents.ids.slice(0, n).map((id, d) => (documents.alive[d] ? id : null)),
    agencies: [...documents.agencies.keys()],
    folded: Uint8Array.from(documents.fields.slice(0, n), (fs) => (normalisedFields.has(fs) ? 1 : 0)),
    agencyOf: Int32Array.from(documents.agencyOf.slice(0, n)),
    dates: Int32Array.from(documents.dates.slice(0, n)),
    seqs: Float64Array.from(documents.seqs.slice(0, n)),
    // Written into by later additions: copies. The rest a build replaces, never modifies.
    unigrams: grams.unigrams.slice(),
    bigramBits: grams.bigrams.bits,
    bigramKeys: grams.bigrams.keys.slice(),
    bigramVals: grams.bigrams.vals.slice(),
    bigramCount: grams.bigrams.count,
    gramCount: grams.count,
    baseGramCount: postings.baseGramCount,
    baseDocCount: postings.baseDocCount,
    baseOff: postings.baseOff,
    baseDocs: postings.baseDocs,
    baseW: postings.baseW,
    denseOf: postings.denseOf,
    denseBits: postings.denseBits,
    denseNibbles: postings.denseNibbles,
    denseCount: postings.denseCount,
    words: postings.words,
    nibbleBytes: postings.nibbleBytes,
    delta,
    deltaDocs: postings.deltaDocs,
    // Never changed in place (matches added later replace the arrays), so written as they are.
    remembered: longKeywords
      .entries()
      .map(([key, m]) => ({ key, docs: m.docs as Int32Array<ArrayBuffer>, w: m.w as Uint8Array<ArrayBuffer> })),
  };
}

/**
 * Fills empty parts from a state. With a store, each live document's text key is asked of it; without,
 * entryOf gives the entry. A state that does not hold together, or names an entry neither gives, is refused.
 */
export function restoreState(
  { documents, grams, postings, longKeywords }: IndexParts,
  state: IndexState,
  entryOf: ((id: string) => IndexableEntry | undefined) | undefined,
): void {
  const store = documents.store;
  if (!entryOf && !store) throw new Error('index state: restoring needs the entries or their text');
  const n = state.docCount;
  if (
    state.ids.length !== n ||
    state.folded.length !== n ||
    state.agencyOf.length !== n ||
    state.dates.length !== n ||
    state.seqs.length !== n
  )
    throw new Error('index state: per-document arrays disagree with the document count');
  if (state.baseOff.length !== state.baseGramCount + 1 || state.denseOf.length !== state.baseGramCount || state.unigrams.length !== 65536)
    throw new Error('index state: gram arrays disagree with the gram count');
  if (
    state.denseBits.length !== state.denseCount.length * state.words ||
    state.denseNibbles.length !== state.denseCount.length * state.nibbleBytes
  )
    throw new Error('index state: dense arrays disagree with their sizes');

  documents.ids = new Array<string>(n);
  documents.fields = new Array<string[]>(n);
  documents.alive = new Uint8Array(Math.max(16, n + (n >> 1)));
  if (store) documents.textKey = new Int32Array(Math.max(16, n + (n >> 1)));
  documents.live = 0;
  for (let d = 0; d < n; d++) {
    const id = state.ids[d];
    if (id === null || id === undefined) {
      documents.ids[d] = '';
      documents.fields[d] = NO_FIELDS;
      continue;
    }
    documents.ids[d] = id;
    if (store) {
      const key = store.keyOf(id);
      if (key === undefined) throw new Error(`index state: document ${d} is entry ${id}, which the store does not have`);
      documents.textKey[d] = key;
      // Read now only where the index keeps a normalised copy (rare); the rest stays in the store.
      documents.fields[d] = state.folded[d] ? foldFields(store.fields(key)) : FROM_STORE;
    } else {
      const entry = entryOf!(id);
      if (!entry) throw new Error(`index state: document ${d} is entry ${id}, which the store does not have`);
      documents.fields[d] = state.folded[d] ? fieldsOf(entry) : plainFieldsOf(entry);
    }
    documents.alive[d] = 1;
    documents.byId.set(id, d);
    documents.live++;
  }
  if (documents.live !== state.live || documents.byId.size !== documents.live) throw new Error('index state: live documents disagree');
  documents.count = n;
  state.agencies.forEach((name, i) => documents.agencies.set(name, i));
  documents.agencyOf = Array.from(state.agencyOf);
  documents.dates = Array.from(state.dates);
  documents.seqs = Array.from(state.seqs);

  grams.restore(
    state.unigrams,
    BigramTable.restore(state.bigramBits, state.bigramKeys, state.bigramVals, state.bigramCount),
    state.gramCount,
  );
  Object.assign(postings, {
    baseGramCount: state.baseGramCount,
    baseDocCount: state.baseDocCount,
    baseOff: state.baseOff,
    baseDocs: state.baseDocs,
    baseW: state.baseW,
    denseOf: state.denseOf,
    denseBits: state.denseBits,
    denseNibbles: state.denseNibbles,
    denseCount: state.denseCount,
    words: state.words,
    nibbleBytes: state.nibbleBytes,
    deltaDocs: state.deltaDocs,
  });
  postings.delta = new Map();
  const dl = state.delta;
  for (let i = 0; i < dl.length;) {
    const g = dl[i++]!;
    const count = dl[i++]!;
    if (!(g >= 0 && g < grams.count && count >= 0 && i + count <= dl.length)) throw new Error('index state: delta postings are malformed');
    postings.delta.set(g, Array.from(dl.subarray(i, i + count)));
    i += count;
  }
  for (const r of state.remembered) {
    const fits = r.docs.length === r.w.length && r.docs.every((d, i) => d >= 0 && d < n && (i === 0 || d > r.docs[i - 1]!));
    if (!fits) throw new Error(`index state: remembered matches of ${JSON.stringify(r.key)} do not fit the index`);
    longKeywords.remember(r.key, { docs: r.docs, w: r.w });
  }
}
