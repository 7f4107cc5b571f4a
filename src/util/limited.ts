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
