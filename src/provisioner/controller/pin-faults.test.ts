import { describe, expect, it } from 'vitest';
import type { ExistingNode } from '../solver/model.js';
import { res } from '../solver/resources.js';
import { PinRoom } from './pin-room.js';
import { PIN_GRACE_MS, pinFault, type PinFault, type PinnedPod } from './pin-faults.js';

const NOW = 1_000_000;
const node = (o: Partial<ExistingNode> = {}): ExistingNode => ({
  name: 'n1',
  labels: {},
  taints: [],
  allocatable: res(4000, 16384, 110),
  pods: [],
  inFlight: false,
  ...o,
});
const bound = (cpu: number) => ({
  id: `perf/p${cpu}`,
  namespace: 'perf',
  labels: {},
  requests: res(cpu, 1024),
  antiAffinity: [],
});
const pod = (o: Partial<PinnedPod> = {}): PinnedPod => ({ requests: res(1000, 1024), tolerations: [], ...o });

describe('pinFault', () => {
  it.each<[string, PinnedPod, ExistingNode | undefined, PinFault | undefined]>([
    ['a node with room', pod(), node({ pods: [bound(3000)] }), undefined],
    ['the node gone', pod(), undefined, 'node-gone'],
    ['the node cordoned or being deleted', pod(), node({ unschedulable: true }), 'node-closed'],
    [
      'a disruption taint on it',
      pod(),
      node({ taints: [{ key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }] }),
      'taint',
    ],
    [
      'a taint the pod tolerates',
      pod({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] }),
      node({ taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }),
      undefined,
    ],
    [
      'a PreferNoSchedule taint',
      pod(),
      node({ taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
      undefined,
    ],
    ['other pods bound into its room', pod(), node({ pods: [bound(3500)] }), 'no-room'],
    [
      'kube-scheduler refusing it for a while only',
      pod({ unschedulableSince: NOW - PIN_GRACE_MS + 1 }),
      node(),
      undefined,
    ],
    [
      'kube-scheduler refusing it past the grace',
      pod({ unschedulableSince: NOW - PIN_GRACE_MS }),
      node(),
      'unschedulable',
    ],
  ])('%s: %s', (_name, p, n, want) => {
    expect(pinFault(p, n, NOW)).toBe(want);
  });
});

describe('PinRoom', () => {
  it('takes room while it fits beside what is counted, and none on a node it does not know', () => {
    const room = new PinRoom((n) => (n === 'n1' ? res(4000, 16384, 110) : undefined));
    room.add('n1', res(2000, 1024));
    expect(room.take('n1', res(1500, 1024))).toBe(true);
    expect(room.take('n1', res(1000, 1024))).toBe(false);
    expect(room.take('n1', res(500, 1024))).toBe(true);
    expect(room.take('n1', res(1, 1))).toBe(false);
    expect(room.take('gone', res(1, 1))).toBe(false);
  });
  it('counts pods by number as well', () => {
    const room = new PinRoom(() => res(64000, 262144, 2));
    expect(room.take('n1', res(10, 10))).toBe(true);
    expect(room.take('n1', res(10, 10))).toBe(true);
    expect(room.take('n1', res(10, 10))).toBe(false);
  });
});
