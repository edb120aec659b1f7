import type { ResolvedCoding } from '@concord/shared';
import type { ViewCoding } from '../editor/codings.ts';
import { StableLanes } from '../view/lanes.ts';

/** A person as the coding view shows them. */
export interface Person {
  name: string;
  color: string;
}

/** What the coding view needs of a code (CodebookStore's `resolve` gives it). */
export interface CodeLook {
  id: string;
  name: string;
  color: string;
  path: string;
  abbreviation: string | null;
}

/** The codebook as the view model reads it: codes by id, following merges. */
export interface CodeLookup {
  resolve(codeId: string): CodeLook | null;
  resolveId(codeId: string): string;
}

/** Whose codings are shown: everyone's, mine, or one person's (their user id). */
export type ShowCoders = 'all' | 'mine' | (string & {});

export const FORMER_MEMBER: Person = { name: 'Former member', color: '#8a93a3' };
const DELETED_CODE = { name: 'Deleted code', color: '#b3b3b3' } as const;

/**
 * The coding view's model: the transcript's codings joined with the codebook
 * (name, colour, path), the people (name, colour), margin lanes and counts.
 *
 * Inputs are read through functions (rune state of the session, the codebook
 * store and the page), so everything here is derived and recomputes only when
 * they change. A coding whose shown fields did not change keeps its object, so
 * the editor redraws only what changed.
 */
export class CodingView {
  /** Whose codings the transcript shows. */
  show = $state<ShowCoders>('all');

  readonly #codings: () => readonly ResolvedCoding[];
  readonly #codebook: () => CodeLookup | null;
  readonly #people: () => ReadonlyMap<string, Person>;
  readonly #me: string;
  #previous = new Map<string, ViewCoding>();
  /** The lanes of the last list shown, and that list (to place only newer codings next time). */
  #lanes: { of: Set<ResolvedCoding>; lanes: StableLanes } | null = null;

  constructor(opts: {
    codings: () => readonly ResolvedCoding[];
    codebook: () => CodeLookup | null;
    people: () => ReadonlyMap<string, Person>;
    me: string;
  }) {
    this.#codings = opts.codings;
    this.#codebook = opts.codebook;
    this.#people = opts.people;
    this.#me = opts.me;
  }

  /** The codings shown, in text order, as the editor draws them. */
  readonly items: ViewCoding[] = $derived.by(() => this.#join());

  /** Codings in this transcript per code (merged codes counted as what they became), everyone's. */
  readonly counts: ReadonlyMap<string, number> = $derived.by(() => {
    const m = new Map<string, number>();
    const cb = this.#codebook();
    if (!cb) return m;
    // per code, not per coding: thousands of codings share a few dozen codes
    const perCode = new Map<string, number>();
    for (const c of this.#codings()) perCode.set(c.codeId, (perCode.get(c.codeId) ?? 0) + 1);
    for (const [codeId, n] of perCode) {
      const id = cb.resolveId(codeId);
      m.set(id, (m.get(id) ?? 0) + n);
    }
    return m;
  });

  /** The other people who coded here (for "Only …’s codings"). */
  readonly otherCoders: { id: string; name: string }[] = $derived.by(() => {
    const ids = new Set(this.#codings().map((c) => c.coderId));
    ids.delete(this.#me);
    const people = this.#people();
    return [...ids].map((id) => ({ id, name: (people.get(id) ?? FORMER_MEMBER).name })).sort((a, b) => a.name.localeCompare(b.name));
  });

  /** The shown codings with these ids (e.g. the coding card's). */
  pick(ids: readonly string[]): ViewCoding[] {
    const want = new Set(ids);
    return this.items.filter((c) => want.has(c.id));
  }

  #join(): ViewCoding[] {
    const cb = this.#codebook();
    if (!cb) return [];
    const people = this.#people();
    const show = this.show;
    const me = this.#me;
    const list = this.#codings().filter((c) => show === 'all' || (show === 'mine' ? c.coderId === me : c.coderId === show));
    const lanes = this.#lanesFor(list).lane;
    const previous = this.#previous;
    const next = new Map<string, ViewCoding>();
    const out: ViewCoding[] = [];
    const codes = new Map<string, CodeLook | null>();
    for (const c of list) {
      let code = codes.get(c.codeId);
      if (code === undefined) codes.set(c.codeId, (code = cb.resolve(c.codeId)));
      const person = people.get(c.coderId) ?? FORMER_MEMBER;
      const fresh: ViewCoding = {
        id: c.id,
        codeId: code?.id ?? c.codeId,
        coderId: c.coderId,
        coderName: person.name,
        coderColor: person.color,
        start: c.start,
        end: c.end,
        color: code?.color ?? DELETED_CODE.color,
        name: code?.name ?? DELETED_CODE.name,
        path: code?.path ?? '',
        short: code?.abbreviation || code?.name || DELETED_CODE.name,
        createdAt: c.createdAt,
        lane: lanes.get(c.id) ?? 0,
        mine: c.coderId === me,
        ...(c.memo ? { memo: c.memo } : {}),
      };
      const old = previous.get(c.id);
      const v = old && sameView(old, fresh) ? old : fresh;
      next.set(c.id, v);
      out.push(v);
    }
    this.#previous = next;
    return out;
  }

  /**
   * Lanes for `list`: when it is the last list plus codings made after all of them
   * (someone coded), only those are placed; otherwise all are placed again.
   */
  #lanesFor(list: readonly ResolvedCoding[]): StableLanes {
    const last = this.#lanes;
    if (last) {
      let kept = 0;
      const added: ResolvedCoding[] = [];
      for (const c of list) {
        if (last.of.has(c)) kept++;
        else added.push(c);
      }
      added.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      if (kept === last.of.size && added.every((c, i) => (i === 0 ? last.lanes.canAdd(c) : true))) {
        for (const c of added) last.lanes.add(c);
        for (const c of added) last.of.add(c);
        return last.lanes;
      }
    }
    const lanes = StableLanes.of(list);
    this.#lanes = { of: new Set(list), lanes };
    return lanes;
  }
}

function sameView(a: ViewCoding, b: ViewCoding): boolean {
  return a.start === b.start && a.end === b.end && a.codeId === b.codeId && a.color === b.color && a.name === b.name
    && a.path === b.path && a.short === b.short && a.lane === b.lane && a.coderName === b.coderName
    && a.coderColor === b.coderColor && a.memo === b.memo && a.mine === b.mine;
}
