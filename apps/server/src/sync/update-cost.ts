import * as Y from 'yjs';
import { LIMITS } from '@concord/shared';

/**
 * Bounds on what integrating one client's update may cost, checked before it
 * touches the room's document (no mutation, time linear in the update plus a
 * bounded walk of the document).
 *
 * Where Yjs spends its time: `Item.integrate` places a new item between its
 * origin and right origin by scanning the items already there ("conflicting"
 * items: those with the same origin, and their descendants) until it reaches the
 * right origin. A client's own item has its origin and right origin adjacent, so
 * legitimate updates scan only what other clients inserted concurrently at the
 * same spot. A crafted update can instead make every item scan the same long
 * stretch (quadratic time for one frame: ~300 KB held the event loop for seconds):
 * many origin-less entries of one map key, many items sharing an origin but not
 * anchored next to each other, or items whose origin and right origin are far
 * apart in a long document.
 *
 * Checks, sharing one step budget (`LIMITS.maxUpdateScanSteps`; a step is one
 * item Yjs may have to scan):
 * 1. items sharing (parent, parentSub, origin, right origin): at most
 *    `LIMITS.maxConcurrentSiblings` per group (refused before anything else);
 * 2. for items anchored in the document, the stretch between origin and right
 *    origin (or the list's start or end) is walked and counted; the walk also
 *    refuses items whose right origin is left of their origin;
 * 3. items sharing an origin within the update (a "family") are charged for the
 *    members and subtrees they may scan: every member not anchored right before
 *    another member scans the whole family, while a chain of members each anchored
 *    before the previous one (typing at one spot again and again, corrections in
 *    one's own text) is placed without scanning;
 * 4. deletion ranges that overlap (Yjs never writes them; Yjs visits every struct
 *    a range covers) are charged for each struct they cover again.
 * Items Yjs holds pending that the update would release are checked with it.
 * The model follows Yjs 13.6's `Item.integrate`; it is meant to over-estimate
 * crafted updates and stays near zero for what Yjs clients send (both are in
 * test/update-cost.test.ts; test/measure-update-cost.ts times the crafted shapes).
 */

type Struct = Y.Item | Y.GC | Y.Skip;
type DeleteSet = ReturnType<typeof Y.decodeUpdate>['ds'];
/** A shared type as the document holds it. */
type SharedType = Y.Doc['share'] extends Map<string, infer T> ? T : never;

/** Why an update is refused (the server closes the connection with 4400 and this reason). */
export class UpdateRefused extends Error {
  override name = 'UpdateRefused';
}

export interface CostLimits {
  maxConcurrentSiblings: number;
  maxScanSteps: number;
}

const DEFAULT_LIMITS: CostLimits = {
  maxConcurrentSiblings: LIMITS.maxConcurrentSiblings,
  maxScanSteps: LIMITS.maxUpdateScanSteps,
};

const idKey = (id: Y.ID): string => `${id.client}:${id.clock}`;

// ---- cheap hashing: exact (string) keys are built only for items whose hash collides -------------

const mix = (h: number, word: number): number => Math.imul(h ^ word, 0x01000193);
const mixNumber = (h: number, x: number): number => mix(mix(h, x >>> 0), Math.floor(x / 0x1_0000_0000) >>> 0);
const mixId = (h: number, id: Y.ID | null): number => (id ? mixNumber(mixNumber(h, id.client), id.clock) : mix(h, 0x7fffffff));
function mixString(h: number, str: string): number {
  for (let i = 0; i < str.length; i++) h = mix(h, str.charCodeAt(i));
  return mix(h, str.length);
}
const FNV = 0x811c9dc5;

/**
 * Counts hash values in a table of 8 slots per item; `shared(h)` says whether
 * another counted value fell in the same slot (a true group, or a collision to be
 * told apart by exact keys).
 */
class SlotCounts {
  private readonly counts: Uint8Array;
  private readonly mask: number;
  constructor(n: number) {
    let size = 16;
    while (size < n * 8) size *= 2;
    this.counts = new Uint8Array(size);
    this.mask = size - 1;
  }
  add(h: number): void {
    const slot = h & this.mask;
    if (this.counts[slot]! < 255) this.counts[slot]!++;
  }
  shared(h: number): boolean {
    return this.counts[h & this.mask]! > 1;
  }
}

/** An item's parent as the update names it (only when it has no origins). */
const parentOf = (s: Y.Item): string | Y.ID | null => s.parent as unknown as string | Y.ID | null;

