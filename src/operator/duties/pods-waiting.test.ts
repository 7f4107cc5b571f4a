import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { PodsWaiting } from './pods-waiting.js';

describe('PodsWaiting', () => {
  const pod = (nodeName?: string): V1Pod => ({
    metadata: { name: 'p', namespace: 'ns' },
    spec: { containers: [], ...(nodeName === undefined ? {} : { nodeName }) },
  });

  it('pods behind the gate wait', () => {
    const w = new PodsWaiting(() => 0);
    w.sawGated(3);
    expect(w.any(() => undefined)).toBe(true);
    w.sawGated(0);
    expect(w.any(() => undefined)).toBe(false);
  });

  it('a lifted pod waits until it is bound, gone, or 30 s have passed', () => {
    let now = 0;
    const w = new PodsWaiting(() => now);
    w.lifted('ns', 'p');
    expect(w.any(() => pod())).toBe(true);
    expect(w.any(() => pod('node-1'))).toBe(false);
    w.lifted('ns', 'p');
    expect(w.any(() => undefined)).toBe(false);
    w.lifted('ns', 'p');
    now = 30_001;
    expect(w.any(() => pod())).toBe(false);
  });
});
