import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { pod } from '../../../test/support/cluster.js';
import { holdsNode, nextDrainStep, tierOf } from './drain.js';

const now = new Date('2026-11-23T12:00:00Z');
function edited(p: V1Pod, f: (copy: V1Pod) => void): V1Pod {
  const copy = structuredClone(p);
  f(copy);
  return copy;
}
const critical = (p: V1Pod) =>
  edited(p, (c) => {
    if (c.spec) c.spec.priorityClassName = 'system-node-critical';
  });
const mirror = (p: V1Pod) =>
  edited(p, (c) => {
    if (c.metadata) c.metadata.annotations = { 'kubernetes.io/config.mirror': 'x' };
  });
const deleting = (p: V1Pod, at: string) =>
  edited(p, (c) => {
    if (c.metadata) c.metadata.deletionTimestamp = new Date(at);
  });

describe('drain order (Karpenter terminator tiers)', () => {
  it.each([
    ['a pod', pod('a', 'n'), 0],
    ['a DaemonSet pod', pod('ds', 'n', { owner: 'DaemonSet' }), 1],
    ['a critical pod', critical(pod('c', 'n')), 2],
    ['a critical DaemonSet pod', critical(pod('cds', 'n', { owner: 'DaemonSet' })), 3],
    ['a mirror pod (never evicted)', mirror(pod('m', 'n')), undefined],
  ])('%s: tier %s', (_what, p, tier) => {
    expect(tierOf(p)).toBe(tier);
  });

  it('evicts one tier at a time, and waits for pods still in their grace period', () => {
    const pods = [pod('a', 'n'), pod('ds', 'n', { owner: 'DaemonSet' }), critical(pod('c', 'n'))];
    expect(nextDrainStep(pods, now).evict.map((p) => p.metadata?.name)).toEqual(['a']);
    const evicted = [deleting(pods[0] as V1Pod, '2026-11-23T12:00:30Z'), ...pods.slice(1)];
    expect(nextDrainStep(evicted, now)).toMatchObject({ evict: [], waiting: 1, done: false });
    const graceOver = [deleting(pods[0] as V1Pod, '2026-11-23T11:59:59Z'), ...pods.slice(1)];
    expect(nextDrainStep(graceOver, now).evict.map((p) => p.metadata?.name)).toEqual(['ds']);
    expect(nextDrainStep([mirror(pod('m', 'n'))], now).done).toBe(true);
  });

  it('never evicts a pod that gained do-not-disrupt, and waits on it', () => {
    const held = pod('held', 'n', { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
    expect(nextDrainStep([held], now)).toMatchObject({ evict: [], waiting: 1, done: false });
    expect(holdsNode(held, now)).toBe(true);
  });
});