/**
 * The key of an item's insertion point as the update states it: two items with
 * the same key are placed by comparing client ids, so Yjs scans one for the other.
 * (When an origin is set, the parent is the origin's; Yjs does not encode it.)
 */
function insertionPointKey(s: Y.Item): string {
  if (s.origin || s.rightOrigin) return `${s.origin ? idKey(s.origin) : ''}|${s.rightOrigin ? idKey(s.rightOrigin) : ''}`;
  return parentKey(parentOf(s), s.parentSub);
}

/** A list's identity: its parent type (a root's name or the type item's id) and its map key. */
function parentKey(parent: string | Y.ID | null, sub: string | null): string {
  return `${typeof parent === 'string' ? `r${parent}` : parent ? `i${idKey(parent)}` : '?'}\0${sub ?? ''}`;
}

function insertionPointHash(s: Y.Item): number {
  if (s.origin || s.rightOrigin) return mixId(mixId(FNV, s.origin), s.rightOrigin);
  const parent = parentOf(s);
  const h = typeof parent === 'string' ? mixString(mix(FNV, 1), parent) : mixId(mix(FNV, 2), parent);
  return mixString(h, s.parentSub ?? '');
}

/** The size of the largest group of items sharing (parent, parentSub, origin, right origin). Pure and linear. */
export function largestSiblingGroup(structs: readonly Struct[]): { size: number; key: string } {
  const slots = new SlotCounts(structs.length);
  for (const s of structs) if (s instanceof Y.Item) slots.add(insertionPointHash(s));
  const counts = new Map<string, number>();
  let size = 0;
  let key = '';
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    if (!slots.shared(insertionPointHash(s))) {
      if (size === 0) { size = 1; key = insertionPointKey(s); }
      continue;
    }
    const k = insertionPointKey(s);
    const n = (counts.get(k) ?? 0) + 1;
    counts.set(k, n);
    if (n > size) { size = n; key = k; }
  }
  return { size, key };
}

class Budget {
  used = 0;
  constructor(readonly max: number) {}

  get left(): number { return this.max - this.used; }

  spend(steps: number): void {
    this.used += steps;
    if (this.used > this.max) {
      throw new UpdateRefused(`update would take Yjs over ${this.max} steps to integrate; refused as too costly`);
    }
  }
}

/** The list an item goes into: a key naming it, and the document's type and map key when the document has it. */
interface List { key: string; type: SharedType | null; sub: string | null }

/** Where Yjs's scan for an item stops at the latest: a document item, the end of the list, or unknown. */
type Stop = Y.Item | 'end' | 'unknown';

/**
 * Refuses (throws UpdateRefused) an update whose integration into `doc` would
 * cost more than `limits` allow, or that holds an item anchored out of order.
 * Returns the steps charged.
 */
export function checkUpdateCost(
  structs: readonly Struct[], ds: DeleteSet, doc: Y.Doc, limits: CostLimits = DEFAULT_LIMITS,
): number {
  structs = withPending(structs, doc);
  const group = largestSiblingGroup(structs);
  if (group.size > limits.maxConcurrentSiblings) {
    throw new UpdateRefused(`update holds ${group.size} items inserted at the same place; Yjs would need quadratic time`);
  }
  const budget = new Budget(limits.maxScanSteps);
  const cost = new UpdateCost(structs, doc);
  for (let i = 0; i < structs.length; i++) if (cost.isNew(i)) cost.walkAnchors(i, budget);
  budget.spend(cost.familyCost());
  budget.spend(overlappingDeletionCost(ds, doc, budget));
  return budget.used;
}

/**
 * The update's structs, plus those Yjs holds pending (their dependencies missing)
 * when this update may supply what they wait for: Yjs then integrates them along
 * with it, so a stream of updates that each pass could otherwise pile up pending
 * items and have them integrated all at once.
 */
function withPending(structs: readonly Struct[], doc: Y.Doc): readonly Struct[] {
  const pending = doc.store.pendingStructs;
  if (!pending) return structs;
  const unblocks = structs.some((s) => {
    const waitsFor = pending.missing.get(s.id.client);
    return waitsFor !== undefined && s.id.clock <= waitsFor && waitsFor < s.id.clock + s.length;
  });
  return unblocks ? [...Y.decodeUpdateV2(pending.update).structs, ...structs] : structs;
}

