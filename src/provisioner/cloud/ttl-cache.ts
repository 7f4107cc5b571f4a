/**
 * Values loaded at most once per time-to-live, the load in flight shared. Each read says how old a
 * value it accepts: a read with 0 (a caller that must see the cloud as it is now) always loads afresh,
 * whatever the reads before it cached.
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; at: number }>();

  constructor(private readonly now: () => number) {}

  get(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < ttlMs) return hit.value;
    const value = load();
    this.entries.set(key, { value, at: this.now() });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}
