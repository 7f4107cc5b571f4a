/**
 * The solver's input from the provisioner's caches (the controller's counterpart of plan-input.ts):
 * Nodes with the pods bound to them, DaemonSets, the NodePools, and the pods to plan (waiting pods and
 * the admission feed's replicas not yet covered).
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { Catalog } from '../../catalog/catalog.js';
import { LABEL } from '../../catalog/instance-type.js';
import { demandOf, type Admitted, type Demand, type DemandBounds } from '../controller/demand.js';
import type { DaemonSetShape, SolverInput } from '../solver/model.js';
import { existingNode, podsByNode } from './nodes.js';
import { isDraining } from '../disruption/marks.js';
import { moves } from '../disruption/pods.js';
import { daemonSetOf } from './pods.js';
import { keepReturningRoom } from '../controller/returning-room.js';
import { returningInput } from './returning-input.js';
import { waitingOnPin } from '../../kube/pod-pins.js';
import { awaitsVolume, withVolumeZones, type Volumes } from './volume-topology.js';
import { podTemplateOf } from '../../kube/workload.js';

export interface ClusterState {
  readonly pods: readonly V1Pod[];
  readonly nodes: readonly V1Node[];
  readonly daemonSets: readonly KubeObject[];
  readonly pools: readonly PoolView[];
  readonly catalog: Catalog;
  readonly fed: readonly Admitted[];
  readonly bounds?: DemandBounds;
  /** Each NodePool's launched capacity (its NodeClaims), counted against its limits. */
  readonly poolUsage?: SolverInput['poolUsage'];
  /** PersistentVolumeClaims and PersistentVolumes: a waiting pod is planned in its volumes' zones. */
  readonly volumes?: Volumes;
  /** CapacityBuffers' virtual pods: demand that waits for room and is never bound (buffers.ts). */
  readonly buffers?: readonly V1Pod[];
  /** The pods shrunk workloads are bringing back and have not made yet (disruption/returning.ts). */
  readonly returning?: readonly V1Pod[];
  /** The workloads that came back after shrinking within the window (`namespace/Kind/name`). */
  readonly cameBack?: ReadonlySet<string>;
}

/** A round's input: what the solver plans, and how the demand was bounded (for Events and metrics). */
export interface RoundInput {
  readonly solver: SolverInput;
  readonly demand: Demand;
  /** How many pods still to come have their room kept on the nodes this round (returning-room.ts). */
  readonly returningKept?: number;
}

/**
 * The pods of nodes being drained count as waiting: room for them is planned now, with the pods that
 * wait, and bought if there is none, while they are still being evicted — as Karpenter's provisioner
 * schedules the pods of deleting nodes beside the pending ones. A scale-out's pods then take none of
 * the room a drain's pods were counted to move into: at a churn high, a consolidation decided at the
 * low drained while the high's pods filled the holes its pods were to go to, and the provisioner
 * bought a node for one or two evicted pods at a time (17 nodes in 4 s, 2026-11-30). Karpenter leaves
 * out a pod a PDB blocks now (CurrentlyReschedulablePods); Berth plans it too, so that its room is
 * there when the PDB lets it go (and an interrupted node's pods all have theirs before it is reclaimed).
 */
function withDraining(pods: readonly V1Pod[], nodes: readonly V1Node[]): readonly V1Pod[] {
  const leaving = new Set(nodes.filter(isDraining).map((n) => n.metadata?.name ?? ''));
  if (leaving.size === 0) return pods;
  return pods.map((p) => {
    if (!leaving.has(p.spec?.nodeName ?? '') || !moves(p)) return p;
    const waiting = structuredClone(p);
    if (waiting.spec) delete waiting.spec.nodeName;
    return waiting;
  });
}

/**
 * Pods pinned to a Node that is there (kube/pod-pins.ts: every term of their required node affinity
 * names it), not bound yet, count as bound there: kube-scheduler can put them nowhere else, so their
 * room is taken, and no round plans them, or another pod into their room, elsewhere. A pin that
 * cannot hold is undone by deleting the pod (operator/duties/pin-repair.ts).
 */
function withPinned(pods: readonly V1Pod[], nodes: readonly V1Node[]): readonly V1Pod[] {
  const names = new Set(nodes.map((n) => n.metadata?.name ?? ''));
  let out: V1Pod[] | undefined;
  pods.forEach((p, i) => {
    const node = waitingOnPin(p);
    if (node === undefined || !names.has(node)) return;
    out ??= [...pods];
    // Shallow copies (the cache's objects are not changed); the models are plain objects here.
    out[i] = Object.assign({}, p, { spec: Object.assign({}, p.spec, { nodeName: node }) });
  });
  return out ?? pods;
}

/**
 * Waiting pods narrowed to their bound volumes' zones (the others, and bound pods, as they are); a
 * waiting pod whose bound volume is not seen yet is left for the next round.
 */
function withVolumes(pods: readonly V1Pod[], v: Volumes | undefined): readonly V1Pod[] {
  if (!v) return pods;
  return pods
    .filter((p) => p.spec?.nodeName !== undefined || !awaitsVolume(p, v))
    .map((p) => (p.spec?.nodeName === undefined && v.pvs.length > 0 ? withVolumeZones(p, v) : p));
}

/**
 * The admitted workloads planned ahead of their pods, but those whose pods mount a claim: its volume
 * decides their zone, so they are planned as pods, once there, in its zones (withVolumes). Planned
 * ahead, a Deployment whose pods mount a volume in us-east-1c got its node in another zone.
 */
function aheadOfPods(fed: readonly Admitted[]): readonly Admitted[] {
  if (fed.length === 0) return fed;
  return fed.filter(
    (f) => podTemplateOf(f.object)?.spec.volumes?.some((v) => v.persistentVolumeClaim !== undefined) !== true,
  );
}

export function clusterInput(s: ClusterState): RoundInput {
  const real = withVolumes(withPinned(s.pods, s.nodes), s.volumes);
  const pods = s.buffers && s.buffers.length > 0 ? [...real, ...s.buffers] : real;
  const bound = podsByNode(pods);
  const daemonSets: DaemonSetShape[] = [];
  for (const d of s.daemonSets) {
    // Objects listed from a collection carry no kind.
    const shape = daemonSetOf({ ...d, kind: 'DaemonSet' });
    if (shape) daemonSets.push(shape);
  }
  const demand = demandOf(withDraining(pods, s.nodes), aheadOfPods(s.fed), s.bounds);
  const solver: SolverInput = {
    pods: demand.pods,
    groups: demand.groups,
    nodes: s.nodes.map((n) => {
      const pool = s.pools.find((p) => p.name === n.metadata?.labels?.[LABEL.nodePool]);
      const startup = pool?.pool.spec.template.spec.startupTaints ?? [];
      return existingNode(n, bound.get(n.metadata?.name ?? '') ?? [], false, startup);
    }),
    pools: s.pools,
    daemonSets,
    catalog: s.catalog,
    ...(s.poolUsage ? { poolUsage: s.poolUsage } : {}),
  };
  const back = returningInput(real, s.returning ?? [], s.cameBack ?? new Set(), demand.ahead);
  const room = keepReturningRoom(solver, back.coming, back.theirs);
  return { solver: room.input, demand, returningKept: room.kept };
}
