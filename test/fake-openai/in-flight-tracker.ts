/**
 * Counts overlapping in-flight items. Begin and end events take numbers from one counter, so the
 * order is exact even when many events share a millisecond.
 */
interface Interval<Item> {
  item: Item;
  begin: number;
  /** Undefined while still in flight. */
  end: number | undefined;
}

export class InFlightTracker<Item> {
  private readonly intervals: Interval<Item>[] = [];
  private sequence = 0;

  /** Marks `item` in flight; call the returned function once when it ends (extra calls are ignored). */
  begin(item: Item): () => void {
    const interval: Interval<Item> = { item, begin: this.sequence++, end: undefined };
    this.intervals.push(interval);
    return () => {
      if (interval.end === undefined) interval.end = this.sequence++;
    };
  }

  /** Highest number of items in flight at once; with `keyOf`, the highest among per-key counts. */
  peak(keyOf: (item: Item) => string = () => ''): number {
    const events: { at: number; key: string; change: 1 | -1 }[] = [];
    for (const interval of this.intervals) {
      const key = keyOf(interval.item);
      events.push({ at: interval.begin, key, change: 1 });
      if (interval.end !== undefined) events.push({ at: interval.end, key, change: -1 });
    }
    events.sort((left, right) => left.at - right.at);
    const current = new Map<string, number>();
    let peak = 0;
    for (const event of events) {
      const count = (current.get(event.key) ?? 0) + event.change;
      current.set(event.key, count);
      peak = Math.max(peak, count);
    }
    return peak;
  }
}
