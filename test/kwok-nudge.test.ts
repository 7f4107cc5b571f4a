import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { stuckPods } from './e2e/kwok-nudge.js';

const now = Date.parse('2026-11-29T05:00:00Z');
const pod = (name: string, node: string, boundSecondsAgo: number | undefined, deleting = false): V1Pod => ({
  metadata: { name, namespace: 'perf', ...(deleting ? { deletionTimestamp: new Date(now) } : {}) },
  spec: { nodeName: node, containers: [] },
  status: {
    phase: 'Pending',
    conditions:
      boundSecondsAgo === undefined
        ? []
        : [
            {
              type: 'PodScheduled',
              status: 'True',
              lastTransitionTime: new Date(now - boundSecondsAgo * 1000),
            },
          ],
  },
});

describe('stuckPods', () => {
  it.each([
    ['bound 31 s ago to a kwok node', pod('a', 'kwok-1', 31), ['a']],
    ['bound 10 s ago: kwok may still start it', pod('b', 'kwok-1', 10), []],
    ['on a node kwok does not manage', pod('c', 'stand-in', 120), []],
    ['deleting', pod('d', 'kwok-1', 120, true), []],
    ['no PodScheduled condition', pod('e', 'kwok-1', undefined), []],
  ])('%s', (_, p, want) => {
    expect(stuckPods([p], new Set(['kwok-1']), now).map((x) => x.metadata?.name)).toEqual(want);
  });
});
