import type { V1Node, V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { Metrics } from '../../observability/metrics.js';
import { node, pod } from '../../../test/support/cluster.js';
import { drainNodes, nodeRef, NODES_AT_ONCE } from './drain-nodes.js';
import type { NodeOps } from './node-ops.js';
import { pdbStates } from './pods.js';
import { DISRUPTION_ANNOTATION, REPAIR_PHASE } from './marks.js';
import type { World } from './world.js';

/** Node writes that take a moment each, counting how many are under way at once. */
function slowOps() {
  let now = 0;
  let most = 0;
  const calls: string[] = [];
  const slow = async (what: string) => {
    now += 1;
    most = Math.max(most, now);
    await new Promise((r) => setTimeout(r, 2));
    calls.push(what);
    now -= 1;
  };
  const ops: NodeOps = {
    mark: () => Promise.resolve(),
    unmark: () => Promise.resolve(),
    evict: async (p) => {
      await slow(`evict ${p.metadata?.name ?? ''}`);
      return 'evicted';
    },
    deletePod: () => Promise.resolve(),
    terminate: (n) => slow(`terminate ${n.metadata?.name ?? ''}`),
    podsOn: () => Promise.resolve([]),
  };
  return { ops, calls, most: () => most };
}

const world = (nodes: V1Node[], pods: V1Pod[]): World => ({
  nodes,
  podsByNode: new Map(
    nodes.map((n) => [n.metadata?.name ?? '', pods.filter((p) => p.spec?.nodeName === n.metadata?.name)]),
  ),
  pools: [],
  daemonSets: [],
  catalog: builtinCatalog(),
  namePrefix: 't-',
});

describe('drainNodes', () => {
  it(`drains and terminates ${NODES_AT_ONCE} nodes at a time, reporting them in the nodes' order`, async () => {
    const nodes = Array.from({ length: 40 }, (_, i) => node(`n-${String(i).padStart(2, '0')}`));
    const pods = nodes.map((n, i) => pod(`web-${i}`, n.metadata?.name ?? ''));
    const h = {
      metrics: new Metrics({ defaults: false }),
      events: { emit: () => undefined },
      logger: pino({ level: 'silent' }),
      involved: (n: string) => nodeRef(n, undefined),
    };
    const o = { now: new Date(), pdbs: pdbStates([], []) };
    const evicting = slowOps();
    const first = await drainNodes({ ...h, ops: evicting.ops }, world(nodes, pods), nodes, o);
    expect(first).toEqual([
      { kind: 'draining', nodes: nodes.map((n) => n.metadata?.name), evicted: 40, blocked: 0 },
    ]);
    expect(evicting.most()).toBe(NODES_AT_ONCE);
    const ending = slowOps();
    const second = await drainNodes({ ...h, ops: ending.ops }, world(nodes, []), nodes, o);
    expect(second).toEqual([{ kind: 'terminated', nodes: nodes.map((n) => n.metadata?.name) }]);
    expect(ending.calls).toHaveLength(40);
    expect(ending.most()).toBe(NODES_AT_ONCE);
  });

  it('repair: a pod a PDB refuses is deleted when it is not Ready, and waited on when it is', async () => {
    const sick = node('sick', { annotations: { [DISRUPTION_ANNOTATION]: REPAIR_PHASE } });
    const busy = node('busy', { annotations: { [DISRUPTION_ANNOTATION]: 'draining:single-node' } });
    const unready = pod('unready', 'sick');
    (unready.status ??= {}).conditions = [{ type: 'Ready', status: 'False' }];
    const elsewhere = pod('elsewhere', 'busy');
    (elsewhere.status ??= {}).conditions = [{ type: 'Ready', status: 'False' }];
    const pods = [unready, pod('ready', 'sick'), elsewhere];
    const deleted: string[] = [];
    const ops: NodeOps = {
      mark: () => Promise.resolve(),
      unmark: () => Promise.resolve(),
      evict: () => Promise.resolve('blocked'),
      deletePod: (p) => {
        deleted.push(p.metadata?.name ?? '');
        return Promise.resolve();
      },
      terminate: () => Promise.resolve(),
      podsOn: () => Promise.resolve([]),
    };
    const h = {
      ops,
      metrics: new Metrics({ defaults: false }),
      events: { emit: () => undefined },
      logger: pino({ level: 'silent' }),
      involved: (n: string) => nodeRef(n, undefined),
    };
    const out = await drainNodes(h, world([sick, busy], pods), [sick, busy], {
      now: new Date(),
      pdbs: pdbStates([], []),
    });
    expect(deleted).toEqual(['unready']);
    expect(out).toEqual([{ kind: 'draining', nodes: ['sick', 'busy'], evicted: 1, blocked: 2 }]);
  });
});
