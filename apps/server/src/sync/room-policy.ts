import * as Y from 'yjs';
import {
  codeFieldsProblem, codeProblem, codebookRoom, CodebookDoc, codingProblem, CommentsDoc, decisionProblem, malformedThreads, parseRoom, TranscriptDoc,
  type Coding, type MalformedEntry, type Room as RoomName,
} from '@concord/shared';
import type { Connection } from './connection.ts';
import type { Room } from './room.ts';
import { updateTargets, type UpdateTargets } from './update-targets.ts';

/**
 * What one kind of room may hold and what it passes on, chosen once when the room
 * is created (docs/sync-protocol.md, "Room kinds"). Every hook is optional.
 */
export interface RoomPolicy {
  /**
   * Checks a client's update before it touches the document: why it is refused, or
   * null. May wait (for a code created a moment ago in the codebook room).
   */
  check?(conn: Connection, update: Uint8Array): string | null | Promise<string | null>;
  /** After a client's update was applied (same tick, before it is committed). */
  afterApply?(conn: Connection, tr: Y.Transaction): void;
  /** After the room's updates were committed. */
  afterCommit?(): void;
  /** Entries of the loaded document that readers skip (stored in a bad shape), to report once per load. */
  malformed?(): MalformedEntry[];
  /** What clients receive of an awareness state (null: all of it). Asked at every send. */
  awarenessView?(): ((state: Record<string, unknown>) => Record<string, unknown>) | null;
}

/** Hooks of other parts of the server, composed into the policies of their room kind. */
export interface PolicyExtensions {
  comments?: {
    check?(room: Room, conn: Connection, update: Uint8Array): string | null;
    afterApply?(room: Room, where: { projectId: string; transcriptId: string }, conn: Connection, tr: Y.Transaction): void;
  };
  transcript?: {
    afterCommit?(room: Room, where: { projectId: string; transcriptId: string }): void;
  };
}

export type RoomPolicyFactory = (room: Room) => RoomPolicy;

/** Reads the code ids a project's codebook holds or held (`CodebookDoc.knownIds`). */
export type CodeIdReader = (projectId: string) => Promise<Set<string>>;

export interface PolicyOptions extends PolicyExtensions {
  codeIds: CodeIdReader;
  /** How long an update naming an unknown code waits for the codebook to catch up (ms). */
  codeWaitMs?: number;
}

/** The policy factory the room manager calls once per room. */
export function roomPolicies(opts: PolicyOptions): RoomPolicyFactory {
  const codes = new KnownCodes(opts.codeIds, opts.codeWaitMs ?? 5_000);
  return (room) => {
    const parsed = parseRoom(room.name);
    switch (parsed?.kind) {
      case 'codebook': return codebookPolicy(room);
      case 'transcript': return transcriptPolicy(room, parsed, codes, opts);
      case 'layer': return layerPolicy(room, parsed, codes);
      case 'comments': return commentsPolicy(room, parsed, opts);
      default: return {};
    }
  };
}

/** Fields of an awareness state everyone sees while coding is blind: who is there and what they do, not where. */
const BLIND_AWARENESS_FIELDS = ['user', 'activity'] as const;

function blindView(state: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of BLIND_AWARENESS_FIELDS) if (f in state) out[f] = state[f];
  return out;
}

// ---- the room kinds ---------------------------------------------------------------

