/** `newest` when no key is the newest (keys may be anything, `undefined` included). */
const noKey: unique symbol = Symbol('no key');

/**
 * A Map that keeps at most `capacity` entries and drops the least recently used: the bounded
 * in-process caches on a step's path (transcript windows, agendas, context windows, speakers'
 * label patterns). A read or a write makes an entry the most recent (a Map iterates in insertion
 * order, so the first key is the one to drop).
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();
  /**
   * The most recent key, while it is in the map: asked for again, it is already where a read
   * would move it (a step asks for the same few keys over and over; a move is a delete and an
   * insert, and a Map's deletes pile up until it rehashes).
   */
  private newest: K | typeof noKey = noKey;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    if (this.newest === key) return this.entries.get(key);
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.newest = key;
    if (this.entries.size > this.capacity) this.delete(this.entries.keys().next().value!);
  }

  delete(key: K): void {
    this.entries.delete(key);
    if (this.newest === key) this.newest = noKey;
  }

  /** The value kept for `key`, or `compute(key)`, kept (an undefined value is kept too). */
  remember(key: K, compute: (key: K) => V): V {
    if (this.newest === key || this.entries.has(key)) return this.get(key) as V;
    const value = compute(key);
    this.set(key, value);
    return value;
  }
}
