/** `f` over `items` with at most `n` running at once, stopping early once `go()` turns false. */
export async function eachLimited<T>(
  items: readonly T[],
  n: number,
  go: () => boolean,
  f: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && go()) {
      const item = items[next++] as T;
      await f(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/** At most `n` of the tasks given to `run` at once; the others wait their turn, in order. */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly idlers: (() => void)[] = [];

  constructor(private readonly n: number) {}

  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.running >= this.n) await new Promise<void>((r) => this.waiting.push(r));
    else this.running += 1;
    try {
      return await f();
    } finally {
      const next = this.waiting.shift();
      // The slot passes to the next task as it is; the last one out says so to whoever waits for that.
      if (next) next();
      else if (--this.running === 0) for (const r of this.idlers.splice(0)) r();
    }
  }

  /** Resolves once nothing runs or waits. */
  idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((r) => this.idlers.push(r));
  }
}
