/**
 * Hand-built Yjs V1 updates for the update-cost and fuzz suites: a writer for
 * arbitrary struct sections, and the updates that make Yjs (or the server's own
 * checks) spend time quadratic in their size.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { CodebookDoc, createRng, TranscriptDoc } from '@concord/shared';

export type Writer = (e: Y.UpdateEncoderV1) => void;
export interface Section { client: number; clock: number; structs: Writer[] }

/** Writes structs (one section per client, as given) and a delete set as a V1 update. */
export function encodeV1(sections: Section[], ds: [number, [number, number][]][] = []): Uint8Array {
  const e = new Y.UpdateEncoderV1();
  encoding.writeVarUint(e.restEncoder, sections.length);
  for (const s of sections) {
    encoding.writeVarUint(e.restEncoder, s.structs.length);
    e.writeClient(s.client);
    encoding.writeVarUint(e.restEncoder, s.clock);
    for (const w of s.structs) w(e);
  }
  encoding.writeVarUint(e.restEncoder, ds.length);
  for (const [client, ranges] of ds) {
    encoding.writeVarUint(e.restEncoder, client);
    encoding.writeVarUint(e.restEncoder, ranges.length);
    for (const [clock, len] of ranges) { encoding.writeVarUint(e.restEncoder, clock); encoding.writeVarUint(e.restEncoder, len); }
  }
  return e.toUint8Array();
}

export const writeStruct = (s: Y.Item | Y.GC | Y.Skip): Writer => (e) => s.write(e, 0);

/** Items as one V1 update: one section per client (each client's items must have contiguous clocks). */
export function encodeItems(items: readonly Y.Item[]): Uint8Array {
  const byClient = new Map<number, Y.Item[]>();
  for (const it of items) {
    const list = byClient.get(it.id.client) ?? [];
    list.push(it);
    byClient.set(it.id.client, list);
  }
  const sections: Section[] = [];
  for (const [client, list] of byClient) {
    list.sort((a, b) => a.id.clock - b.id.clock);
    sections.push({ client, clock: list[0]!.id.clock, structs: list.map(writeStruct) });
  }
  return encodeV1(sections);
}

type Parent = string | Y.ID;
type Content = ConstructorParameters<typeof Y.Item>[7];

/** A new item (for an update only: it is written, never integrated as it is). */
export function item(
  id: Y.ID, origin: Y.ID | null, rightOrigin: Y.ID | null, content: Content,
  parent: Parent | null = null, parentSub: string | null = null,
): Y.Item {
  // Yjs's own decoder builds update structs with a string or ID parent the same way.
  return new Y.Item(id, null, origin, null, rightOrigin, parent as unknown as ConstructorParameters<typeof Y.Item>[5], parentSub, content);
}

/** First client id used for forged clients (far from Yjs's random 32-bit ids' typical range is not needed: they only have to be distinct). */
export const FORGED_CLIENT = 1_000_000;

/**
 * `n` entries of one key of a root map, without origins, each from its own
 * client (the denial of service: each integration walks every earlier one).
 */
export function mapKeyFlood(n: number, opts: { map?: string; key?: string; firstClient?: number } = {}): Uint8Array {
  const first = opts.firstClient ?? FORGED_CLIENT;
  return encodeItems(Array.from({ length: n }, (_, i) =>
    item(Y.createID(first + i, 0), null, null, new Y.ContentAny([i]), opts.map ?? 'm', opts.key ?? 'k')));
}

/** `n` one-character items at the start of a root text (origin and right origin null), each from its own client. */
export function textStartFlood(n: number, opts: { text?: string; firstClient?: number } = {}): Uint8Array {
  const first = opts.firstClient ?? FORGED_CLIENT;
  return encodeItems(Array.from({ length: n }, (_, i) =>
    item(Y.createID(first + i, 0), null, null, new Y.ContentString('x'), opts.text ?? 'body')));
}

/**
 * Origin-less entries of one map key from one client, at clocks `from` … `from +
 * n - 1`: without the client's earlier clocks, Yjs holds them pending.
 */
export function pendingMapEntries(from: number, n: number, client = FORGED_CLIENT): Uint8Array {
  return encodeItems(Array.from({ length: n }, (_, i) => item(Y.createID(client, from + i), null, null, new Y.ContentAny([i]), 'm', 'k')));
}

/** The id of the i-th item of `chainDoc`. */
export const chainId = (i: number): Y.ID => Y.createID(1 + (i % 2), i >> 1);

/**
 * A text `body` of `n` one-character items typed in turn by two clients (1 and
 * 2), so none merge: each item's origin is the one before it.
 */
