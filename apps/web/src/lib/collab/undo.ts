import type * as Y from 'yjs';

/**
 * Routes undo/redo across several Y.UndoManagers (text edits, codings in the
 * transcript, codings in a private layer document) so Ctrl-Z undoes *your* most
 * recent action, whichever document it touched. Each manager only tracks this
 * user's own origins, so other people's work is never undone.
 */
export class UndoRouter {
  #undoOrder: Y.UndoManager[] = [];
  #redoOrder: Y.UndoManager[] = [];
  readonly #offs: (() => void)[] = [];
  #listeners = new Set<() => void>();

  constructor(readonly managers: Y.UndoManager[]) {
    for (const m of managers) this.add(m);
  }

  add(m: Y.UndoManager): void {
    const onAdded = (e: { type: 'undo' | 'redo' }): void => {
      (e.type === 'undo' ? this.#undoOrder : this.#redoOrder).push(m);
      this.changed();
    };
    const onCleared = (e: { undoStackCleared: boolean; redoStackCleared: boolean }): void => {
      if (e.undoStackCleared) this.#undoOrder = this.#undoOrder.filter((x) => x !== m);
      if (e.redoStackCleared) this.#redoOrder = this.#redoOrder.filter((x) => x !== m);
      this.changed();
    };
    const onPopped = (): void => this.changed();
    m.on('stack-item-added', onAdded);
    m.on('stack-cleared', onCleared);
    m.on('stack-item-popped', onPopped);
    this.#offs.push(() => {
      m.off('stack-item-added', onAdded);
      m.off('stack-cleared', onCleared);
      m.off('stack-item-popped', onPopped);
    });
    if (!this.managers.includes(m)) this.managers.push(m);
  }

  private changed(): void {
    for (const fn of this.#listeners) fn();
  }

  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  get canUndo(): boolean {
    return this.managers.some((m) => m.undoStack.length > 0);
  }

  get canRedo(): boolean {
    return this.managers.some((m) => m.redoStack.length > 0);
  }

  undo(): boolean {
    return this.step(this.#undoOrder, (m) => m.undoStack.length > 0, (m) => m.undo() !== null);
  }

  redo(): boolean {
    return this.step(this.#redoOrder, (m) => m.redoStack.length > 0, (m) => m.redo() !== null);
  }

  private step(order: Y.UndoManager[], has: (m: Y.UndoManager) => boolean, run: (m: Y.UndoManager) => boolean): boolean {
    while (order.length) {
      const m = order.pop()!;
      if (has(m)) {
        m.stopCapturing();
        return run(m);
      }
    }
    // order lost track (e.g. merged captures): fall back to any manager that can
    const m = this.managers.find(has);
    return m ? run(m) : false;
  }

  destroy(): void {
    for (const off of this.#offs) off();
    this.#listeners.clear();
  }
}
