import type { ResolvedThread } from '@concord/shared';
import { filterCounts, filterThreads, type ThreadFilter } from './filters.ts';
import type { CodingChip } from './types.ts';
import { DRAFT_ID } from '../editor/comments.ts';


/** What a thread's coding chip needs of a coding. */
export interface ChipCoding {
  id: string;
  name: string;
  color: string;
  coderName: string;
}

/**
 * The comments column's model: the threads (as the editor resolved them), which
 * filter lists which, the active thread and its rules, each thread's coding.
 * The panel lays this out and routes keys; the editor draws the anchors.
 */
export class ThreadsModel {
  /** Every thread, resolved against the transcript (set by the editor extension). */
  threads = $state.raw<ResolvedThread[]>([]);
  filter = $state<ThreadFilter>('open');
  /** The open thread (or DRAFT_ID while a new one is written). */
  activeId = $state<string | null>(null);
  /** A thread kept active until the list catches up with a change that moved it (resolve, reply). */
  #holding: string | null = null;

  readonly #me: () => string;
  readonly #ready: () => boolean;
  readonly #codings: () => readonly ChipCoding[];

  constructor(opts: { me: () => string; ready: () => boolean; codings: () => readonly ChipCoding[] }) {
    this.#me = opts.me;
    this.#ready = opts.ready;
    this.#codings = opts.codings;
  }

  /** Threads only make sense once the transcript is there (before, every anchor looks detached). */
  readonly visible: ResolvedThread[] = $derived.by(() => (this.#ready() ? this.threads : []));
  readonly counts: Record<ThreadFilter, number> = $derived.by(() => filterCounts(this.visible, this.#me()));
  readonly listed: ResolvedThread[] = $derived.by(() => filterThreads(this.visible, this.filter, this.#me()));
  readonly attached: ResolvedThread[] = $derived.by(() => this.listed.filter((t) => !t.detached));
  readonly detached: ResolvedThread[] = $derived.by(() => this.listed.filter((t) => t.detached));
  readonly active: ResolvedThread | null = $derived.by(() => (this.activeId ? this.visible.find((t) => t.id === this.activeId) ?? null : null));
  readonly #codingById = $derived.by(() => new Map(this.#codings().map((c) => [c.id, c])));

  /** How a thread shows the coding it is about (if it is about one that is shown). */
  chipOf(t: ResolvedThread): CodingChip | undefined {
    if (!t.codingId) return undefined;
    const c = this.#codingById.get(t.codingId);
    return c ? { name: c.name, color: c.color, coderName: c.coderName } : undefined;
  }

  /** Keep `id` active while the list catches up (it may leave and come back). */
  hold(id: string): void {
    this.#holding = id;
  }

  /** The active thread went away (deleted, or no longer listed): none is active. */
  settleActive(): void {
    const id = this.activeId;
    if (!id || id === DRAFT_ID || !this.#ready()) return;
    if (this.listed.some((t) => t.id === id)) {
      if (this.#holding === id) this.#holding = null;
      return;
    }
    if (id !== this.#holding) this.activeId = null;
  }
}