function codebookPolicy(room: Room): RoomPolicy {
  const codesMap = room.doc.getMap<unknown>('codes');
  const byTrial = (update: Uint8Array): string | null => trial(room.doc, update, ['codes', 'aliases'], (copy, events) => {
    const codes = copy.getMap('codes');
    for (const key of touchedKeys(events.get('codes'))) {
      if (!codes.has(key)) continue; // deleted
      const problem = codeProblem(key, codes.get(key));
      if (problem) return problem;
    }
    const aliases = copy.getMap('aliases');
    for (const key of touchedKeys(events.get('aliases'))) {
      if (aliases.has(key) && !isAlias(key, aliases.get(key))) return 'an alias must name another code';
    }
    return null;
  });
  return {
    malformed: () => new CodebookDoc(room.doc).malformed(),
    check(_conn, update) {
      const t = updateTargets(update, room.doc);
      if (!t) return byTrial(update);
      // Typing in a code's definition (depth 2) needs no check; entries and their fields do.
      if (!t.shallow.has('codes') && !t.roots.has('aliases')) return null;
      for (const a of t.added) {
        if (a.root === 'aliases' && !(a.item.content instanceof Y.ContentDeleted) && (a.depth > 0 || !isAlias(a.key ?? '', plainValue(a.item)))) {
          return 'an alias must name another code';
        }
      }
      // Each code the update writes, as the update leaves it: a new entry's fields, or the stored ones with the update's on top.
      const touched = new Set<string>();
      for (const x of [...t.added, ...t.removed]) if (x.root === 'codes' && x.depth <= 1 && x.rootKey !== null) touched.add(x.rootKey);
      for (const key of touched) {
        const entry = t.added.find((a) => a.root === 'codes' && a.depth === 0 && a.key === key && !(a.item.content instanceof Y.ContentDeleted));
        const stored = codesMap.get(key);
        // A code deleted (merged, removed) by this update: nothing of it is left to check.
        if (!entry && (!codesMap.has(key) || t.removed.some((r) => r.root === 'codes' && r.depth === 0 && r.key === key && r.item === codesMap._map.get(key)))) continue;
        if (entry && !(entry.item.content instanceof Y.ContentType && entry.item.content.type instanceof Y.Map)) return 'a code must be a map';
        const fields = new Map<string, Y.Item>();
        for (const a of t.added) {
          if (a.root !== 'codes' || a.depth !== 1 || a.rootKey !== key || a.key === null) continue;
          const prev = fields.get(a.key);
          if (!prev || a.item.id.clock > prev.id.clock) fields.set(a.key, a.item);
        }
        const storedMap = !entry && stored instanceof Y.Map ? (stored as Y.Map<unknown>) : null;
        const cleared = new Set(t.removed.filter((r) => r.root === 'codes' && r.depth === 1 && r.rootKey === key && r.key !== null && !r.item.deleted
          && storedMap?._map.get(r.key) === r.item).map((r) => r.key!));
        const problem = codeFieldsProblem(key, (f) => {
          const written = fields.get(f);
          if (written) return written.content instanceof Y.ContentType ? written.content.type : plainValue(written);
          if (!storedMap || cleared.has(f)) return undefined;
          return storedMap.get(f);
        });
        if (problem) return problem;
      }
      return null;
    },
  };
}

const isAlias = (key: string, v: unknown): boolean => typeof v === 'string' && v.length > 0 && v !== key;

