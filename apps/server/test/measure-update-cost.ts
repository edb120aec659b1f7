/**
 * Measures what the server spends on crafted updates: `validateUpdate` (the
 * checks before a client's update touches the room) and `Y.applyUpdate`, for N
 * items of each shape in update-cost-fixtures.ts. Not a test (no assertions, not
 * run by `npm test`):
 *
 *   npx tsx apps/server/test/measure-update-cost.ts [runs=3] [shape letters, e.g. ab]
 *
 * Prints one line per shape and N: median milliseconds, and what validation said.
 * Stops growing N for a shape once a run takes longer than 4 s.
 */
import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import { validateUpdate } from '../src/sync/room.ts';
import { chainDoc, farAnchors, mapKeyFlood, overlappingDeletions, pushedChain, siblingFlood, splitFlood, textStartFlood } from './update-cost-fixtures.ts';

const RUNS = Number(process.argv[2] ?? 3);
const ONLY = process.argv[3] ?? '';
const DOC_ITEMS = 50_000;
const base = chainDoc(DOC_ITEMS);

interface Shape { name: string; withDoc: boolean; sizes: number[]; make(n: number): Uint8Array }
const SMALL = [1, 2, 4, 16, 64, 500];
const LARGE = [500, 1000, 2000, 4000, 8000, 16000];
const shapes: Shape[] = [
  { name: '(a) origin-less entries of one map key', withDoc: false, sizes: [64, ...LARGE], make: (n) => mapKeyFlood(n) },
  { name: '(b) text items with origin = right origin = null', withDoc: false, sizes: [64, ...LARGE], make: (n) => textStartFlood(n) },
  { name: `(c) one origin/right-origin pair ${DOC_ITEMS - 1} items apart`, withDoc: true, sizes: SMALL, make: (n) => farAnchors(n, DOC_ITEMS, 'same') },
  { name: '(c2) distinct far-apart origin/right-origin pairs', withDoc: true, sizes: SMALL, make: (n) => farAnchors(n, DOC_ITEMS, 'distinct') },
  { name: '(d) distinct origins, right origin null (end of text)', withDoc: true, sizes: SMALL, make: (n) => farAnchors(n, DOC_ITEMS, 'open-right') },
  { name: '(e) siblings of one new item, distinct right origins', withDoc: true, sizes: [64, 300, ...LARGE], make: (n) => siblingFlood(n, DOC_ITEMS) },
  { name: '(f) a chain anchored before an item Yjs pushed to the end', withDoc: true, sizes: SMALL, make: (n) => pushedChain(n) },
  { name: '(h) items after each character of one long new item', withDoc: false, sizes: [64, 300, ...LARGE], make: (n) => splitFlood(n) },
  { name: '(h2) the same, each anchored before the next character', withDoc: false, sizes: [64, 300, ...LARGE], make: (n) => splitFlood(n, true) },
  { name: '(g) overlapping copies of one deletion range', withDoc: true, sizes: [1, 4, 16, 1000, 4000, 16000], make: (n) => overlappingDeletions(n, DOC_ITEMS) },
];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

for (const shape of shapes) {
  if (ONLY && !ONLY.includes(shape.name[1]!)) continue;
  for (const n of shape.sizes) {
    const update = shape.make(n);
    const validateMs: number[] = [];
    const applyMs: number[] = [];
    let verdict = 'accepted';
    for (let r = 0; r < RUNS; r++) {
      const doc = new Y.Doc();
      if (shape.withDoc) Y.applyUpdate(doc, base);
      let t = performance.now();
      try {
        validateUpdate(update, doc);
      } catch (err) {
        verdict = `refused: ${(err as Error).message}`;
      }
      validateMs.push(performance.now() - t);
      // Applied even when refused: what it would have cost without the check.
      t = performance.now();
      Y.applyUpdate(doc, update);
      applyMs.push(performance.now() - t);
      doc.destroy();
    }
    const v = median(validateMs);
    const a = median(applyMs);
    console.log(`${shape.name} | n=${n} | ${(update.length / 1024).toFixed(0)} KB | validate ${v.toFixed(1)} ms | apply ${a.toFixed(1)} ms | ${verdict}`);
    if (v + a > 4000) break;
  }
}