export function chainDoc(n: number, text = 'body'): Uint8Array {
  return encodeItems(Array.from({ length: n }, (_, i) =>
    item(chainId(i), i === 0 ? null : chainId(i - 1), null, new Y.ContentString(String.fromCharCode(97 + (i % 26))), i === 0 ? text : null)));
}

/**
 * `n` items anchored far apart in a `chainDoc` of `docItems` items:
 * - 'same': all between the first and the last item (one group);
 * - 'distinct': item i between item i and the last item (all groups differ);
 * - 'open-right': item i after item i, right origin null (the end of the text).
 */
export function farAnchors(n: number, docItems: number, mode: 'same' | 'distinct' | 'open-right', firstClient = FORGED_CLIENT): Uint8Array {
  const last = chainId(docItems - 1);
  return encodeItems(Array.from({ length: n }, (_, i) => {
    const origin = mode === 'same' ? chainId(0) : chainId(i % (docItems - 1));
    return item(Y.createID(firstClient + i, 0), origin, mode === 'open-right' ? null : last, new Y.ContentString('y'));
  }));
}

/** One item after each given `chainDoc` item, with no right origin (Yjs scans from there to the end of the chain), each from its own client. */
export function scanToEnd(originIndices: readonly number[], firstClient = FORGED_CLIENT): Uint8Array {
  return encodeItems(originIndices.map((o, i) => item(Y.createID(firstClient + i, 0), chainId(o), null, new Y.ContentString('t'))));
}

/**
 * One item right after the first item of a `chainDoc`, then `n` items of one
 * client after it (origin: that item), each with a different right origin further
 * right in the document: no two share a group, none is anchored out of order.
 */
export function siblingFlood(n: number, docItems: number, client = FORGED_CLIENT): Uint8Array {
  const anchor = Y.createID(client, 0);
  return encodeItems([
    item(anchor, chainId(0), chainId(1), new Y.ContentString('a')),
    ...Array.from({ length: n }, (_, i) => item(Y.createID(client, 1 + i), anchor, chainId(1 + (i % (docItems - 1))), new Y.ContentString('s'))),
  ]);
}

/**
 * An item after the first item of a `chainDoc` with no right origin (Yjs places
 * it at the end of the text, after scanning the whole chain), then `n` items of
 * the same client at the same origin, each anchored right before the previous one:
 * each again scans the whole chain.
 */
export function pushedChain(n: number, client = FORGED_CLIENT): Uint8Array {
  return encodeItems(Array.from({ length: n + 1 }, (_, i) =>
    item(Y.createID(client, i), chainId(0), i === 0 ? null : Y.createID(client, i - 1), new Y.ContentString('p'))));
}

/**
 * One text item of `n` characters, then `n - 1` one-character items, one after
 * each of its characters (origins inside the long item, which Yjs splits), each
 * from its own client and with no right origin; Yjs integrates higher client ids
 * first, so each item scans every piece and item placed after its character.
 * `anchored`: each with the next character as right origin instead, as typing into
 * one's own text makes them (then nothing is scanned).
 */
export function splitFlood(n: number, anchored = false, client = FORGED_CLIENT): Uint8Array {
  return encodeItems([
    item(Y.createID(client, 0), null, null, new Y.ContentString('x'.repeat(n)), 'body'),
    ...Array.from({ length: n - 1 }, (_, k) =>
      item(Y.createID(client + 1 + k, 0), Y.createID(client, k), anchored ? Y.createID(client, k + 1) : null, new Y.ContentString('i'))),
  ]);
}

/** `n` copies of one deletion range over half of a `chainDoc`'s items (Yjs visits each covered item every time). */
export function overlappingDeletions(n: number, docItems: number): Uint8Array {
  return encodeV1([], [[1, Array.from({ length: n }, (): [number, number] => [0, docItems >> 2])]]);
}

// ---- what real clients send ---------------------------------------------------------------

const WORDS = ['model', 'data', 'really', 'we', 'tested', 'it', 'by', 'hand', 'and', 'then', 'the', 'team', 'wrote', 'notes', 'about', 'quality', 'honestly', 'mostly'];

/** Transcript text of at least `chars` characters in alternating turns, with each turn's start offset. */
export function transcriptText(chars: number, rng: () => number): { text: string; turns: { speaker: string; start: number }[] } {
  let text = '';
  const turns: { speaker: string; start: number }[] = [];
  for (let t = 0; text.length < chars; t++) {
    const speaker = t % 2 === 0 ? 'Interviewer' : 'P1';
    turns.push({ speaker, start: text.length });
    const n = 10 + Math.floor(rng() * 60);
    text += `${speaker}: ${Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)]).join(' ')}.\n\n`;
  }
  return { text, turns };
}

