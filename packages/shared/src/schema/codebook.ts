import * as Y from 'yjs';
import { newId } from './ids.ts';
import { colourOr } from '../colour.ts';

/**
 * The codebook document (room `<projectId>/codebook`):
 *
 *   codes:   Y.Map<Y.Map>   codeId → code: name, abbreviation, color, parentId, order,
 *                          createdAt, createdBy, and four collaborative Y.Text fields:
 *                          definition, inclusion, exclusion, examples
 *   aliases: Y.Map<string>  merged codeId → the codeId it was merged into
 *
 * Codings in transcript documents name a codeId. Renaming and moving a code change
 * only its map; merging records an alias, so every coding follows at once without
 * touching other rooms, even offline, and reads resolve the alias chain.
 */
export interface Code {
  id: string;
  name: string;
  abbreviation: string | null;
  color: string;
  parentId: string | null;
  order: number;
  description: string;
}

export const TEXT_FIELDS = ['definition', 'inclusion', 'exclusion', 'examples'] as const;
export type CodeTextField = (typeof TEXT_FIELDS)[number];

/** A calm, distinguishable palette (Okabe–Ito based, extended). */
export const CODE_COLORS = [
  '#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7',
  '#8DA0CB', '#A6D854', '#FFD92F', '#E78AC3', '#66C2A5', '#FC8D62', '#B3B3B3',
] as const;

export class CodebookDoc {
  constructor(readonly doc: Y.Doc) {}

  get codes(): Y.Map<Y.Map<unknown>> { return this.doc.getMap('codes'); }
  get aliases(): Y.Map<string> { return this.doc.getMap('aliases'); }

  createCode(input: {
    name: string; abbreviation?: string | null; color?: string; parentId?: string | null;
    description?: string; id?: string; createdBy?: string; order?: number;
  }): string {
    const name = input.name.trim();
    if (!name) throw new Error('a code needs a name');
    const id = input.id ?? newId(12);
    this.doc.transact(() => {
      const code = new Y.Map<unknown>();
      code.set('id', id);
      code.set('name', name);
      code.set('abbreviation', input.abbreviation ?? null);
      code.set('color', input.color ?? CODE_COLORS[this.codes.size % CODE_COLORS.length]!);
      code.set('parentId', input.parentId ?? null);
      code.set('order', input.order ?? this.nextOrder(input.parentId ?? null));
      code.set('createdAt', Date.now());
      code.set('createdBy', input.createdBy ?? null);
      for (const f of TEXT_FIELDS) code.set(f, new Y.Text(f === 'definition' ? input.description ?? '' : ''));
      this.codes.set(id, code);
    });
    return id;
  }

  private nextOrder(parentId: string | null): number {
    let max = 0;
    for (const c of this.codes.values()) if ((c.get('parentId') ?? null) === parentId) max = Math.max(max, Number(c.get('order') ?? 0));
    return max + 1;
  }

  get(id: string): Code | null {
    const m = this.codes.get(this.resolveId(id));
    return m ? toCode(m) : null;
  }

  list(): Code[] {
    return [...this.codes.values()].map(toCode).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  }

  findByName(name: string): Code | null {
    const n = name.trim().toLowerCase();
    return this.list().find((c) => c.name.toLowerCase() === n) ?? null;
  }

  text(id: string, field: CodeTextField): Y.Text | null {
    const v = this.codes.get(this.resolveId(id))?.get(field);
    return v instanceof Y.Text ? v : null;
  }

  update(id: string, patch: Partial<Pick<Code, 'name' | 'abbreviation' | 'color' | 'order'>>): void {
    const m = this.codes.get(id);
    if (!m) throw new Error(`unknown code ${id}`);
    this.doc.transact(() => {
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) m.set(k, k === 'name' ? String(v).trim() : v);
    });
  }

  /** Moves a code under a new parent (null: top level). Refuses cycles. */
  move(id: string, parentId: string | null, order?: number): void {
    const m = this.codes.get(id);
    if (!m) throw new Error(`unknown code ${id}`);
    for (let p = parentId; p; p = (this.codes.get(p)?.get('parentId') as string | null) ?? null) {
      if (p === id) throw new Error('a code cannot be moved under itself');
    }
    this.doc.transact(() => {
      m.set('parentId', parentId);
      m.set('order', order ?? this.nextOrder(parentId));
    });
  }

  /**
   * Merges `fromId` into `intoId`: codings of `from` now count as `into`, the
   * children of `from` move under `into`, and `from` leaves the codebook.
   */
  merge(fromId: string, intoId: string): void {
    const into = this.resolveId(intoId);
    if (fromId === into) throw new Error('cannot merge a code into itself');
    if (!this.codes.has(fromId) || !this.codes.has(into)) throw new Error('unknown code');
    this.doc.transact(() => {
      for (const c of this.codes.values()) if (c.get('parentId') === fromId) c.set('parentId', into);
      for (const [k, v] of this.aliases.entries()) if (v === fromId) this.aliases.set(k, into);
      this.aliases.set(fromId, into);
      this.codes.delete(fromId);
    });
  }

  delete(id: string): void {
    this.doc.transact(() => {
      const parent = (this.codes.get(id)?.get('parentId') as string | null) ?? null;
      for (const c of this.codes.values()) if (c.get('parentId') === id) c.set('parentId', parent);
      this.codes.delete(id);
    });
  }

  /** Follows merge aliases to the code a codeId now stands for. */
  resolveId(id: string): string {
    let cur = id;
    for (let i = 0; i < 64; i++) {
      const next = this.aliases.get(cur);
      if (!next) return cur;
      cur = next;
    }
    return cur;
  }

  /** Ids of a code and all its descendants. */
  descendants(id: string): string[] {
    const out = [id];
    for (let i = 0; i < out.length; i++) {
      for (const c of this.codes.values()) if (c.get('parentId') === out[i]) out.push(String(c.get('id')));
    }
    return out;
  }
}

function toCode(m: Y.Map<unknown>): Code {
  const def = m.get('definition');
  return {
    id: String(m.get('id')),
    name: String(m.get('name') ?? ''),
    abbreviation: (m.get('abbreviation') as string | null | undefined) ?? null,
    color: colourOr(m.get('color'), '#999999'),
    parentId: (m.get('parentId') as string | null | undefined) ?? null,
    order: Number(m.get('order') ?? 0),
    description: def instanceof Y.Text ? def.toString() : '',
  };
}