function transcriptPolicy(
  room: Room, where: Extract<RoomName, { kind: 'transcript' }>, codes: KnownCodes, opts: PolicyExtensions,
): RoomPolicy {
  const td = new TranscriptDoc(room.doc);
  const isBlind = () => {
    const m = td.getMeta();
    return m.mode === 'independent' && !m.revealed;
  };
  let blind = false;
  // Who coded each coding deleted while the room is loaded: undoing a deletion puts the coding back as it was.
  const deleted = new Map<string, string>();
  td.codings.observe((ev) => {
    for (const [key, change] of ev.changes.keys) {
      if (change.action !== 'delete' || codingProblem(key, change.oldValue) !== null) continue;
      if (deleted.size >= 10_000) deleted.delete(deleted.keys().next().value!);
      deleted.set(key, (change.oldValue as Coding).coderId);
    }
  });
  // Mode and reveal are set by the server (clients may not write `meta`); presence follows at once.
  td.meta.observe(() => {
    const now = isBlind();
    if (now !== blind) {
      blind = now;
      room.refreshAwareness();
    }
  });
  const afterCommit = opts.transcript?.afterCommit;
  return {
    check(conn, update) {
      const t = updateTargets(update, room.doc);
      if (t && ![...t.roots].some((r) => GUARDED_TRANSCRIPT_PARTS.has(r))) return null;
      return codes.then(where.projectId, codeIdsIn(update), () => {
        const m = td.getMeta();
        const reconciling = m.mode === 'independent' && m.revealed;
        const rule = (c: Coding, before: Coding | null): string | null => {
          if (before) return c.coderId === before.coderId || c.coderId === conn.userId ? null : 'a coding keeps its coder';
          if (c.coderId === conn.userId) return null;
          // Undo of a deletion restores the coding with its coder.
          if (deleted.get(c.id) === c.coderId) return null;
          // The documented exception: reconciliation results record the coders they came from.
          if (reconciling && typeof c.decision === 'string') return null;
          return 'a new coding must be yours';
        };
        const serverOnly = 'the coding mode and reveal are changed only by the server';
        if (t) {
          // Judged from the update's items, without applying it (a copy of a long transcript costs far more).
          for (const key of ['mode', 'revealed'] as const) {
            const writes = t.added.filter((a) => a.root === 'meta' && a.depth === 0 && a.key === key);
            if (writes.some((a) => !(a.item.content instanceof Y.ContentDeleted) && plainValue(a.item) !== m[key])) return serverOnly;
            const current = td.meta._map.get(key);
            if (writes.length === 0 && t.removed.some((r) => r.item === current && !r.item.deleted)) return serverOnly;
          }
          const codingWrites = writesOf(t, 'codings', (key) => td.codings.get(key));
          if (typeof codingWrites === 'string') return codingWrites;
          return checkCodings(codingWrites, rule) ?? checkDecisions(decisionsOf(t), conn.userId);
        }
        return trial(room.doc, update, [...GUARDED_TRANSCRIPT_PARTS], (copy, events) => {
          const after = new TranscriptDoc(copy).getMeta();
          if (after.mode !== m.mode || after.revealed !== m.revealed) return serverOnly;
          return checkCodings(writesFromEvents(copy, events.get('codings')), rule) ?? checkDecisions(events.get('decisions'), conn.userId);
        });
      });
    },
    ...(afterCommit ? { afterCommit: () => afterCommit(room, where) } : {}),
    malformed: () => td.malformed(),
    awarenessView: () => ((blind = isBlind()) ? blindView : null),
  };
}

/** Parts of a transcript document whose changes the policy checks; `body` (the text) and others are free. */
const GUARDED_TRANSCRIPT_PARTS = new Set(['meta', 'codings', 'decisions']);

function layerPolicy(room: Room, where: Extract<RoomName, { kind: 'layer' }>, codes: KnownCodes): RoomPolicy {
  return {
    malformed: () => new TranscriptDoc(room.doc).malformed(),
    check(_conn, update) {
      const t = updateTargets(update, room.doc);
      if (t && !t.roots.has('codings')) return null;
      // A layer holds only its owner's codings.
      const rule = (c: Coding): string | null => (c.coderId === where.userId ? null : 'a layer holds only its coder\'s codings');
      const codings = room.doc.getMap<unknown>('codings');
      return codes.then(where.projectId, codeIdsIn(update), () => {
        if (!t) return trial(room.doc, update, ['codings'], (copy, events) => checkCodings(writesFromEvents(copy, events.get('codings')), rule));
        const writes = writesOf(t, 'codings', (key) => codings.get(key));
        return typeof writes === 'string' ? writes : checkCodings(writes, rule);
      });
    },
  };
}

function commentsPolicy(room: Room, where: Extract<RoomName, { kind: 'comments' }>, opts: PolicyExtensions): RoomPolicy {
  const ext = opts.comments;
  return {
    malformed: () => malformedThreads(new CommentsDoc(room.doc)),
    ...(ext?.check ? { check: (conn: Connection, update: Uint8Array) => ext.check!(room, conn, update) } : {}),
    ...(ext?.afterApply ? { afterApply: (conn: Connection, tr: Y.Transaction) => ext.afterApply!(room, where, conn, tr) } : {}),
  };
}

// ---- checks ----------------------------------------------------------------------------

