/**
 * Counts what each key (a client address, an account) holds open, for limits.
 * A key leaves the table with its last holder, so the table stays as small as
 * the set of keys with something open.
 */
export class SlotTable {
  private readonly slots = new Map<string, Slot>();

  constructor(readonly limit: number) {}

  /** Takes one unit for `key`; null when it already holds `limit`. */
  take(key: string): Slot | null {
    let slot = this.slots.get(key);
    if (slot && slot.n >= this.limit) return null;
    if (!slot) {
      slot = new Slot(key, this.slots);
      this.slots.set(key, slot);
    }
    slot.n++;
    return slot;
  }

  /** Whether `key` holds `limit` already. */
  full(key: string): boolean {
    return (this.slots.get(key)?.n ?? 0) >= this.limit;
  }

  get size(): number { return this.slots.size; }

  keys(): IterableIterator<string> { return this.slots.keys(); }
}

/** One key's count; every holder from that key shares it and releases one unit when done. */
export class Slot {
  n = 0;
  constructor(readonly key: string, private readonly table: Map<string, Slot>) {}

  release(): void {
    if (--this.n <= 0 && this.table.get(this.key) === this) this.table.delete(this.key);
  }
}
