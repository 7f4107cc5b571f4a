import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { cluster } from '../../../test/support/disruption-cluster.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { DISRUPTION_ANNOTATION } from './marks.js';
import { pendingOf } from './simulate.js';
import { reserveRoom, type Headed } from './waiting.js';

/** A pod no node holds yet (created, gated or pending). */
function waiting(name: string, cpu: string, app = name): V1Pod {
  const p = pod(name, '', { cpu, app });
  if (p.spec) delete p.spec.nodeName;
  p.status = { phase: 'Pending' };
  return p;
}

const byNode = (pods: readonly V1Pod[]) => {
  const out = new Map<string, V1Pod[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (n !== undefined) out.set(n, [...(out.get(n) ?? []), p]);
  }
  return out;
};

function reserve(nodes: V1Node[], pods: V1Pod[], headed: Partial<Headed> = {}) {
  const r = reserveRoom({
    pods,
    world: {
      nodes,
      podsByNode: byNode(pods),
      daemonSets: [],
      catalog: builtinCatalog(),
      namePrefix: 'test-',
    },
    headed: { nominatedTo: () => undefined, claimOf: () => undefined, ...headed },
    pendingOf,
  });
  return Object.fromEntries([...r].map(([n, ps]) => [n, ps.map((p) => p.metadata?.name)]));
}

describe('reserveRoom: where the pods on their way keep their room', () => {
  // m6i.xlarge: ~3.9 CPUs allocatable.
  const busy = () => pod('big', 'a', { cpu: '3500m' });

  interface Row {
    name: string;
    nominated: Record<string, string>;
    claims: Record<string, string>;
    want: Record<string, string[]>;
  }
  it.each<Row>([
    {
      name: 'a pod planned onto a Node, on that Node',
      nominated: { late: 'b' },
      claims: {},
      want: { b: ['late'] },
    },
    {
      name: 'a pod planned onto a claim whose Node joined, on that Node',
      nominated: { late: 'claim-b' },
      claims: { b: 'claim-b' },
      want: { b: ['late'] },
    },
    {
      name: 'a pod planned onto a claim with no Node yet: nowhere (its room comes with it)',
      nominated: { late: 'claim-z' },
      claims: {},
      want: {},
    },
    {
      name: 'a pod no round planned: where the solver puts it (the only node with room)',
      nominated: {},
      claims: {},
      want: { b: ['late'] },
    },
  ])('$name', ({ nominated, claims, want }) => {
    const got = reserve([node('a'), node('b')], [busy(), waiting('late', '1')], {
      nominatedTo: (id) => nominated[id.split('/')[1] ?? ''],
      claimOf: (n) => claims[n.metadata?.name ?? ''],
    });
    expect(got).toEqual(want);
  });

  it('a pod that fits no node keeps no room (the provisioner buys for it)', () => {
    expect(reserve([node('a'), node('b')], [busy(), waiting('huge', '64')])).toEqual({});
  });

  it('a pod planned onto a node being disrupted is placed where the solver puts it', () => {
    const going = node('b', { annotations: { [DISRUPTION_ANNOTATION]: 'draining:single-node' } });
    const got = reserve([node('a'), going, node('c')], [busy(), waiting('late', '1')], {
      nominatedTo: () => 'b',
    });
    expect(got).toEqual({ c: ['late'] });
  });

  it('bound, finished and deleting pods keep nothing', () => {
    const done = waiting('done', '1');
    done.status = { phase: 'Succeeded' };
    const deleting = waiting('deleting', '1');
    if (deleting.metadata) deleting.metadata.deletionTimestamp = new Date();
    expect(reserve([node('a'), node('b')], [busy(), done, deleting])).toEqual({});
  });
});

describe('disruption leaves the pods on their way their room', () => {
  it('emptiness keeps the empty node the only room for a waiting pod is on', async () => {
    const c = cluster([node('a'), node('empty')], [pod('big', 'a', { cpu: '3500m' }), waiting('late', '1')]);
    expect(await c.controller.round()).toMatchObject({ kind: 'none' });
    expect(c.state.terminated).toEqual([]);
  });

  it('emptiness still takes an empty node when the waiting pod has room elsewhere', async () => {
    const c = cluster(
      [node('a'), node('b'), node('empty')],
      [pod('big', 'a', { cpu: '3500m' }), pod('half', 'b', { cpu: '1' }), waiting('late', '1')],
      [],
      { headed: { nominatedTo: () => 'b', claimOf: () => undefined } },
    );
    expect(await c.controller.round()).toMatchObject({
      kind: 'decided',
      method: 'emptiness',
      nodes: ['empty'],
    });
  });

  it('consolidation does not move pods into the room of a pod planned onto that node', async () => {
    // a's pod fits on b only if late's room there is taken.
    const pods = [pod('web', 'a', { cpu: '2' }), pod('half', 'b', { cpu: '1' }), waiting('late', '1')];
    const headed: Headed = { nominatedTo: () => 'b', claimOf: () => undefined };
    const c = cluster([node('a'), node('b')], pods, [], { headed });
    expect(await c.controller.round()).toMatchObject({ kind: 'none' });
    // Without the waiting pod, a's pod goes to b and a is removed.
    const alone = cluster([node('a'), node('b')], pods.slice(0, 2), [], { headed });
    expect(await alone.controller.round()).toMatchObject({ kind: 'decided', nodes: ['a'] });
  });

  it('a node removed moves the room of the pods headed to it too, and is refused when they fit nowhere', async () => {
    // late fits on a only (b is full): removing a would leave it nowhere without new capacity.
    const pods = [pod('web', 'a', { cpu: '500m' }), pod('full', 'b', { cpu: '3' }), waiting('late', '3')];
    const c = cluster([node('a'), node('b')], pods);
    expect(await c.controller.round()).toMatchObject({ kind: 'none' });
    expect(c.state.evictions).toEqual([]);
  });
});
