/**
 * The cluster as the disruption controller's simulations see it: the leader's caches, with the
 * decisions under way — their nodes and pods still to move, and the replacements launched (or planned)
 * that have not joined, as the nodes they will be.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { PlannedNode } from '../solver/model.js';
import { inflightOf, joiningOf } from './inflight.js';
import type { ClusterSource } from './round.js';
import type { World } from './simulate.js';

export function liveWorld(
  c: ClusterSource,
  launches: readonly PlannedNode[],
  providerIds: ReadonlyMap<string, string>,
  now: Date,
): World {
  const podsByNode = new Map<string, V1Pod[]>();
  for (const p of c.pods()) {
    const n = p.spec?.nodeName;
    if (n === undefined) continue;
    const list = podsByNode.get(n);
    if (list) list.push(p);
    else podsByNode.set(n, [p]);
  }
  const nodes = c.nodes();
  const catalog = c.catalog();
  const inflight = inflightOf(nodes, podsByNode, joiningOf(launches, nodes, providerIds, catalog));
  return {
    nodes,
    podsByNode,
    pools: c.pools(),
    daemonSets: c.daemonSets(),
    catalog,
    // Claims of replacements: unique per round, like the provisioner's (`berth-<time>-…`).
    namePrefix: `berth-${now.getTime().toString(36)}-d-`,
    ...(inflight ? { inflight } : {}),
  };
}
