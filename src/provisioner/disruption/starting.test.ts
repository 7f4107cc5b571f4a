import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { cluster, pools } from '../../../test/support/disruption-cluster.js';
import { poolView, type PoolView } from '../../scheduling/nodepool.js';
import { simulate, simulateMust } from './simulate.js';
import { STILL_STARTING, stillStarting } from './starting.js';
import type { World } from './world.js';
import { builtinCatalog } from '../../catalog/catalog.js';

/** `n` as a kubelet posts it at registration: Ready False (or without conditions, as kwok first has it). */
function joining(n: V1Node, conditions: 'not-ready' | 'none' = 'not-ready'): V1Node {
  n.status ??= {};
  n.status.conditions =
    conditions === 'none' ? [] : [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }];
  return n;
}

function ready(n: V1Node): V1Node {
  n.status ??= {};
  n.status.conditions = [{ type: 'Ready', status: 'True' }];
  return n;
}

const cilium = structuredClone((pools[0] as PoolView).pool);
cilium.spec.template.spec.startupTaints = [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }];
const withStartupTaint = [poolView(cilium)];

// Karpenter v1.15 StateNode.Initialized: a managed node is initialized once labelled so (Ready, its
// start-up taints gone, its resources registered); nodes it does not manage always are.
describe('stillStarting: a node a consolidation may not count on yet', () => {
  const table: [string, () => V1Node, boolean][] = [
    ['Ready, no start-up taint', () => ready(node('n')), false],
    ['Ready False (a kubelet that just registered)', () => joining(node('n')), true],
    ['no conditions (kwok before it initialises the Node)', () => joining(node('n'), 'none'), true],
    [
      "Ready, with the kubelet's not-ready taint",
      () => {
        const n = ready(node('n'));
        n.spec ??= {};
        n.spec.taints = [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }];
        return n;
      },
      true,
    ],
    [
      "Ready, with its NodePool's start-up taint",
      () => {
        const n = ready(node('n'));
        n.spec ??= {};
        n.spec.taints = [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }];
        return n;
      },
      true,
    ],
    [
      'not managed (no karpenter.sh/nodepool), without conditions',
      () => {
        const n = joining(node('n'), 'none');
        delete n.metadata?.labels?.['karpenter.sh/nodepool'];
        return n;
      },
      false,
    ],
  ];
  it.each(table)('%s → %s', (_, make, expected) => {
    expect(stillStarting(make(), { pools: withStartupTaint })).toBe(expected);
  });
});

describe('a consolidation never moves pods into a node still starting (Karpenter: "would schedule against uninitialized nodeclaim")', () => {
  const catalog = builtinCatalog();
  const worldOf = (nodes: V1Node[]): World => {
    const pods = [pod('web', 'a', { cpu: '2' })];
    return {
      nodes,
      podsByNode: new Map([['a', pods]]),
      pools,
      daemonSets: [],
      catalog,
      namePrefix: 'berth-test-',
    };
  };
  const moving = [pod('web', 'a', { cpu: '2' })];

  it('refuses to empty a node into one that just joined, and takes it once that node is Ready', () => {
    const fresh = joining(node('fresh', { type: 'm6i.xlarge' }));
    const before = simulate(worldOf([node('a', { type: 'm6i.2xlarge' }), fresh]), new Set(['a']), moving);
    expect(before).toEqual({ ok: false, why: `pod shop/web would wait for node fresh: ${STILL_STARTING}` });
    ready(fresh);
    const after = simulate(worldOf([node('a', { type: 'm6i.2xlarge' }), fresh]), new Set(['a']), moving);
    expect(after).toMatchObject({ ok: true, launch: [], bindings: [{ pod: 'shop/web', node: 'fresh' }] });
  });

  it('drift and expiration, which must happen, may wait for it', () => {
    const fresh = joining(node('fresh', { type: 'm6i.xlarge' }));
    const sim = simulateMust(worldOf([node('a', { type: 'm6i.2xlarge' }), fresh]), new Set(['a']), moving);
    expect(sim).toMatchObject({ ok: true, launch: [], bindings: [{ pod: 'shop/web', node: 'fresh' }] });
  });
});

describe('the controller: a consolidation decided before a workload came back is not made into the nodes launched for it', () => {
  it('abandons at validation once the room it counted on is taken and the rest is on a node not Ready yet', async () => {
    const c = cluster(
      [node('a', { type: 'm6i.xlarge' }), node('b', { type: 'm6i.xlarge' })],
      [pod('web', 'a', { cpu: '500m' }), pod('api', 'b', { cpu: '1' })],
      [],
      { validationMs: 15_000 },
    );
    expect(await c.controller.round()).toMatchObject({ kind: 'validating', nodes: ['a'] });
    // Meanwhile pods come back: one takes b's room, and a node launched for the others joins.
    c.state.pods.push(pod('back', 'b', { cpu: '2500m' }));
    c.state.nodes.push(joining(node('fresh', { type: 'm6i.xlarge' })));
    c.later(15_000);
    expect(await c.controller.round()).toMatchObject({
      kind: 'aborted',
      why: `pod shop/web would wait for node fresh: ${STILL_STARTING}`,
    });
    expect(c.state.evictions).toEqual([]);
  });
});
