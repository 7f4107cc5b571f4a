import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { PodsWaiting } from './pods-waiting.js';

describe('PodsWaiting', () => {
  const pod = (nodeName?: string): V1Pod => ({
    metadata: { name: 'p', namespace: 'ns' },
    spec: { containers: [], ...(nodeName === undefined ? {} : { nodeName }) },
  });

  it('pods behind the gate wait, those created over a minute ago not', () => {
    let now = 0;
    const w = new PodsWaiting(() => now);
    w.sawGated([0, 0, 0]);
    expect(w.any(() => undefined)).toBe(true);
    now = 60_001;
    expect(w.any(() => undefined)).toBe(false);
    w.sawGated([0, 30_000]);
    expect(w.any(() => undefined)).toBe(true);
    w.sawGated([]);
    expect(w.any(() => undefined)).toBe(false);
  });

  it('a lifted pod waits until it is bound, gone, or a minute has passed', () => {
    let now = 0;
    const w = new PodsWaiting(() => now);
    w.lifted('ns', 'p');
    expect(w.any(() => pod())).toBe(true);
    expect(w.any(() => pod('node-1'))).toBe(false);
    w.lifted('ns', 'p');
    expect(w.any(() => undefined)).toBe(false);
    w.lifted('ns', 'p');
    now = 60_001;
    expect(w.any(() => pod())).toBe(false);
  });
});
