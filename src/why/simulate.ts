/**
 * The provisioner's round over a world of objects: the same input it builds from its caches (waiting
 * pods, Nodes with their pods, DaemonSets, NodePools, their NodeClaims' usage against limits), with the
 * NodeClaims still launching as nodes on their way; waiting pods narrowed to their bound volumes' zones, as
 * the leader narrows them. Pure.
 */
import { LABEL } from '../catalog/instance-type.js';
import { clusterInput } from '../provisioner/input/cluster-input.js';
import { poolUsage } from '../provisioner/nodeclaim/pool-status.js';
import type { NodeClaim } from '../provisioner/nodeclaim/object.js';
import type { ExistingNode, Plan } from '../provisioner/solver/model.js';
import { fromAllocatable } from '../provisioner/solver/resources.js';
import { solve } from '../provisioner/solver/solve.js';
import type { WhyWorld } from './world.js';
import { poolNotReady } from './readiness.js';

/** A claim not (yet) a Node of the world: launching, or launched and not registered. */
export function onItsWay(c: NodeClaim, w: WhyWorld): boolean {
  if (c.metadata.deletionTimestamp !== undefined) return false;
  const node = c.status?.nodeName;
  return node === undefined || node === '' || !w.nodes.some((n) => n.metadata?.name === node);
}

/** Claims on their way, as the nodes the solver fills before it buys more (their type known). */
export function claimNodes(w: WhyWorld): ExistingNode[] {
  const out: ExistingNode[] = [];
  for (const c of w.nodeClaims) {
    if (!onItsWay(c, w)) continue;
    const labels = c.metadata.labels ?? {};
    const type = w.catalog.byName(labels[LABEL.instanceType] ?? '');
    if (!type) continue;
    out.push({
      name: c.metadata.name,
      labels: { ...labels, [LABEL.hostname]: c.metadata.name },
      taints: [...(c.spec.taints ?? []), ...(c.spec.startupTaints ?? [])].map((t) => ({
        key: t.key,
        effect: t.effect,
        ...(t.value !== undefined ? { value: t.value } : {}),
      })),
      allocatable: fromAllocatable(type.allocatable),
      pods: [],
      inFlight: true,
    });
  }
  return out;
}

/** The plan the provisioner would make now for every waiting pod of the world. */
export function simulateRound(w: WhyWorld): Plan {
  const { solver } = clusterInput({
    pods: w.pods,
    volumes: { pvcs: w.pvcs, pvs: w.pvs },
    nodes: w.nodes,
    daemonSets: w.daemonSets,
    pools: w.pools.filter((p) => poolNotReady(w, p) === undefined),
    catalog: w.catalog,
    fed: [],
    poolUsage: poolUsage(w.nodeClaims),
  });
  return solve({ ...solver, nodes: [...solver.nodes, ...claimNodes(w)], budgetMillis: 0, skipBound: true });
}