/** One event of a trial, read while Yjs allows it (inside the observer). */
interface Change {
  /** Path from the root to the changed type (empty: the root itself). */
  path: (string | number)[];
  /** Map keys changed, with the value before. */
  keys: Map<string, { action: 'add' | 'update' | 'delete'; oldValue: unknown }>;
  /** Values inserted into a list. */
  added: unknown[];
  /** Whether list items were deleted. */
  deleted: boolean;
}

type Events = Map<string, Change[]>;

function readChange(ev: Y.YEvent<Y.AbstractType<unknown>>): Change {
  const { keys, added, deleted } = ev.changes;
  const values: unknown[] = [];
  if (ev.target instanceof Y.Array) for (const item of added) values.push(...item.content.getContent());
  return { path: ev.path, keys: new Map(keys), added: values, deleted: deleted.size > 0 };
}

/**
 * Applies `update` to a copy of `doc`, collecting the events under the `roots`
 * named, and lets `inspect` judge the copy: the room's document is only touched
 * once an update passed.
 */
function trial(doc: Y.Doc, update: Uint8Array, roots: string[], inspect: (copy: Y.Doc, events: Events) => string | null): string | null {
  const copy = new Y.Doc({ gc: false });
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    const events: Events = new Map();
    const offs: (() => void)[] = [];
    for (const root of roots) {
      // Each root with its usual type; a root of another type would not be read by Concord.
      const type = root === 'turns' || root === 'decisions' ? copy.getArray(root) : copy.getMap(root);
      const listener = (evs: Y.YEvent<Y.AbstractType<unknown>>[]) => {
        const list = events.get(root) ?? [];
        for (const ev of evs) list.push(readChange(ev));
        events.set(root, list);
      };
      type.observeDeep(listener);
      offs.push(() => type.unobserveDeep(listener));
    }
    Y.applyUpdate(copy, update);
    for (const off of offs) off();
    return inspect(copy, events);
  } finally {
    copy.destroy();
  }
}

/** Keys of a root map that the events touched (its own keys, and the entries nested changes are under). */
function touchedKeys(events: Change[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const ev of events ?? []) {
    if (ev.path.length === 0) for (const k of ev.keys.keys()) out.add(k);
    else out.add(String(ev.path[0]));
  }
  return out;
}

/** A value written under a key of a root map, and the valid coding it replaces. */
interface Write { key: string; value: unknown; before: Coding | null }

const asCoding = (key: string, v: unknown): Coding | null => (codingProblem(key, v) === null ? (v as Coding) : null);

/** The value a map item holds (undefined for deleted or non-plain content). */
function plainValue(item: Y.Item): unknown {
  const c = item.content;
  if (c instanceof Y.ContentAny) return c.getContent().at(-1);
  if (c instanceof Y.ContentString || c instanceof Y.ContentJSON || c instanceof Y.ContentBinary) return c.getContent().at(-1);
  return undefined;
}

/** What an update writes into the root map `root`, from its items; a string when it writes something a map of plain values cannot hold. */
function writesOf(t: UpdateTargets, root: string, current: (key: string) => unknown): Write[] | string {
  const out: Write[] = [];
  for (const a of t.added) {
    if (a.root !== root) continue;
    if (a.depth > 0 || a.key === null) return `${root} are plain values`;
    if (a.item.content instanceof Y.ContentDeleted) continue; // written and deleted again: holds nothing
    if (!(a.item.content instanceof Y.ContentAny) || a.item.content.getContent().length !== 1) return `${root} are plain values`;
    out.push({ key: a.key, value: a.item.content.getContent()[0], before: asCoding(a.key, current(a.key)) });
  }
  return out;
}

/** The same, from a trial's events (used when the update's items cannot all be placed without applying it). */
function writesFromEvents(copy: Y.Doc, events: Change[] | undefined): Write[] | string {
  const codings = copy.getMap<unknown>('codings');
  const out: Write[] = [];
  for (const ev of events ?? []) {
    if (ev.path.length > 0) return 'codings are plain values';
    for (const [key, change] of ev.keys) {
      if (change.action === 'delete') continue;
      out.push({ key, value: codings.get(key), before: change.action === 'update' ? asCoding(key, change.oldValue) : null });
    }
  }
  return out;
}

