/**
 * A small least-recently-used map (Map keeps insertion order; a hit re-inserts), bounded by a number
 * of entries and, optionally, by a total cost (e.g. approximate bytes): the oldest entries go until
 * both fit. An entry that alone costs more than the budget is not kept.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, { v: V; cost: number }>();
  private total = 0;
  constructor(
    readonly capacity: number,
    private readonly budget: { maxCost: number; cost: (key: K, value: V) => number } | null = null,
  ) {}

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e !== undefined) {
      this.map.delete(key);
      this.map.set(key, e);
    }
    return e?.v;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const cost = this.budget ? this.budget.cost(key, value) : 0;
    if (this.budget && cost > this.budget.maxCost) return;
    this.map.set(key, { v: value, cost });
    this.total += cost;
    while (this.map.size > this.capacity || (this.budget && this.total > this.budget.maxCost)) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  private delete(key: K): void {
    const e = this.map.get(key);
    if (!e) return;
    this.total -= e.cost;
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** The total cost of what is kept. */
  get cost(): number {
    return this.total;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }
}
