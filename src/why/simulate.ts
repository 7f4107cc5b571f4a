/**
 * The provisioner's round over a world of objects: the same input it builds from its caches (waiting
 * pods, Nodes with their pods, DaemonSets, NodePools, their NodeClaims' usage against limits), with the
 * NodeClaims still launching as nodes on their way, and each waiting pod's bound volumes narrowing it to
 * their zones. Pure.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { LABEL } from '../catalog/instance-type.js';
import { clusterInput } from '../provisioner/input/cluster-input.js';
import { poolUsage } from '../provisioner/nodeclaim/pool-status.js';
import type { NodeClaim } from '../provisioner/nodeclaim/object.js';
import type { ExistingNode, Plan } from '../provisioner/solver/model.js';
import { fromAllocatable } from '../provisioner/solver/resources.js';
import { solve } from '../provisioner/solver/solve.js';
import { claimsOf, volumeZones } from './volumes.js';
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

/** The pod, its node affinity narrowed to the zones of its bound volumes (as kube-scheduler narrows it). */
export function withVolumeZones(pod: V1Pod, w: WhyWorld): V1Pod {
  const zones = volumeZones(claimsOf(pod, w.pvcs, w.pvs));
  if (zones === undefined) return pod;
  const out = structuredClone(pod);
  const spec = (out.spec ??= { containers: [] });
  const affinity = (spec.affinity ??= {});
  const node = (affinity.nodeAffinity ??= {});
  const required = (node.requiredDuringSchedulingIgnoredDuringExecution ??= { nodeSelectorTerms: [] });
  const zone = { key: LABEL.zone, operator: 'In', values: zones };
  if (required.nodeSelectorTerms.length === 0) required.nodeSelectorTerms.push({ matchExpressions: [zone] });
  else for (const t of required.nodeSelectorTerms) t.matchExpressions = [...(t.matchExpressions ?? []), zone];
  return out;
}

/** The plan the provisioner would make now for every waiting pod of the world. */
export function simulateRound(w: WhyWorld): Plan {
  const pods = w.pods.map((p) => (p.spec?.nodeName === undefined ? withVolumeZones(p, w) : p));
  const { solver } = clusterInput({
    pods,
    nodes: w.nodes,
    daemonSets: w.daemonSets,
    pools: w.pools.filter((p) => poolNotReady(w, p) === undefined),
    catalog: w.catalog,
    fed: [],
    poolUsage: poolUsage(w.nodeClaims),
  });
  return solve({ ...solver, nodes: [...solver.nodes, ...claimNodes(w)], budgetMillis: 0, skipBound: true });
}