const crossed = (): UpdateRefused => new UpdateRefused('update holds an item whose right origin is left of its origin');

/** Steps from `from` towards `to` (null: the end of the list), charged to the budget; whether `to` was reached. */
function walk(from: Y.Item | null, to: Y.Item | null, dir: 'left' | 'right', budget: Budget): boolean {
  let steps = 0;
  const max = budget.left;
  let it = from;
  while (it !== null && it !== to) {
    if (++steps > max) break;
    it = dir === 'right' ? it.right : it.left;
  }
  budget.spend(steps);
  return it === to;
}

/** Per family (items sharing an origin, or a list's start), what its members may scan of each other. */
interface Family {
  members: number;
  /** Members whose right origin is not another member: each may scan every member's subtree. */
  unanchored: number;
  /** Members beyond the first anchored right before the same member (concurrent inserts at one spot). */
  extra: number;
  /** Subtree sizes of the members. */
  size: number;
  /** When the origin lies inside an update struct: the subtree size of that struct (its right part joins the family). */
  splitSize: number;
  /** Members anchored right before that right part. */
  splitAnchored: number;
}

/** Lookups of ids in the document and in the update, and the cost model. */
class UpdateCost {
  private readonly store: Y.Doc['store'];
  private readonly byClient = new Map<number, number[]>();
  private readonly rootNames = new Map<SharedType, string>();
  private readonly states = new Map<number, number>();
  /** 1 for items the document does not hold yet (Yjs skips the others). */
  private readonly fresh: Uint8Array;
  /** Per item: the index of the new update struct holding its origin, or -1. */
  private readonly originAt: Int32Array;
  private readonly lists: (List | undefined)[] = [];
  private readonly stops: (Stop | undefined)[] = [];