/** Checks written codings: the schema's shape, then `rule` (the coder). */
function checkCodings(writes: Write[] | string, rule: (c: Coding, before: Coding | null) => string | null): string | null {
  if (typeof writes === 'string') return writes;
  for (const w of writes) {
    const problem = codingProblem(w.key, w.value);
    if (problem) return problem;
    const refused = rule(w.value as Coding, w.before);
    if (refused) return refused;
  }
  return null;
}

/** The decision log's changes as the update's items show them. */
function decisionsOf(t: UpdateTargets): Change[] {
  const added = t.added.filter((a) => a.root === 'decisions');
  const removed = t.removed.filter((r) => r.root === 'decisions' && !r.item.deleted);
  if (added.length === 0 && removed.length === 0) return [];
  const nested = added.some((a) => a.depth > 0);
  const values: unknown[] = [];
  for (const a of added) if (!(a.item.content instanceof Y.ContentDeleted)) values.push(...a.item.content.getContent());
  return [{ path: nested ? ['nested'] : [], keys: new Map(), added: values, deleted: removed.length > 0 }];
}

/** The decision log is append-only and each entry is its writer's. */
function checkDecisions(events: Change[] | undefined, userId: string): string | null {
  for (const ev of events ?? []) {
    if (ev.path.length > 0) return 'decisions are plain values';
    if (ev.deleted) return 'the decision log is append-only';
    for (const d of ev.added) {
      const problem = decisionProblem(d);
      if (problem) return problem;
      if ((d as { userId: string }).userId !== userId) return 'a decision must be yours';
    }
  }
  return null;
}

/** Code ids named by the codings an update carries (plain values with a `codeId`). */
function codeIdsIn(update: Uint8Array): string[] {
  const out = new Set<string>();
  for (const s of Y.decodeUpdate(update).structs) {
    if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentAny)) continue;
    for (const v of s.content.getContent()) {
      const id = v && typeof v === 'object' ? (v as { codeId?: unknown }).codeId : undefined;
      if (typeof id === 'string') out.add(id);
    }
  }
  return [...out];
}

/**
 * The code ids each project's codebook holds or held, read on demand. Known ids
 * stay known (deleted codes included), so the cache only grows; an id it does not
 * know sends it back to the codebook, which is waited for a moment: a code created
 * offline or a moment ago may reach the codebook room after the coding that uses it
 * reaches the transcript room.
 */
class KnownCodes {
  private readonly cache = new Map<string, Set<string>>();

  constructor(private readonly read: CodeIdReader, private readonly waitMs: number, private readonly pollMs = 100) {}

  /**
   * Runs `judge` once every id of `ids` is known: at once when the cache knows them
   * (no promise, so the room handles the update in the same tick), else after
   * reading (and waiting for) the codebook. An id still unknown refuses the update.
   */
  then(projectId: string, ids: readonly string[], judge: () => string | null): string | null | Promise<string | null> {
    const known = this.cache.get(projectId);
    if (ids.every((id) => known?.has(id))) return judge();
    return this.missing(projectId, ids).then((unknown) => (unknown.length > 0 ? `unknown code ${unknown[0]!.slice(0, 40)}` : judge()));
  }

  /** The ids among `ids` the project's codebook does not know, after waiting up to `waitMs` for them. */
  async missing(projectId: string, ids: readonly string[]): Promise<string[]> {
    let known = this.cache.get(projectId);
    let unknown = ids.filter((id) => !known?.has(id));
    const deadline = Date.now() + this.waitMs;
    while (unknown.length > 0) {
      known = await this.read(projectId);
      if (this.cache.size > 1_000) this.cache.clear();
      this.cache.set(projectId, known);
      unknown = ids.filter((id) => !known!.has(id));
      if (unknown.length === 0 || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    return unknown;
  }
}

/** Reads known code ids through a room reader (the room manager's `readDoc`). */
export function codeIdsFrom(readDoc: <T>(name: string, fn: (doc: Y.Doc) => T) => Promise<T>): CodeIdReader {
  return (projectId) => readDoc(codebookRoom(projectId), (doc) => new CodebookDoc(doc).knownIds());
}
