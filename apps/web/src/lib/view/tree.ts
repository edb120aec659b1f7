/** The code hierarchy as a flat, ordered list for rendering and keyboard navigation. */
export interface TreeCode {
  id: string;
  name: string;
  abbreviation: string | null;
  color: string;
  parentId: string | null;
  order: number;
}

export interface TreeNode<T extends TreeCode = TreeCode> {
  code: T;
  depth: number;
  /** Names of the ancestors, top first. */
  ancestors: string[];
  childCount: number;
}

/**
 * Depth-first, siblings by `order` then name. Codes whose parent is missing (or
 * that sit in a cycle) are shown at the top level, so nothing is ever hidden.
 * `collapsed` hides descendants of the given ids.
 */
export function flattenTree<T extends TreeCode>(codes: readonly T[], collapsed: ReadonlySet<string> = new Set()): TreeNode<T>[] {
  const byId = new Map(codes.map((c) => [c.id, c]));
  const children = new Map<string | null, T[]>();
  const effectiveParent = (c: T): string | null => {
    if (!c.parentId || !byId.has(c.parentId)) return null;
    // walk up to detect cycles
    const seen = new Set<string>([c.id]);
    for (let p: string | null = c.parentId; p; p = byId.get(p)?.parentId ?? null) {
      if (seen.has(p)) return null;
      seen.add(p);
      if (!byId.has(p)) break;
    }
    return c.parentId;
  };
  for (const c of codes) {
    const p = effectiveParent(c);
    const list = children.get(p) ?? [];
    list.push(c);
    children.set(p, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  const out: TreeNode<T>[] = [];
  const walk = (parent: string | null, depth: number, ancestors: string[]): void => {
    for (const c of children.get(parent) ?? []) {
      const kids = children.get(c.id)?.length ?? 0;
      out.push({ code: c, depth, ancestors, childCount: kids });
      if (kids && !collapsed.has(c.id)) walk(c.id, depth + 1, [...ancestors, c.name]);
    }
  };
  walk(null, 0, []);
  return out;
}

/** True when `id` may be placed under `parentId` (not itself, not one of its descendants). */
export function canMoveUnder(codes: readonly TreeCode[], id: string, parentId: string | null): boolean {
  if (parentId === null) return true;
  if (parentId === id) return false;
  const byId = new Map(codes.map((c) => [c.id, c]));
  const seen = new Set<string>();
  for (let p: string | null = parentId; p; p = byId.get(p)?.parentId ?? null) {
    if (p === id) return false;
    if (seen.has(p)) break;
    seen.add(p);
  }
  return true;
}

export type DropPosition = 'before' | 'inside' | 'after';

/**
 * Where a dragged code lands when dropped on `target` at `position`: its new
 * parent and an `order` between the neighbours (orders are floats, so nothing
 * else has to be renumbered).
 */
export function dropPlacement(
  codes: readonly TreeCode[],
  target: TreeCode,
  position: DropPosition,
): { parentId: string | null; order: number } {
  if (position === 'inside') {
    const kids = codes.filter((c) => c.parentId === target.id);
    const max = kids.reduce((m, c) => Math.max(m, c.order), 0);
    return { parentId: target.id, order: max + 1 };
  }
  const parentId = target.parentId;
  const siblings = codes
    .filter((c) => c.parentId === parentId)
    .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  const i = siblings.findIndex((c) => c.id === target.id);
  if (position === 'before') {
    const prev = siblings[i - 1];
    return { parentId, order: prev ? (prev.order + target.order) / 2 : target.order - 1 };
  }
  const next = siblings[i + 1];
  return { parentId, order: next ? (target.order + next.order) / 2 : target.order + 1 };
}

/** "Parent › Child" label. */
export function codePath(node: { ancestors: string[]; code: { name: string } }): string {
  return [...node.ancestors, node.code.name].join(' › ');
}
