import * as Y from 'yjs';

/**
 * Where in a document a client's update writes, found without applying it: for
 * each new item and each deletion, the root type it is under and how deep (0: the
 * root itself holds it, 1: a type stored in the root, …). Room policies use it to
 * skip their full check for updates that touch nothing they guard (typing in the
 * transcript's `body`, in a code's definition).
 */
export interface UpdateTargets {
  /** Root names touched at any depth. */
  roots: Set<string>;
  /** Root names touched at depth 0 or 1 (their entries or their entries' fields). */
  shallow: Set<string>;
  /** The update's new items, placed. */
  added: Target[];
  /** Items of the document the update deletes, placed. */
  removed: Target[];
}

/** Where an item is: its root, its depth below it, and (in a map) its key. */
export interface Target {
  root: string;
  depth: number;
  /** The map key the item is stored under in its parent (null in a list or text). */
  key: string | null;
  /** The key, in the root map, of the entry the item is under (its own key at depth 0). */
  rootKey: string | null;
  item: Y.Item;
}

type AnyType = Y.AbstractType<unknown>;
type Where = { root: string; depth: number; key: string | null; rootKey: string | null } | null;

/** Deleted ranges longer than this are not walked: the caller does its full check instead. */
const MAX_DELETED_STRUCTS = 10_000;

/** null when some target cannot be placed without applying the update (the caller then checks in full). */
export function updateTargets(update: Uint8Array, doc: Y.Doc): UpdateTargets | null {
  const { structs, ds } = Y.decodeUpdate(update);
  const rootNames = new Map<AnyType, string>();
  for (const [name, type] of doc.share) rootNames.set(type as AnyType, name);
  const byClient = new Map<number, Y.Item[]>();
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    const list = byClient.get(s.id.client);
    if (list) list.push(s);
    else byClient.set(s.id.client, [s]);
  }
  const out: UpdateTargets = { roots: new Set(), shallow: new Set(), added: [], removed: [] };
  const add = (w: Where, item: Y.Item, list: Target[]): boolean => {
    if (!w) return false;
    out.roots.add(w.root);
    if (w.depth <= 1) out.shallow.add(w.root);
    list.push({ ...w, item });
    return true;
  };

  const typeWhere = (type: AnyType, key: string | null): Where => {
    let depth = 0;
    let t = type;
    let rootKey = key;
    while (t._item) {
      rootKey = t._item.parentSub;
      t = t._item.parent as AnyType;
      depth++;
    }
    const root = rootNames.get(t);
    return root === undefined ? null : { root, depth, key, rootKey };
  };
  const docItem = (id: Y.ID): Y.Item | null => {
    if (id.clock >= Y.getState(doc.store, id.client)) return null;
    const item = Y.getItem(doc.store, id) as Y.Item | Y.GC;
    return item instanceof Y.Item ? item : null;
  };
  const updateItem = (id: Y.ID): Y.Item | null => {
    for (const s of byClient.get(id.client) ?? []) if (id.clock >= s.id.clock && id.clock < s.id.clock + s.length) return s;
    return null;
  };
  const memo = new Map<Y.Item, Where>();
  const itemWhere = (s: Y.Item, hops: number): Where => {
    if (hops > 64) return null;
    const known = memo.get(s);
    if (known !== undefined) return known;
    let w: Where = null;
    const parent = s.parent as unknown;
    if (typeof parent === 'string') w = { root: parent, depth: 0, key: s.parentSub, rootKey: s.parentSub };
    else if (parent instanceof Y.ID) {
      const holder = docItem(parent);
      if (holder) w = holder.content instanceof Y.ContentType ? typeWhere(holder.content.type as AnyType, s.parentSub) : null;
      else {
        // A type the same update creates (a new code's fields): one level below that type's item.
        const created = updateItem(parent);
        const outer = created && created !== s && created.content instanceof Y.ContentType ? itemWhere(created, hops + 1) : null;
        w = outer ? { root: outer.root, depth: outer.depth + 1, key: s.parentSub, rootKey: outer.rootKey } : null;
      }
    } else if (parent instanceof Y.AbstractType) w = typeWhere(parent as AnyType, s.parentSub);
    else {
      // Without a parent the item goes where its origin is: same type, same map key (Yjs does not encode them).
      const ref = s.origin ?? s.rightOrigin;
      if (ref) {
        const inDoc = docItem(ref);
        if (inDoc) w = typeWhere(inDoc.parent as AnyType, inDoc.parentSub);
        else {
          const inUpdate = updateItem(ref);
          w = inUpdate && inUpdate !== s ? itemWhere(inUpdate, hops + 1) : null;
        }
      }
    }
    memo.set(s, w);
    return w;
  };

  for (const list of byClient.values()) {
    for (const s of list) {
      // Items the document holds already (clients may resend what the server has) change nothing: Yjs skips them.
      if (s.id.clock + s.length <= Y.getState(doc.store, s.id.client)) continue;
      if (!add(itemWhere(s, 0), s, out.added)) return null;
    }
  }

  let walked = 0;
  for (const [client, ranges] of ds.clients) {
    const stored = doc.store.clients.get(client);
    for (const r of ranges) {
      if (!stored || r.clock + r.len > Y.getState(doc.store, client)) return null;
      for (let i = Y.findIndexSS(stored, r.clock); i < stored.length; i++) {
        const s = stored[i]!;
        if (s.id.clock >= r.clock + r.len) break;
        if (++walked > MAX_DELETED_STRUCTS) return null;
        if (s instanceof Y.Item && !add(typeWhere(s.parent as AnyType, s.parentSub), s, out.removed)) return null;
      }
    }
  }
  return out;
}
