import { describe, expect, it } from 'vitest';
import { lowerMainThread, MAIN_NICE, mainNice, POD_MAIN_NICE, yieldWhenOn } from './main-nice.js';

describe('--main-nice', () => {
  it.each([
    [undefined, MAIN_NICE],
    [String(POD_MAIN_NICE), 10],
    ['0', 0],
    ['5', 5],
    ['19', 19],
  ])('%s gives %i', (v, n) => {
    expect(mainNice(v)).toBe(n);
  });

  it.each(['-1', '20', '2.5', 'low', ''])('refuses %j, saying the range', (v) => {
    expect(() => mainNice(v)).toThrow(/--main-nice must be a whole number from 0 to 19/);
  });

  it('sets the thread once, and says so; nothing at 0; says why when the system refuses', () => {
    const set: number[] = [];
    expect(lowerMainThread(0, (p) => set.push(p))).toBeUndefined();
    expect(set).toEqual([]);
    const done = lowerMainThread(5, (p) => set.push(p));
    expect(set).toEqual([5]);
    expect(done?.ok).toBe(true);
    expect(done?.message).toMatch(/nice 5: the scheduling gate's thread answers first/);
    const refused = lowerMainThread(7, () => {
      throw new Error('EACCES');
    });
    expect(refused?.ok).toBe(false);
    expect(refused?.message).toMatch(/could not set the main thread's nice value to 7 \(EACCES\)/);
  });

  it('lowers the thread the first time gates are on, once, and logs it', () => {
    const set: number[] = [];
    const logged: string[] = [];
    const log = {
      info: (m: string) => logged.push(`info ${m}`),
      warn: (m: string) => logged.push(`warn ${m}`),
    };
    let gates = false;
    const on = yieldWhenOn(
      () => gates,
      10,
      log as never,
      (p) => set.push(p),
    );
    expect(on()).toBe(false);
    expect(set).toEqual([]);
    gates = true;
    expect(on()).toBe(true);
    gates = false;
    expect(on()).toBe(false);
    gates = true;
    on();
    expect(set).toEqual([10]);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^info main thread at nice 10/);
    const refused = yieldWhenOn(
      () => true,
      10,
      log as never,
      () => {
        throw new Error('EACCES');
      },
    );
    refused();
    expect(logged[1]).toMatch(/^warn could not set/);
  });
});
