import { describe, expect, it } from 'vitest';
import { eachLimited, Limiter } from './limited.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('Limiter', () => {
  it('runs at most n tasks at once, the others in order, and says when it is idle', async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running += 1;
      most = Math.max(most, running);
      await tick();
      order.push(i);
      running -= 1;
      return i;
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => limiter.run(task(i))));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    await limiter.idle();
  });

  it('frees the slot of a task that failed', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await limiter.run(() => Promise.resolve('next'))).toBe('next');
    let idle = false;
    const slow = limiter.run(tick);
    const waiting = limiter.idle().then(() => (idle = true));
    expect(idle).toBe(false);
    await slow;
    await waiting;
    expect(idle).toBe(true);
  });
});

describe('eachLimited', () => {
  it('stops taking items once go() turns false', async () => {
    const seen: number[] = [];
    await eachLimited(
      [1, 2, 3, 4],
      1,
      () => seen.length < 2,
      async (i) => {
        seen.push(i);
        await tick();
      },
    );
    expect(seen).toEqual([1, 2]);
  });
});
