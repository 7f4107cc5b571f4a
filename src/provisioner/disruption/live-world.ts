/**
 * The cluster as the disruption controller's simulations see it: the leader's caches, with the
 * decisions under way — their nodes and pods still to move, and the replacements launched (or planned)
 * that have not joined, as the nodes they will be — and the room of the pods on their way (waiting.ts).
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { existingNode } from '../input/nodes.js';
import type { ExistingNode, PlannedNode } from '../solver/model.js';
import { inflightOf, joiningOf } from './inflight.js';
import type { ClusterSource } from './round.js';
import { keepingRoom } from './simulate.js';
import { settlingNodes } from './settling.js';
import { NOT_PLANNED } from './waiting.js';
import type { World } from './world.js';

/** What the world is read from: the caches, the clock, and the consolidateAfter of a pool with none. */
export interface WorldSource {
  readonly cluster: ClusterSource;
  readonly clock: () => Date;
  readonly defaultConsolidateAfterMs: () => number;
}

export function liveWorld(
  d: WorldSource,
  launches: readonly PlannedNode[],
  providerIds: ReadonlyMap<string, string>,
): World {
  const c = d.cluster;
  const now = d.clock();
  const podsByNode = new Map<string, V1Pod[]>();
  const unbound: V1Pod[] = [];
  for (const p of c.pods()) {
    const n = p.spec?.nodeName;
    if (n === undefined) {
      unbound.push(p);
      continue;
    }
    const list = podsByNode.get(n);
    if (list) list.push(p);
    else podsByNode.set(n, [p]);
  }
  const nodes = c.nodes();
  const catalog = c.catalog();
  const inflight = inflightOf(nodes, podsByNode, joiningOf(launches, nodes, providerIds, catalog));
  // A Node as the solver sees it, made once per world: every simulation of a round's seek places pods
  // on all the nodes that stay, and converting each again cost most of a single-node simulation at
  // 2,000 nodes (the seek then held the event loop for minutes).
  const views = new WeakMap<V1Node, ExistingNode>();
  const existing = (n: V1Node): ExistingNode => {
    let view = views.get(n);
    if (!view) views.set(n, (view = existingNode(n, podsByNode.get(n.metadata?.name ?? '') ?? [])));
    return view;
  };
  const pools = c.pools();
  const settling = settlingNodes(nodes, pools, {
    now: now.getTime(),
    lastPodEvent: (node) => c.lastPodEvent(node)?.getTime(),
    defaultMs: d.defaultConsolidateAfterMs(),
  });
  const world: World = {
    nodes,
    podsByNode,
    existing,
    pools,
    daemonSets: c.daemonSets(),
    catalog,
    // Claims of replacements: unique per round, like the provisioner's (`berth-<time>-…`).
    namePrefix: `berth-${now.getTime().toString(36)}-d-`,
    ...(inflight ? { inflight } : {}),
    ...(settling.size > 0 ? { settling } : {}),
  };
  return keepingRoom(world, unbound, c.headed ?? NOT_PLANNED);
}
