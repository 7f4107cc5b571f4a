import { describe, expect, it } from 'vitest';
import { NOMINATION_MS, Nominations } from './nominations.js';

describe('Nominations', () => {
  it('holds a Node while a pod a round planned onto it waits, for the window after that round', () => {
    let now = 0;
    const n = new Nominations(() => now);
    const waiting = new Set(['perf/web-1', 'perf/web-2', 'perf/web-3']);
    const has = (node: string) => n.has(node, (p) => waiting.has(p));
    expect(has('node-a')).toBe(false);
    n.record(
      new Map([
        ['perf/web-1', 'node-a'],
        ['perf/web-2', 'node-a'],
      ]),
    );
    now += NOMINATION_MS;
    expect(has('node-a')).toBe(true);
    // A later round puts web-2 elsewhere; web-1 keeps node-a until it binds.
    n.record(new Map([['perf/web-2', 'node-b']]));
    expect([has('node-a'), has('node-b')]).toEqual([true, true]);
    waiting.delete('perf/web-1');
    expect(has('node-a')).toBe(false);
    // Not renewed: the nomination lapses with the window.
    now += NOMINATION_MS + 1;
    expect(has('node-b')).toBe(false);
  });

  it('nominates the claim a launch is for, and moves a pod planned elsewhere since', () => {
    const n = new Nominations(() => 0);
    const waiting = () => true;
    n.record(new Map([['perf/web-1', 'berth-abc-2-0001']]));
    expect(n.has('berth-abc-2-0001', waiting)).toBe(true);
    n.record(new Map([['perf/web-1', 'ip-10-0-0-7']]));
    expect([n.has('berth-abc-2-0001', waiting), n.has('ip-10-0-0-7', waiting)]).toEqual([false, true]);
  });

  it('says where a pod was last planned, within the window', () => {
    let now = 0;
    const n = new Nominations(() => now);
    expect(n.nodeOf('perf/web-1')).toBeUndefined();
    n.record(new Map([['perf/web-1', 'berth-abc-2-0001']]));
    n.record(new Map([['perf/web-1', 'node-b']]));
    now += NOMINATION_MS;
    expect(n.nodeOf('perf/web-1')).toBe('node-b');
    now += 1;
    expect(n.nodeOf('perf/web-1')).toBeUndefined();
  });
});