/** The code ids `editTranscript` codes with (a live server's codebook must hold them). */
export const FIXTURE_CODE_IDS: readonly string[] = Array.from({ length: 40 }, (_, i) => `code${i}`);

/**
 * Edits a transcript document as a user would, one keystroke per transaction:
 * words typed, ranges deleted, typos corrected, text inserted before what was just
 * typed, and codings added. `at` picks where a word goes (default: anywhere).
 */
export function editTranscript(
  doc: Y.Doc, rng: () => number, opts: { edits: number; codings: number; coderId?: string; at?: () => number },
): void {
  const t = new TranscriptDoc(doc);
  const body = t.body;
  const type = (pos: number, word: string) => { for (let k = 0; k < word.length; k++) body.insert(pos + k, word[k]!); };
  const somewhere = () => Math.floor(rng() * (body.length + 1));
  const word = () => `${WORDS[Math.floor(rng() * WORDS.length)]} `;
  for (let e = 0; e < opts.edits; e++) {
    const r = rng();
    const pos = opts.at ? Math.min(opts.at(), body.length) : somewhere();
    if (r < 0.5) {
      type(pos, word());
    } else if (r < 0.7 && body.length > 20) {
      body.delete(Math.min(pos, body.length - 10), 1 + Math.floor(rng() * 9));
    } else if (r < 0.85) {
      const w = word();
      type(pos, w);
      body.delete(pos + w.length - 2, 2);
      type(pos + w.length - 2, 'x ');
    } else {
      type(pos, word());
      type(pos, word());
    }
  }
  for (let c = 0; c < opts.codings; c++) {
    const start = Math.floor(rng() * Math.max(1, body.length - 60));
    t.addCoding(t.codings, { codeId: `code${Math.floor(rng() * 40)}`, coderId: opts.coderId ?? 'coder', start, end: start + 3 + Math.floor(rng() * 57) });
  }
}

/**
 * A transcript document as several users leave it: imported (`chars` characters),
 * then edited concurrently by `replicas` clients that sync every other round (and
 * sometimes all type at the same spot), with `codings` codings in all.
 */
export function collaborativeTranscript(opts: { chars: number; codings: number; replicas?: number; rounds?: number; seed?: number; coderId?: string }): Y.Doc {
  const rng = createRng(opts.seed ?? 1);
  const base = new Y.Doc();
  const { text, turns } = transcriptText(opts.chars, rng);
  new TranscriptDoc(base).initialise(text, turns, { name: 'Interview' });
  const replicas = Array.from({ length: opts.replicas ?? 3 }, () => {
    const d = new Y.Doc();
    Y.applyUpdate(d, Y.encodeStateAsUpdate(base));
    return d;
  });
  const rounds = opts.rounds ?? 10;
  const codingsPerTurn = Math.ceil(opts.codings / (rounds * replicas.length));
  let codings = 0;
  for (let round = 0; round < rounds; round++) {
    const spot = Math.floor(rng() * text.length);
    replicas.forEach((d, i) => {
      const n = Math.min(codingsPerTurn, opts.codings - codings);
      codings += n;
      editTranscript(d, rng, { edits: 30, codings: n, coderId: opts.coderId ?? `coder${i}`, ...(round % 3 === 0 ? { at: () => spot } : {}) });
    });
    if (round % 2 === 1) syncAll(replicas);
  }
  syncAll(replicas);
  return replicas[0]!;
}

function syncAll(docs: Y.Doc[]): void {
  const merged = Y.mergeUpdates(docs.map((d) => Y.encodeStateAsUpdate(d)));
  for (const d of docs) Y.applyUpdate(d, merged);
}

/** A codebook with `codes` codes whose definitions were written and edited. */
export function writtenCodebook(codes: number, seed = 2): Y.Doc {
  const rng = createRng(seed);
  const doc = new Y.Doc();
  const cb = new CodebookDoc(doc);
  for (let i = 0; i < codes; i++) {
    const id = cb.createCode({ name: `Code ${i}`, description: `Applies when ${WORDS[i % WORDS.length]} is discussed.` });
    const def = cb.text(id, 'definition')!;
    for (let k = 0; k < 3; k++) def.insert(Math.floor(rng() * def.length), `${WORDS[Math.floor(rng() * WORDS.length)]} `);
    if (i % 5 === 0) cb.update(id, { color: '#0072B2' });
  }
  return doc;
}