  constructor(readonly structs: readonly Struct[], readonly doc: Y.Doc) {
    this.store = doc.store;
    const n = structs.length;
    let sorted = true;
    for (let i = 0; i < n; i++) {
      const s = structs[i]!;
      const list = this.byClient.get(s.id.client);
      if (!list) { this.byClient.set(s.id.client, [i]); continue; }
      if (structs[list[list.length - 1]!]!.id.clock > s.id.clock) sorted = false;
      list.push(i);
    }
    // In clock order per client (pending structs come first, but may follow the update's).
    if (!sorted) for (const list of this.byClient.values()) list.sort((a, b) => structs[a]!.id.clock - structs[b]!.id.clock);
    for (const [name, type] of doc.share) this.rootNames.set(type, name);
    this.fresh = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const s = structs[i]!;
      if (s instanceof Y.Item && s.id.clock >= this.state(s.id.client)) this.fresh[i] = 1;
    }
    this.originAt = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) if (this.fresh[i]) this.originAt[i] = this.updateAt(this.item(i).origin);
  }

  private state(client: number): number {
    let st = this.states.get(client);
    if (st === undefined) { st = Y.getState(this.store, client); this.states.set(client, st); }
    return st;
  }

  /** Whether struct i is an item the document does not hold yet. */
  isNew(i: number): boolean {
    return this.fresh[i] === 1;
  }

  private item(i: number): Y.Item {
    return this.structs[i] as Y.Item;
  }

  /** The document's item holding `id` (null: not in the document, or garbage-collected). */
  private docAt(id: Y.ID | null): Y.Item | null {
    if (!id || id.clock >= this.state(id.client)) return null;
    const item = Y.getItem(this.store, id) as Y.Item | Y.GC;
    return item instanceof Y.Item ? item : null;
  }

  /** Index of the new update struct holding `id`, or -1. */
  private updateAt(id: Y.ID | null): number {
    if (!id || id.clock < this.state(id.client)) return -1;
    const list = this.byClient.get(id.client);
    if (!list) return -1;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.structs[list[mid]!]!;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return this.fresh[list[mid]!] ? list[mid]! : -1;
    }
    return -1;
  }

  /**
   * Follows `next` from update item `start` through the update, memoised in
   * `memo`; a chain longer than the update is a cycle and yields `fallback`.
   */
  private follow<T>(memo: (T | undefined)[], start: number, next: (i: number) => T | number, fallback: T): T {
    const path: number[] = [];
    let result: T | undefined;
    for (let i = start; result === undefined;) {
      const known = memo[i];
      if (known !== undefined) { result = known; break; }
      if (path.length > this.structs.length) { result = fallback; break; }
      path.push(i);
      const step = next(i);
      if (typeof step === 'number') i = step;
      else result = step;
    }
    for (const p of path) memo[p] = result;
    return result;
  }

  private listOfDocItem(item: Y.Item): List {
    const type = item.parent as SharedType;
    const parent = type._item ? type._item.id : this.rootNames.get(type) ?? null;
    return { key: parentKey(parent, item.parentSub), type, sub: item.parentSub };
  }

  /** The type a decoded item names as its parent (written only when it has no origins), if the document has it. */
  private parentType(s: Y.Item): SharedType | null {
    const parent = parentOf(s);
    if (typeof parent === 'string') return this.doc.share.get(parent) ?? null;
    const item = this.docAt(parent);
    return item && item.content instanceof Y.ContentType ? item.content.type : null;
  }

  /** The list update item `index` goes into (found through its origins, or the parent it names). */
  private list(index: number): List {
    const unknown: List = { key: `?${index}`, type: null, sub: null };
    return this.follow<List>(this.lists, index, (i) => {
      const s = this.item(i);
      if (s.parent !== null) return { key: parentKey(parentOf(s), s.parentSub), type: this.parentType(s), sub: s.parentSub };
      const ref = s.origin ?? s.rightOrigin;
      const inUpdate = this.updateAt(ref);
      if (inUpdate >= 0) return inUpdate;
      const item = this.docAt(ref);
      return item ? this.listOfDocItem(item) : unknown;
    }, unknown);
  }

  /** The document item (or the list's end) that update item `index` lies left of, following right origins. */
  private stopOf(index: number): Stop {
    return this.follow<Stop>(this.stops, index, (i) => {
      const r = this.item(i).rightOrigin;
      if (!r) return 'end';
      const inUpdate = this.updateAt(r);
      return inUpdate >= 0 ? inUpdate : this.docAt(r) ?? 'unknown';
    }, 'unknown');
  }

  /**
   * Walks the document stretch Yjs may scan for new item i: from its origin (or
   * the list's start) to its right origin (or, for a right origin that is new
   * too, the document item that one lies left of; or the list's end), charging
   * each step. Refuses an item whose right origin is left of its origin.
   */
  walkAnchors(i: number, budget: Budget): void {
    const s = this.item(i);
    const left = this.docAt(s.origin);
    if (s.origin && !left) return; // anchored in this update (see familyCost) or to something missing
    let stop: Stop = 'end';
    const right = this.docAt(s.rightOrigin);
    if (right) stop = right;
    else if (s.rightOrigin) {
      const inUpdate = this.updateAt(s.rightOrigin);
      stop = inUpdate >= 0 ? this.stopOf(inUpdate) : 'unknown';
    }
    if (stop === 'unknown') return;
    if (left) {
      if (stop === 'end') {
        walk(left.right, null, 'right', budget);
      } else if (!right) {
        if (stop !== left) walk(left.right, stop, 'right', budget);
      } else if (left === right) {
        if (!(s.rightOrigin!.clock > s.origin!.clock)) throw crossed();
      } else if (left.parent !== right.parent || !walk(left.right, right, 'right', budget)) {
        throw crossed();
      }
      return;
    }
    // No origin: Yjs scans from the start of the list.
    if (stop !== 'end') {
      walk(stop.left, null, 'left', budget);
      return;
    }
    const { type, sub } = this.list(i);
    if (!type) return;
    if (sub !== null) walk(type._map.get(sub) ?? null, null, 'left', budget);
    else walk(type._start, null, 'right', budget);
  }

  /** The family of new item i: items sharing its origin, or (without one) the start of its list. */
  private familyKey(i: number): string {
    const s = this.item(i);
    return s.origin ? `o${idKey(s.origin)}` : `s${this.list(i).key}`;
  }

  private familyHash(i: number): number {
    const s = this.item(i);
    return s.origin ? mixId(FNV, s.origin) : mixString(mix(FNV, 3), this.list(i).key);
  }

  /** Whether new item i's origin lies inside (not at the end of) the update struct holding it. */
  private splits(i: number): boolean {
    const holder = this.originAt[i]!;
    if (holder < 0) return false;
    const h = this.structs[holder]!;
    return this.item(i).origin!.clock < h.id.clock + h.length - 1;
  }

  /**
   * What integrating the update's items may scan among the update's own items.
   * Yjs's scan for an item starts right after its origin and visits only earlier
   * members of its family and their subtrees in the tree of origins, up to its
   * right origin. A member anchored right before another member (as every item
   * typed at one spot is, before the one typed there previously) is placed next to
   * it without a scan, unless other members anchored before the same one came
   * first; every other member may scan the whole family. A family of one member
   * costs nothing (unless its origin splits an update struct), so only items whose
   * family hash is shared are looked at closely.
   */
  familyCost(): number {
    const n = this.structs.length;
    const hashes = new Int32Array(n);
    const slots = new SlotCounts(n);
    for (let i = 0; i < n; i++) if (this.fresh[i]) slots.add(hashes[i] = this.familyHash(i));
    const size = this.subtreeSizes();
    const families = new Map<string, Family>();
    const anchoredTo = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      if (!this.fresh[i]) continue;
      const splits = this.splits(i);
      if (!splits && !slots.shared(hashes[i]!)) continue;
      const key = this.familyKey(i);
      const s = this.item(i);
      let f = families.get(key);
      if (!f) {
        f = { members: 0, unanchored: 0, extra: 0, size: 0, splitSize: -1, splitAnchored: 0 };
        families.set(key, f);
      }
      f.members++;
      f.size += size[i]!;
      const r = s.rightOrigin;
      if (splits && f.splitSize < 0) f.splitSize = size[this.originAt[i]!]!;
      const anchor = this.updateAt(r);
      if (splits && r && r.client === s.origin!.client && r.clock === s.origin!.clock + 1) {
        if (++f.splitAnchored > 1) f.extra++;
      } else if (anchor >= 0 && r!.clock === this.structs[anchor]!.id.clock && this.familyKey(anchor) === key) {
        const g = (anchoredTo.get(anchor) ?? 0) + 1;
        anchoredTo.set(anchor, g);
        if (g > 1) f.extra++;
      } else {
        f.unanchored++;
      }
    }
    let cost = 0;
    for (const f of families.values()) {
      cost += f.extra * f.size;
      cost += f.splitSize >= 0 ? (f.members - f.splitAnchored) * (f.size + f.splitSize) : Math.max(0, f.unanchored - 1) * f.size;
    }
    return cost;
  }

  /** Sizes of the new items' subtrees in the tree of origins (parent: the update struct holding an item's origin). */
  private subtreeSizes(): Float64Array {
    const n = this.structs.length;
    const pending = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = this.originAt[i]!;
      if (p >= 0 && p !== i) pending[p]!++;
    }
    const size = new Float64Array(n).fill(1);
    const queue: number[] = [];
    for (let i = 0; i < n; i++) if (pending[i] === 0) queue.push(i);
    for (let q = 0; q < queue.length; q++) {
      const i = queue[q]!;
      const p = this.originAt[i]!;
      if (p < 0 || p === i) continue;
      size[p]! += size[i]!;
      if (--pending[p]! === 0) queue.push(p);
    }
    return size;
  }
}

