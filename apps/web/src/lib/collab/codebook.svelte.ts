import * as Y from 'yjs';
import { CodebookDoc, CODE_COLORS, codebookRoom, type Code, type CodeTextField } from '@concord/shared';
import { SyncedRoom } from './room.svelte.ts';
import { flattenTree, type TreeNode } from '../view/tree.ts';
import type { CreateCodeRequest } from '../view/subcode.ts';

/** Transaction origin of the codebook changes made in this tab (for the undo manager). */
export const CODEBOOK_ORIGIN = { name: 'concord:codebook' } as const;

export interface CodeView extends Code {
  /** "Parent › Child" of the ancestors (empty at top level). */
  path: string;
  depth: number;
}

/**
 * The project's shared codebook (room `<pid>/codebook`) as rune state: the code
 * list, the tree, and the operations. Every change is one Yjs transaction with
 * CODEBOOK_ORIGIN, so it can be undone by this user only.
 */
export class CodebookStore {
  readonly room: SyncedRoom;
  readonly cb: CodebookDoc;
  readonly undo: Y.UndoManager;

  codes = $state<Code[]>([]);
  tree = $derived<TreeNode<Code>[]>(flattenTree(this.codes));
  byId = $derived<Map<string, CodeView>>(buildIndex(this.tree));
  /** Bumps on every alias change (merges), for re-resolving codings. */
  aliasVersion = $state(0);

  #frame = 0;
  readonly #refresh = (): void => {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.setCodes(this.cb.list());
    });
  };
  #signature = '';

  /** Replaces the list only when something shown changed (typing in a definition does not re-render codings). */
  private setCodes(list: Code[]): void {
    const sig = list.map((c) => `${c.id}\u0000${c.name}\u0000${c.abbreviation ?? ''}\u0000${c.color}\u0000${c.parentId ?? ''}\u0000${c.order}`).join('\u0001');
    if (sig === this.#signature) return;
    this.#signature = sig;
    this.codes = list;
  }
  readonly #onAliases = (): void => {
    this.aliasVersion++;
  };

  constructor(
    readonly projectId: string,
    readonly userId: string,
  ) {
    this.room = new SyncedRoom(codebookRoom(projectId), { userId });
    this.cb = new CodebookDoc(this.room.doc);
    this.cb.codes.observeDeep(this.#refresh);
    this.cb.aliases.observe(this.#onAliases);
    this.undo = new Y.UndoManager([this.cb.codes, this.cb.aliases], { trackedOrigins: new Set([CODEBOOK_ORIGIN]) });
    this.setCodes(this.cb.list());
  }

  /** The current code a (possibly merged) codeId stands for. */
  resolve(codeId: string): CodeView | null {
    // read aliasVersion so callers in $derived re-run after merges
    void this.aliasVersion;
    return this.byId.get(this.cb.resolveId(codeId)) ?? null;
  }

  resolveId(codeId: string): string {
    void this.aliasVersion;
    return this.cb.resolveId(codeId);
  }

  text(codeId: string, field: CodeTextField): Y.Text | null {
    return this.cb.text(codeId, field);
  }

  create(input: { name: string; parentId?: string | null; abbreviation?: string | null; color?: string }): string {
    let id = '';
    this.room.doc.transact(() => {
      id = this.#createOne(input.name, input.parentId ?? null, input.abbreviation ?? null, input.color);
    }, CODEBOOK_ORIGIN);
    this.undo.stopCapturing();
    this.setCodes(this.cb.list());
    return id;
  }

  /**
   * Creates a code from the picker: at the top level, under an existing code, or
   * under a new top-level code created with it. One transaction, so one undo step
   * removes both codes. Returns the new (innermost) code's id.
   */
  createFromPicker(req: CreateCodeRequest): string {
    let id = '';
    this.room.doc.transact(() => {
      let parentId = req.parentId && this.cb.codes.has(req.parentId) ? req.parentId : null;
      if (req.newParentName?.trim()) parentId = this.#createOne(req.newParentName, null, null);
      id = this.#createOne(req.name, parentId, null);
    }, CODEBOOK_ORIGIN);
    this.undo.stopCapturing();
    this.setCodes(this.cb.list());
    return id;
  }

  /** Adds one code with the first palette colour not in use yet (call inside a transaction). */
  #createOne(name: string, parentId: string | null, abbreviation: string | null, color?: string): string {
    const usedColors = new Set(this.cb.list().map((c) => c.color.toLowerCase()));
    return this.cb.createCode({
      name,
      parentId,
      abbreviation,
      color: color ?? CODE_COLORS.find((c) => !usedColors.has(c.toLowerCase())) ?? CODE_COLORS[this.cb.codes.size % CODE_COLORS.length]!,
      createdBy: this.userId,
    });
  }

  rename(id: string, name: string): void {
    const n = name.trim();
    if (!n) return;
    this.room.doc.transact(() => this.cb.update(id, { name: n }), CODEBOOK_ORIGIN);
    this.undo.stopCapturing();
  }

  setAbbreviation(id: string, abbreviation: string): void {
    const a = abbreviation.trim();
    this.room.doc.transact(() => this.cb.update(id, { abbreviation: a || null }), CODEBOOK_ORIGIN);
    this.undo.stopCapturing();
  }

  setColor(id: string, color: string): void {
    this.room.doc.transact(() => this.cb.update(id, { color }), CODEBOOK_ORIGIN);
    this.undo.stopCapturing();
  }

  move(id: string, parentId: string | null, order?: number): void {
    this.room.doc.transact(() => this.cb.move(id, parentId, order), CODEBOOK_ORIGIN);
    this.undo.stopCapturing();
  }

  merge(fromId: string, intoId: string): void {
    this.room.doc.transact(() => this.cb.merge(fromId, intoId), CODEBOOK_ORIGIN);
    this.undo.stopCapturing();
  }

  remove(id: string): void {
    this.room.doc.transact(() => this.cb.delete(id), CODEBOOK_ORIGIN);
    this.undo.stopCapturing();
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
    this.cb.codes.unobserveDeep(this.#refresh);
    this.cb.aliases.unobserve(this.#onAliases);
    this.undo.destroy();
    this.room.destroy();
  }
}

function buildIndex(tree: TreeNode<Code>[]): Map<string, CodeView> {
  const m = new Map<string, CodeView>();
  for (const n of tree) m.set(n.code.id, { ...n.code, path: n.ancestors.join(' › '), depth: n.depth });
  return m;
}
