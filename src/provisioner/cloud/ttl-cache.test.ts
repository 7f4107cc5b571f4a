import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('loads once per ttl, afresh for a read that accepts nothing older than now, and again after a failure', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<number>(() => now);
    const load = () => Promise.resolve((loads += 1));
    expect(await cache.get('k', 5_000, load)).toBe(1);
    now = 4_999;
    expect(await cache.get('k', 5_000, load)).toBe(1);
    // A fresh read (a claim deleted whose instance the cached list lacks) is never served the cache.
    expect(await cache.get('k', 0, load)).toBe(2);
    expect(await cache.get('k', 5_000, load)).toBe(2);
    now = 10_000;
    expect(await cache.get('k', 5_000, load)).toBe(3);
    const failing = cache.get('k', 0, () => Promise.reject(new Error('EC2 away')));
    await expect(failing).rejects.toThrow('EC2 away');
    expect(await cache.get('k', 5_000, load)).toBe(4);
  });
});