/**
 * Yjs applies each deletion range by visiting every struct it covers. Ranges as
 * Yjs writes them are sorted and never overlap; overlapping ones (the same long
 * range a thousand times) are charged for every struct they visit again.
 */
function overlappingDeletionCost(ds: DeleteSet, doc: Y.Doc, budget: Budget): number {
  let cost = 0;
  for (const [client, ranges] of ds.clients) {
    let disjoint = true;
    for (let k = 1; k < ranges.length && disjoint; k++) disjoint = ranges[k]!.clock >= ranges[k - 1]!.clock + ranges[k - 1]!.len;
    if (disjoint) continue;
    const structs = doc.store.clients.get(client);
    if (!structs || structs.length === 0) continue;
    const sorted = [...ranges].sort((a, b) => a.clock - b.clock);
    const last = structs[structs.length - 1]!;
    const known = last.id.clock + last.length;
    const covered = (clock: number, end: number): number => {
      const stop = Math.min(end, known);
      return clock >= stop ? 0 : Y.findIndexSS(structs, stop - 1) - Y.findIndexSS(structs, clock) + 1;
    };
    let union = 0;
    let start = sorted[0]!.clock;
    let end = start;
    for (const r of sorted) {
      cost += covered(r.clock, r.clock + r.len);
      if (r.clock > end) { union += covered(start, end); start = r.clock; }
      end = Math.max(end, r.clock + r.len);
      if (cost - union > budget.left) return cost - union; // enough to refuse
    }
    union += covered(start, end);
    cost -= union;
  }
  return cost;
}
